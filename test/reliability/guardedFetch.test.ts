// The limits every API exchange runs under (src/run/falClient.ts guardedFetch), on a loopback
// server: an answer that never comes, a body too large, a redirect to another origin; and what
// must still pass: a large upload answered only after its body, a same-origin redirect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from '../../src/run/falClient.js';

let server: Server;
let other: Server;
let url = '';
let otherUrl = '';
const seen: { path: string; auth: boolean }[] = [];

beforeAll(async () => {
  other = createServer((req, res) => { seen.push({ path: req.url ?? '', auth: Boolean(req.headers.authorization) }); res.end('{}'); });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const size = Buffer.concat(chunks).length;
      if (req.url === '/slow') setTimeout(() => res.end('{"late":true}'), 600);
      else if (req.url === '/upload') setTimeout(() => res.end(JSON.stringify({ size })), 600);
      else if (req.url === '/big') { res.writeHead(200, { 'content-type': 'application/json' }); res.end(Buffer.alloc(3 * 1024 * 1024, 0x61)); }
      else if (req.url === '/elsewhere') { res.writeHead(307, { location: `${otherUrl}/stolen` }); res.end(); }
      else if (req.url === '/here') { res.writeHead(307, { location: '/ok' }); res.end(); }
      else res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections(); other.closeAllConnections();
  await new Promise((r) => server.close(r)); await new Promise((r) => other.close(r));
});

const f = guardedFetch(fetch, { headersTimeoutMs: 200, idleTimeoutMs: 200, maxBodyBytes: 1024 * 1024 });
const auth = { authorization: 'Key fal-TESTSECRET' };

describe('guardedFetch', () => {
  it('gives up on an answer that does not come, with an error the fal client will not retry', async () => {
    const err = await f(`${url}/slow`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('TimeoutError');
    expect((err as Error).message).toMatch(/no response within 200 ms/);
  });

  it('lets a large upload take as long as its body takes', async () => {
    const res = await f(`${url}/upload`, { method: 'PUT', body: new Uint8Array(2 * 1024 * 1024) });
    expect(await res.json()).toEqual({ size: 2 * 1024 * 1024 });
  });

  it('stops reading a body past the cap', async () => {
    const res = await f(`${url}/big`);
    const err = await res.text().catch((e: Error) => e);
    expect((err as Error).message).toMatch(/above the cap of 1048576 bytes/);
  });

  it('never follows a redirect to another origin, so the key stays home', async () => {
    const err = await f(`${url}/elsewhere`, { headers: auth }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/refusing a redirect from .* to http:\/\/127\.0\.0\.1:\d+/);
    expect(seen).toEqual([]);
  });

  it('follows a redirect within the same origin', async () => {
    const res = await f(`${url}/here`, { headers: auth });
    expect(await res.json()).toEqual({ ok: true });
  });
});
