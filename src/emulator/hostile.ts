// Hostile mode: the emulator turned against its client, to prove shotlist cannot be made to write
// outside its output folder, hang, run out of memory or leak its key by a server that lies.
// One kind per emulator (`EmulatorOptions.hostile`, `shotlist emulator --hostile KIND`); jobs run
// normally and the lie is told where the kind says. A second server on another loopback port plays
// "another host" and records what reaches it: GET /_emulator/hostile on the emulator returns that
// record (method, path, whether an Authorization header arrived) so a test can inspect it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../types.js';
import { sleep, writeJson } from './_http.js';

export const HOSTILE_KINDS = [
  'huge-result',        // the result JSON is 256 MiB (streamed; never held by the emulator)
  'huge-status',        // every status answer is 256 MiB of JSON
  'html-error',         // the result answers 500 with an HTML page
  'wrong-content-type', // the output is served and described as text/html
  'redirect-output',    // the output URL answers 302 to another host
  'redirect-api',       // status and result answer 307 to another host
  'file-url',           // the result's video.url is file:///etc/passwd
  'dotdot-name',        // the result's file_name climbs with ../
  'endless-download',   // the output streams forever with no Content-Length
  'stall-download',     // the output sends its headers, then nothing
  'trickle-download',   // the output sends one byte every 200 ms, forever
  'huge-download',      // the output declares 64 GiB
  'lying-size',         // file_size says 1,000 bytes; the stream is 64 MiB
  'never-respond',      // status and result requests are never answered
  'xss-strings',        // script payloads in every string it returns: odd seeds 422, even ones odd metadata
] as const;

/** What `xss-strings` puts in strings; any of them running sets `window.__xss`. */
export const XSS_PAYLOADS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=2">',
  '"><svg onload="window.__xss=3">',
  "javascript:window.__xss=4//",
  '</textarea></style></script><script>window.__xss=5</script>',
];

export type HostileKind = (typeof HOSTILE_KINDS)[number];

export function parseHostile(v: string | undefined): HostileKind | undefined {
  if (v === undefined || v === '') return undefined;
  if (!(HOSTILE_KINDS as readonly string[]).includes(v)) throw new Error(`hostile kind \`${v}\` is not one of ${HOSTILE_KINDS.join(', ')}`);
  return v as HostileKind;
}

interface Visit { method: string; path: string; authorization: boolean }

export class Hostile {
  private other?: Server;
  otherUrl = '';
  readonly visits: Visit[] = [];
  private readonly open = new Set<ServerResponse>();

  constructor(readonly kind: HostileKind) {}

