// Each fault kind as the plain @fal-ai/client (or a plain fetch, for downloads) observes it, and
// fault decisions that do not depend on how concurrent requests interleave.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '@fal-ai/client';
import type { EmulatorHandle } from '../../src/types.js';
import { FaultPlan, inputHash, parseFaults, SUBMIT_FAULTS, type FaultKind } from '../../src/emulator/index.js';
import { client, emulator, ltxvInput, LTXV } from './_helpers.js';

let handle: EmulatorHandle | undefined;
afterEach(async () => { await handle?.close(); handle = undefined; });

/**
 * An input whose submit attempts meet exactly `want` (attempt 0, 1, ...) under this spec and seed,
 * found with the emulator's own decision function, so a test can stage "first attempt lost,
 * retry succeeds" without depending on luck.
 */
function inputWhere(spec: string, seed: number, want: (FaultKind | undefined)[]) {
  const plan = () => new FaultPlan(parseFaults(spec), seed);
  for (let i = 0; i < 10_000; i++) {
    const input = ltxvInput(`probe ${i}`);
    const p = plan();
    const hash = inputHash(LTXV, input);
    if (want.every((w) => p.decide('submit', hash, SUBMIT_FAULTS) === w)) return input;
  }
  throw new Error('no input found');
}

describe('parseFaults', () => {
  it.each([
    ['429=0.05', { '429': 0.05 }],
    ['5xx=0.03', { '500': 0.01, '502': 0.01, '503': 0.01 }],
    ['reset=0.1, fail=0.2,lost-submit=0.02', { reset: 0.1, fail: 0.2, 'lost-submit': 0.02 }],
  ])('%s', (spec, rates) => {
    const got = parseFaults(spec).rates as Record<string, number>;
    for (const [k, v] of Object.entries(rates)) expect(got[k]).toBeCloseTo(v, 10);
  });

  it('reads expire, slow-for and retry-after durations', () => {
    expect(parseFaults('expire=60s,slow-for=500ms,retry-after=3')).toMatchObject({ expireMs: 60_000, slowMs: 500, retryAfterS: 3 });
    expect(parseFaults('expire=2m').expireMs).toBe(120_000);
  });

  it.each([
    ['teapot=0.1', /unknown fault `teapot`/],
    ['429=2', /from 0 to 1/],
    ['429', /has no value/],
    ['expire=soon', /not a duration/],
  ])('rejects %s with a message that says the fix', (spec, msg) => {
    expect(() => parseFaults(spec)).toThrow(msg);
  });
});

