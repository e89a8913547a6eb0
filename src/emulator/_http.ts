// Small node:http helpers shared by the emulator's routes.
import type { IncomingMessage, ServerResponse } from 'node:http';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
    ...headers,
  });
  res.end(text);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The key in `Authorization: Key <key>`, or undefined. Never logged or stored beyond memory. */
export function falKey(req: IncomingMessage): string | undefined {
  const m = /^Key\s+(\S.*)$/i.exec(header(req, 'authorization') ?? '');
  return m ? m[1]!.trim() : undefined;
}

/** Destroys the connection without a response, as a reset or a lost response looks to a client. */
export function resetSocket(req: IncomingMessage): void {
  req.socket.destroy();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