  async start(): Promise<void> {
    this.other = createServer((req, res) => {
      this.visits.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization !== undefined });
      writeJson(res, 200, { other: 'host', note: 'a client should never have followed a redirect here' });
    });
    await new Promise<void>((r) => this.other!.listen(0, '127.0.0.1', () => r()));
    this.otherUrl = `http://127.0.0.1:${(this.other.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    if (!this.other) return;
    this.other.closeAllConnections();
    await new Promise<void>((r) => this.other!.close(() => r()));
  }

  report(): JsonObject {
    return { kind: this.kind, otherUrl: this.otherUrl, visits: this.visits as unknown as JsonObject[] };
  }

  /** The result JSON as the hostile server tells it. */
  rewriteResult(result: JsonObject): JsonObject {
    const video = { ...(result.video as JsonObject) };
    switch (this.kind) {
      case 'file-url': video.url = 'file:///etc/passwd'; break;
      // The URL stays good: only the name lies (a client that names files after it is caught).
      case 'dotdot-name': video.file_name = '../../../../../../tmp/shotlist-pwned.mp4'; break;
      case 'wrong-content-type': video.content_type = 'text/html'; break;
      case 'lying-size': video.file_size = 1000; break;
      case 'xss-strings':
        video.content_type = `video/mp4; x=${XSS_PAYLOADS[1]}`;
        video.file_name = `${XSS_PAYLOADS[2]}.mp4`;
        return { ...result, video, prompt: XSS_PAYLOADS.join(' '), [XSS_PAYLOADS[0]]: XSS_PAYLOADS[4], timings: { [XSS_PAYLOADS[3]]: XSS_PAYLOADS[0] } };
      default: return result;
    }
    return { ...result, video };
  }

  /** Status/stream/result routes: true when the hostile kind answered instead. */
  async api(req: IncomingMessage, res: ServerResponse, route: string, seed?: unknown): Promise<boolean> {
    if (route !== 'status' && route !== 'stream' && route !== 'result') return false;
    switch (this.kind) {
      case 'huge-status':
        if (route === 'result') return false;
        await this.hugeJson(res, 256 * 1024 * 1024);
        return true;
      case 'huge-result':
        if (route !== 'result') return false;
        await this.hugeJson(res, 256 * 1024 * 1024);
        return true;
      case 'html-error':
        // On the result only: a status route that always fails is bounded by the client's own
        // retry policy (about 4 minutes a cell), too slow for a test and not a different lesson.
        if (route !== 'result') return false;
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>');
        return true;
      case 'redirect-api':
        res.writeHead(307, { location: `${this.otherUrl}${req.url ?? '/'}` });
        res.end();
        return true;
      case 'xss-strings': {
        // Odd seeds fail with fal's 422 shape, every string of it a payload.
        if (route !== 'result' || typeof seed !== 'number' || seed % 2 !== 1) return false;
        writeJson(res, 422, { detail: [{ loc: ['body', XSS_PAYLOADS[0]], msg: `${XSS_PAYLOADS[1]} ${XSS_PAYLOADS[4]}`, type: XSS_PAYLOADS[2], input: XSS_PAYLOADS[3] }] }, { 'x-fal-error-type': XSS_PAYLOADS[0] });
        return true;
      }
      case 'never-respond':
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        return true;
      default:
        return false;
    }
  }

  /** Output file route: true when the hostile kind answered instead. */
  async file(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    switch (this.kind) {
      case 'wrong-content-type':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>not a video <script>alert(1)</script></body></html>');
        return true;
      case 'redirect-output':
        res.writeHead(302, { location: `${this.otherUrl}${path}` });
        res.end();
        return true;
      case 'endless-download':
        res.writeHead(200, { 'content-type': 'video/mp4' });
        await this.pump(res, Infinity);
        return true;
      case 'stall-download':
        res.writeHead(200, { 'content-type': 'video/mp4' });
        res.write(Buffer.alloc(1000));
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        return true;
      case 'trickle-download': {
        res.writeHead(200, { 'content-type': 'video/mp4' });
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        while (!res.destroyed) { res.write(Buffer.alloc(1)); await sleep(200); }
        return true;
      }
      case 'huge-download':
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(64 * 1024 ** 3) });
        await this.pump(res, 64 * 1024 ** 3);
        return true;
      case 'lying-size':
        res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(64 * 1024 ** 2) });
        await this.pump(res, 64 * 1024 ** 2);
        return true;
      default:
        void req;
        return false;
    }
  }

  /** A JSON document of `bytes` bytes, written with backpressure so the emulator stays small too. */
  private async hugeJson(res: ServerResponse, bytes: number): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes });
    const head = '{"status":"COMPLETED","padding":"';
    const tail = '"}';
    res.write(head);
    await this.pump(res, bytes - head.length - tail.length, 0x61);
    if (!res.destroyed) res.end(tail);
  }

  private async pump(res: ServerResponse, bytes: number, fill = 0): Promise<void> {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const chunk = Buffer.alloc(64 * 1024, fill);
    let left = bytes;
    while (left > 0 && !res.destroyed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) await drainOrClose(res);
    }
    if (!res.destroyed && Number.isFinite(bytes)) res.end();
  }
}

/** Waits for back-pressure to clear; removes both listeners, so a long body does not pile them up. */
function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