describe('fault kinds as the client sees them', () => {
  it('429 with Retry-After: the client backs off, retries and succeeds', async () => {
    const spec = '429=0.5';
    const input = inputWhere(spec, 1, ['429', undefined]);
    handle = await emulator({ faults: spec, seed: 1 });
    const raw = await fetch(`${handle.url}/${LTXV}`, { method: 'POST', headers: { authorization: 'Key k', 'content-type': 'application/json' }, body: JSON.stringify(input) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    await handle.close();

    handle = await emulator({ faults: spec, seed: 1 });
    const res = await client(handle).queue.submit(LTXV, { input });
    expect(res.request_id).toBeTruthy();
    const s = handle.stats();
    expect(s.requests['submit 429']).toBe(1);
    expect(s.requests['submit 200']).toBe(1);
    expect(s.faults['429']).toBe(1);
    expect(s.submissionsByInput[inputHash(LTXV, input)]).toBe(1);
  });

  it('500 on submit is not retried by the client: ApiError 500 with error_type', async () => {
    handle = await emulator({ faults: '500=1' });
    const err = await client(handle).queue.submit(LTXV, { input: ltxvInput('x') }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(500);
    expect(err.body.error_type).toBe('internal_server_error');
    expect(handle.stats().submissions).toBe(0);
  });

  it.each(['502', '503'] as const)('%s on submit: the client retries and the job is created once', async (code) => {
    const spec = `${code}=0.5`;
    const input = inputWhere(spec, 2, [code, undefined]);
    handle = await emulator({ faults: spec, seed: 2 });
    await client(handle).queue.submit(LTXV, { input });
    const s = handle.stats();
    expect(s.requests[`submit ${code}`]).toBe(1);
    expect(s.faults[code]).toBe(1);
    expect(s.submissionsByInput[inputHash(LTXV, input)]).toBe(1);
  });

  it('5xx on status polls: subscribe retries through them and completes', async () => {
    handle = await emulator({ faults: '5xx=0.3', seed: 5, timeScale: 0.01 });
    const fal = client(handle);
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) =>
      fal.subscribe(LTXV, { input: ltxvInput(`poll ${i}`), pollInterval: 20 }).then(() => 'ok', (e) => `error ${e.status}`)));
    const s = handle.stats();
    const statusFaults = ['500', '502', '503'].reduce((n, c) => n + (s.requests[`status ${c}`] ?? 0), 0);
    expect(statusFaults).toBeGreaterThan(0);
    // The client retries status polls (500 included), so the only failures a user can see are the
    // 500s on submit and result, which the client does not retry.
    for (const r of results) expect(['ok', 'error 500']).toContain(r);
    expect(results.filter((r) => r === 'ok').length).toBe(s.requests['result 200'] ?? 0);
    expect(results.filter((r) => r === 'ok').length).toBeGreaterThan(0);
  });

  it('reset: the connection drops before the job exists; the client retries and one job is created', async () => {
    const spec = 'reset=0.5';
    const input = inputWhere(spec, 3, ['reset', undefined]);
    handle = await emulator({ faults: spec, seed: 3 });
    const r = await client(handle).queue.submit(LTXV, { input });
    expect(r.request_id).toBeTruthy();
    const s = handle.stats();
    expect(s.requests['submit reset']).toBe(1);
    expect(s.submissionsByInput[inputHash(LTXV, input)]).toBe(1);
  });

  it('lost-submit: the job is created but the response is lost; the retry creates a second job', async () => {
    const spec = 'lost-submit=0.5';
    const input = inputWhere(spec, 4, ['lost-submit', undefined]);
    handle = await emulator({ faults: spec, seed: 4 });
    const res = await client(handle).subscribe(LTXV, { input, pollInterval: 20 });
    expect((res.data as { prompt: string }).prompt).toBe(input.prompt);
    const s = handle.stats();
    expect(s.faults['lost-submit']).toBe(1);
    expect(s.submissions).toBe(2);
    expect(s.submissionsByInput[inputHash(LTXV, input)]).toBe(2);
  });

  it('fail: the job reports COMPLETED and the result call throws fal\'s error shape', async () => {
    handle = await emulator({ faults: 'fail=1' });
    const fal = client(handle);
    const { request_id } = await fal.queue.submit(LTXV, { input: ltxvInput('doomed') });
    const st = await fal.queue.subscribeToStatus(LTXV, { requestId: request_id, pollInterval: 20 });
    expect(st.status).toBe('COMPLETED');
    const err = await fal.queue.result(LTXV, { requestId: request_id }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(500);
    expect(err.body.detail[0].type).toBe('internal_server_error');
    expect(handle.stats().failed).toBe(1);
  });

  it('slow: the output download takes the configured time and still arrives whole', async () => {
    handle = await emulator({ faults: 'slow=1,slow-for=800ms' });
    const res = await client(handle).subscribe(LTXV, { input: ltxvInput('slow one'), pollInterval: 20 });
    const v = (res.data as { video: { url: string; file_size: number } }).video;
    const t0 = Date.now();
    const bytes = await (await fetch(v.url)).arrayBuffer();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(bytes.byteLength).toBe(v.file_size);
    expect(handle.stats().faults.slow).toBe(1);
  });

  it('truncate: the download announces the full length and stops halfway; fetch fails reading the body', async () => {
    handle = await emulator({ faults: 'truncate=1' });
    const res = await client(handle).subscribe(LTXV, { input: ltxvInput('cut'), pollInterval: 20 });
    const v = (res.data as { video: { url: string; file_size: number } }).video;
    const r = await fetch(v.url);
    expect(Number(r.headers.get('content-length'))).toBe(v.file_size);
    await expect(r.arrayBuffer()).rejects.toThrow();
    expect(handle.stats().faults.truncate).toBe(1);
  });

  it('expire: results are gone after the retention time (404), and counted', async () => {
    handle = await emulator({ faults: 'expire=300ms' });
    const fal = client(handle);
    const res = await fal.subscribe(LTXV, { input: ltxvInput('fleeting'), pollInterval: 20 });
    await new Promise((r) => setTimeout(r, 400));
    const err = await fal.queue.result(LTXV, { requestId: res.requestId }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(404);
    expect(handle.stats().expired).toBe(1);
  });
});

describe('determinism', () => {
  it('the same seed fails the same requests whatever order they arrive in', async () => {
    const spec = '429=0.2,5xx=0.2,reset=0.1';
    const inputs = Array.from({ length: 16 }, (_, i) => ltxvInput(`order ${i}`));
    const run = async (order: number[]) => {
      const h = await emulator({ faults: spec, seed: 9 });
      const outcome: Record<number, string> = {};
      await Promise.all(order.map(async (i) => {
        try {
          const r = await fetch(`${h.url}/${LTXV}`, { method: 'POST', headers: { authorization: 'Key k' }, body: JSON.stringify(inputs[i]) });
          outcome[i] = String(r.status);
        } catch { outcome[i] = 'reset'; }
      }));
      await h.close();
      return outcome;
    };
    const forward = await run(inputs.map((_, i) => i));
    const backward = await run(inputs.map((_, i) => inputs.length - 1 - i));
    expect(backward).toEqual(forward);
    expect(Object.values(forward).some((o) => o !== '200')).toBe(true);
    expect(Object.values(forward).some((o) => o === '200')).toBe(true);
  });

  it('jobs whose inputs carry uploaded files fail the same way on another emulator with the same seed', async () => {
    // Upload URLs are random per instance; what fails must depend on the files' content only.
    const failedCells = async () => {
      const h = await emulator({ faults: 'fail=0.5,429=0.3,retry-after=0', seed: 4 });
      try {
        const fal = client(h);
        const image = await fal.storage.upload(new Blob([Buffer.from('keyframe')], { type: 'image/png' }));
        const outcomes = await Promise.all(Array.from({ length: 12 }, async (_, i) => {
          const input = ltxvInput(`cell ${i}`, { images: [{ image_url: image, start_frame_number: 0 }] });
          return fal.subscribe(LTXV, { input, pollInterval: 10 }).then(() => 'ok', () => 'failed');
        }));
        // How many status polls a job gets depends on timing; submits do not.
        return { image, outcomes, submit429: h.stats().requests['submit 429'] ?? 0 };
      } finally {
        await h.close();
      }
    };
    const [a, b] = [await failedCells(), await failedCells()];
    expect(a.image).not.toBe(b.image);
    expect(b.outcomes).toEqual(a.outcomes);
    expect(b.submit429).toBe(a.submit429); // submit-route faults too
    expect(a.submit429).toBeGreaterThan(0);
    expect(a.outcomes).toContain('failed');
    expect(a.outcomes).toContain('ok');
  });
});
