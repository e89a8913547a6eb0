// httpFetch (src/run/httpFetch.ts) is what the run's API calls and downloads go through; on a
// loopback server: what fetch would give (JSON, status, headers, a gzip body decoded, uploads),
// what must fail loudly (a body cut short, an abort), and the API limits of guardedFetch when
// they are enforced on httpFetch's own stream (a body past the cap, a body that stalls).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from '../../src/run/falClient.js';
import { httpFetch } from '../../src/run/httpFetch.js';

let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/echo') {
        res.writeHead(201, { 'content-type': 'application/json', 'x-fal-request-id': 'req-1' });
        res.end(JSON.stringify({ method: req.method, length: body.length, type: req.headers['content-type'] ?? null, auth: req.headers.authorization ?? null }));
      } else if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ zipped: true })));
      } else if (req.url === '/cut') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(Buffer.alloc(100, 0x61));
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (req.url === '/big') {
        res.writeHead(200);
        res.end(Buffer.alloc(3 * 1024 * 1024, 0x61));
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"status":"IN_QUEUE"}\n\n'); // then nothing
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('{}'), 2000);
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: '/echo' });
        res.end();
      } else {
        res.writeHead(404);
        res.end('nope');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('httpFetch', () => {
  it('answers like fetch: status, headers, JSON body; sends the method, headers and body', async () => {
    const res = await httpFetch(`${url}/echo`, { method: 'POST', headers: { Authorization: 'Key k', 'Content-Type': 'application/json' }, body: JSON.stringify({ a: 1 }) });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-fal-request-id')).toBe('req-1');
    expect(await res.json()).toEqual({ method: 'POST', length: 7, type: 'application/json', auth: 'Key k' });
  });

  it('sends a Blob (a storage upload) with its size and type', async () => {
    const res = await httpFetch(`${url}/echo`, { method: 'PUT', body: new Blob([new Uint8Array(5000)], { type: 'video/mp4' }) });
    expect(await res.json()).toMatchObject({ method: 'PUT', length: 5000, type: 'video/mp4' });
  });

  it('decodes a gzip body, as fetch would', async () => {
    const res = await httpFetch(`${url}/gzip`);
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.json()).toEqual({ zipped: true });
  });

  it('does not follow redirects: the caller sees the 3xx and its Location', async () => {
    const res = await httpFetch(`${url}/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/echo');
  });

  it('a body cut short is an error, not a short body', async () => {
    const res = await httpFetch(`${url}/cut`);
    const err = await res.arrayBuffer().catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it('an abort rejects with the signal reason; a refused connection carries its code', async () => {
    const c = new AbortController();
    setTimeout(() => c.abort(new Error('stop now')), 50);
    const err = await httpFetch(`${url}/slow`, { signal: c.signal }).catch((e: Error) => e);
    expect((err as Error).message).toBe('stop now');
    const refused = await httpFetch('http://127.0.0.1:9/').catch((e: NodeJS.ErrnoException) => e);
    expect((refused as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('refuses schemes other than http(s)', async () => {
    await expect(httpFetch('file:///etc/passwd')).rejects.toThrow(/unsupported protocol file:/);
  });
});

describe('guardedFetch over httpFetch (the run\'s client)', () => {
  const f = guardedFetch(httpFetch, { headersTimeoutMs: 300, idleTimeoutMs: 300, maxBodyBytes: 1024 * 1024 });

  it('stops reading a body past the cap', async () => {
    const res = await f(`${url}/big`);
    const err = await res.text().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/above the cap of 1048576 bytes/);
    expect((err as Error).name).toBe('TimeoutError');
  });

  it('gives up on a body that stops sending (a stalled status stream)', async () => {
    const res = await f(`${url}/stall`);
    const t0 = Date.now();
    const err = await res.text().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/no data for 300 ms/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('gives up on an answer that does not come', async () => {
    const err = await f(`${url}/slow`).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/no response within 300 ms/);
  });

  it('a small answer read in full leaves no timer behind to fire later', async () => {
    const res = await f(`${url}/echo`);
    expect((await res.json()).method).toBe('GET');
    await new Promise((r) => setTimeout(r, 400)); // past both limits: nothing may throw or abort
  });
});
