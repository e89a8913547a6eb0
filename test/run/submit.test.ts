import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunClient } from '../../src/run/falClient.js';
import { messageOf, submitCell } from '../../src/run/submit.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

let close: (() => Promise<void>) | undefined;
afterEach(async () => { await close?.(); close = undefined; });

/** A fake queue that counts submit POSTs; `handler` decides each answer. */
async function fakeQueue(handler: Handler) {
  let submits = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const target = String(req.headers['x-fal-target-url'] ?? '');
      if (req.method === 'POST' && target.startsWith('https://queue.fal.run/') && !target.includes('/requests/')) handler(req, res, ++submits);
      else { res.statusCode = 500; res.end(); }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
  return { url, submits: () => submits };
}

const ok = (res: ServerResponse, id: string) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ request_id: id, status: 'IN_QUEUE' }));
};

describe('submitCell', () => {
  it('retries a 429 after its Retry-After and gets one job', async () => {
    const q = await fakeQueue((_req, res, n) => {
      if (n === 1) { res.statusCode = 429; res.setHeader('retry-after', '0'); res.setHeader('content-type', 'application/json'); res.end('{"detail":"slow down"}'); return; }
      ok(res, 'req-2');
    });
    const client = createRunClient({ target: 'emulator', proxyUrl: q.url });
    const out = await submitCell(client, 'fal-ai/ltx-video-lora/multiconditioning', { prompt: 'x' }, { baseDelayMs: 1 });
    expect(out).toMatchObject({ ok: true, requestId: 'req-2', attempts: 2, flags: [] });
    expect(q.submits()).toBe(2);
  });

  it('does not let the client retry a lost response by itself, and flags the possible duplicate', async () => {
    const q = await fakeQueue((req, res, n) => {
      if (n === 1) { req.socket.destroy(); return; } // accepted, then the answer is lost
      ok(res, 'req-2');
    });
    const client = createRunClient({ target: 'emulator', proxyUrl: q.url });
    const out = await submitCell(client, 'fal-ai/ltx-video-lora/multiconditioning', { prompt: 'x' }, { baseDelayMs: 1 });
    // Our loop made the second attempt (attempts 2), not the client's hidden retry.
    expect(out).toMatchObject({ ok: true, requestId: 'req-2', attempts: 2 });
    // One failed POST then one good one: the client's own 3 silent retries did not happen.
    expect(q.submits()).toBe(2);
    expect(out.flags.join('\n')).toMatch(/may have accepted and billed an extra job/);
  });

  it('records a 422 with fal\'s detail and never retries it', async () => {
    const q = await fakeQueue((_req, res) => {
      res.statusCode = 422;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ detail: [{ loc: ['body', 'num_frames'], msg: 'must be at most 257', type: 'value_error' }] }));
    });
    const client = createRunClient({ target: 'emulator', proxyUrl: q.url });
    const out = await submitCell(client, 'fal-ai/ltx-video-lora/multiconditioning', { num_frames: 999 }, { baseDelayMs: 1 });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error).toMatchObject({ kind: 'validation', status: 422, message: 'num_frames: must be at most 257' });
    }
    expect(q.submits()).toBe(1);
  });

  it('gives up after maxAttempts on a persistent 503 without duplicate jobs', async () => {
    const q = await fakeQueue((_req, res) => { res.statusCode = 503; res.end('busy'); });
    const client = createRunClient({ target: 'emulator', proxyUrl: q.url });
    const out = await submitCell(client, 'fal-ai/ltx-video-lora/multiconditioning', { prompt: 'x' }, { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 });
    expect(out).toMatchObject({ ok: false, attempts: 3, error: { kind: 'http', status: 503 } });
    expect(q.submits()).toBe(3);
  });
});

describe('messageOf (what a failed cell says)', () => {
  it.each([
    [{ detail: [{ loc: ['body', 'num_frames'], msg: 'ensure this value is <= 257', type: 'value_error' }] }, 'num_frames: ensure this value is <= 257'],
    [{ detail: [{ loc: ['body'], msg: 'Unexpected error during generation', type: 'internal_server_error' }] }, 'Unexpected error during generation'],
    [{ detail: 'Request was cancelled' }, 'Request was cancelled'],
    [{ error: 'runner crashed' }, 'runner crashed'],
  ])('%j -> %s', (body, expected) => {
    expect(messageOf(body)).toBe(expected);
  });
});
