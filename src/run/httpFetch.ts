// A `fetch` over node:http(s) for the run's own traffic: the fal API calls (through guardedFetch)
// and output downloads. Why not the global fetch (undici): over a long run it was the main source
// of garbage that outlives the young generation. Each undici fetch builds a Request, a Headers
// list, a controller chain and several web streams (a tee among them); with 64 cells in flight
// those live for tens of milliseconds, survive two scavenges and die in the old space: about
// 150 KB promoted per cell (4 requests), which V8 answered by growing the heap to ~4x the live
// size (RSS 141 -> 330 MB from 1,000 to 10,000 cells). node:http allocates a fraction of that.
//
// What it does and does not do (everything its callers need, nothing more):
// - redirects are never followed (callers pass `redirect: 'manual'` and follow them by hand);
// - no content negotiation: no Accept-Encoding is sent, and a body the server compresses anyway
//   (gzip, deflate, br) is decoded, as fetch would;
// - the abort signal destroys the request or the body stream with the signal's reason;
// - network errors carry node's `code` (ECONNREFUSED, ECONNRESET...) directly on the error, which
//   is where @fal-ai/client's retry and our submit classification look (they also unwrap `cause`).
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Limits on a response body, enforced on the node stream itself, so a caller that needs them
 * (guardedFetch) does not wrap the body in a second web stream per request. Passed in `init`
 * under this symbol; `fail` makes the error the body stream errors with; `done` runs once the body
 * has ended, failed or been cancelled.
 */
export const BODY_GUARD = Symbol('shotlist.httpFetch.bodyGuard');
export interface BodyGuard {
  idleTimeoutMs: number;
  maxBodyBytes: number;
  fail: (message: string) => Error;
  done: () => void;
}

function headerRecord(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => { out[k] = v; });
  else if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
  else for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

type Body = string | Uint8Array | Readable | undefined;

async function bodyOf(body: BodyInit | null | undefined): Promise<Body> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Readable.fromWeb(body.stream() as import('node:stream/web').ReadableStream);
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  if (body instanceof URLSearchParams) return body.toString();
  // FormData and anything else: let a Response serialise it (with its content type).
  const r = new Response(body as BodyInit);
  return new Uint8Array(await r.arrayBuffer());
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export const httpFetch = (async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
  if (typeof input !== 'string' && !(input instanceof URL)) return fetch(input, init); // a Request object: not used by shotlist
  const url = new URL(input);
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) throw new TypeError(`fetch: unsupported protocol ${url.protocol} in ${url.href.slice(0, 200)}`);
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw abortError(signal);
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = headerRecord(init.headers);
  const body = await bodyOf(init.body);
  if (typeof body === 'string') headers['content-length'] ??= String(Buffer.byteLength(body));
  else if (body instanceof Uint8Array) headers['content-length'] ??= String(body.byteLength);
  if (init.body instanceof Blob && init.body.size >= 0) {
    headers['content-length'] ??= String(init.body.size);
    if (init.body.type) headers['content-type'] ??= init.body.type;
  }
  if (body === undefined && (method === 'POST' || method === 'PUT' || method === 'PATCH')) headers['content-length'] ??= '0';

  return new Promise<Response>((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, agent });
    let settled = false;
    const onAbort = () => {
      const reason = abortError(signal!);
      req.destroy(reason instanceof Error ? reason : new Error(String(reason)));
      if (!settled) { settled = true; reject(reason); }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const forget = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (err) => {
      forget();
      if (!settled) { settled = true; reject(err); }
    });
    req.on('response', (res) => {
      settled = true;
      const status = res.statusCode ?? 0;
      const h = new Headers();
      const raw = res.rawHeaders;
      for (let i = 0; i < raw.length; i += 2) h.append(raw[i], raw[i + 1]);
      if (NULL_BODY.has(status) || method === 'HEAD') {
        res.resume();
        forget();
        try { resolve(new Response(null, { status, statusText: res.statusMessage, headers: h })); } catch (err) { reject(err); }
        return;
      }
      let stream: Readable = res;
      const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
      const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip()
        : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : undefined;
      if (decoder) {
        res.on('error', (err) => decoder.destroy(err));
        stream = res.pipe(decoder);
        h.delete('content-encoding');
        h.delete('content-length');
      }
      // A body cut short (socket closed before Content-Length bytes) must be an error, not an end.
      res.on('aborted', () => stream.destroy(Object.assign(new Error('the connection closed before the body was complete'), { code: 'ECONNRESET' })));
      stream.once('close', forget);
      const guard = (init as { [BODY_GUARD]?: BodyGuard })[BODY_GUARD];
      if (guard) {
        let size = 0;
        const idle = setTimeout(() => stream.destroy(guard.fail(`no data for ${guard.idleTimeoutMs} ms`)), guard.idleTimeoutMs);
        stream.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > guard.maxBodyBytes) stream.destroy(guard.fail(`response above the cap of ${guard.maxBodyBytes} bytes`));
          else idle.refresh();
        });
        stream.once('close', () => { clearTimeout(idle); guard.done(); });
      }
      if (signal) {
        signal.removeEventListener('abort', onAbort);
        const onBodyAbort = () => stream.destroy(Object.assign(new Error('This operation was aborted'), { name: 'AbortError', cause: signal.reason }));
        signal.addEventListener('abort', onBodyAbort, { once: true });
        stream.once('close', () => signal.removeEventListener('abort', onBodyAbort));
      }
      try {
        resolve(new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers: h }));
      } catch (err) {
        stream.destroy();
        reject(err); // a status a Response cannot carry (outside 200-599)
      }
    });
    if (body === undefined) req.end();
    else if (body instanceof Readable) {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    } else req.end(body);
  });
}) as typeof fetch;
