// The plain @fal-ai/client against the in-process emulator, no shotlist code in between: what a
// user of the real client would see.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, ValidationError } from '@fal-ai/client';
import type { EmulatorHandle } from '../../src/types.js';
import { inputHash } from '../../src/emulator/index.js';
import { client, emulator, ltxvInput, LTX23, LTXV } from './_helpers.js';

let handle: EmulatorHandle | undefined;
afterEach(async () => { await handle?.close(); handle = undefined; });

describe('queue', () => {
  it('subscribe (polling) goes IN_QUEUE/IN_PROGRESS with logs -> COMPLETED and returns a downloadable MP4', async () => {
    handle = await emulator();
    const fal = client(handle);
    const updates: { status: string; logs: number }[] = [];
    const input = ltxvInput('a red kite over the sea', { seed: 7 });
    const res = await fal.subscribe(LTXV, {
      input, logs: true, pollInterval: 20,
      onQueueUpdate: (u) => updates.push({ status: u.status, logs: 'logs' in u && u.logs ? u.logs.length : 0 }),
    });
    expect(updates.at(-1)!.status).toBe('COMPLETED');
    expect(updates.some((u) => u.status === 'IN_PROGRESS' && u.logs > 0)).toBe(true);
    expect(res.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const data = res.data as { video: { url: string; content_type: string; file_name: string; file_size: number }; seed: number; prompt: string };
    expect(data.seed).toBe(7);
    expect(data.prompt).toBe(input.prompt);
    expect(data.video.content_type).toBe('video/mp4');
    expect(data.video.file_name).toMatch(/\.mp4$/);
    const file = await fetch(data.video.url);
    expect(file.status).toBe(200);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(bytes.length).toBe(data.video.file_size);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(handle.stats().submissionsByInput[inputHash(LTXV, input)]).toBe(1);
    expect(handle.stats().completed).toBe(1);
  });

  it('subscribe (streaming) reads the SSE status stream to COMPLETED, LTX-2.3 output has its geometry fields', async () => {
    handle = await emulator({ videoScale: 1 });
    const fal = client(handle);
    const statuses: string[] = [];
    let logs = 0;
    const res = await fal.subscribe(LTX23, {
      mode: 'streaming', logs: true,
      input: { prompt: 'a dancer', video_url: 'https://example.com/ref.mp4', loras: [], num_frames: 241, resolution: 'square', frames_per_second: 24 },
      onQueueUpdate: (u) => { statuses.push(u.status); if ('logs' in u && u.logs) logs = u.logs.length; },
    });
    expect(statuses.at(-1)).toBe('COMPLETED');
    expect(logs).toBeGreaterThan(2);
    expect(handle.stats().requests['stream 200']).toBe(1);
    expect(handle.stats().requests['status 200'] ?? 0).toBe(0);
    const v = (res.data as { video: Record<string, number> }).video;
    // 512x512 is below the 720p class, so 241 frames are not capped (8n+1 already).
    expect([v.width, v.height, v.num_frames, v.fps]).toEqual([512, 512, 241, 24]);
    expect(v.duration).toBeCloseTo(241 / 24, 5);
  });

  it('caps 720p-class LTX-2.3 outputs at 150 frames (snapped to 145) as fal documents', async () => {
    handle = await emulator();
    const res = await client(handle).subscribe(LTX23, { input: { prompt: 'x', video_url: 'https://example.com/a.mp4', loras: [], num_frames: 241 }, pollInterval: 20 });
    const v = (res.data as { video: Record<string, number> }).video;
    expect(v.num_frames).toBe(145);
    // videoScale 0.25 reports the geometry actually encoded.
    expect([v.width, v.height]).toEqual([320, 176]);
  });

  it('queue.submit / status / result / cancel, with and without the endpoint sub-path', async () => {
    // 3 s jobs: `b` must still be queued behind `a` when we look, even on a loaded machine.
    handle = await emulator({ timeScale: 0.01, concurrency: 1, duration: 'fixed:300' });
    const fal = client(handle);
    const a = await fal.queue.submit(LTXV, { input: ltxvInput('first') });
    const b = await fal.queue.submit(LTXV, { input: ltxvInput('second') });
    expect(a.status).toBe('IN_QUEUE');
    const sb = await fal.queue.status(LTXV, { requestId: b.request_id, logs: false });
    expect(sb.status).toBe('IN_QUEUE');
    expect((sb as { queue_position: number }).queue_position).toBe(0);

    // Direct path with the sub-path, as fal's OpenAPI lists it.
    const direct = await fetch(`${handle.url}/${LTXV}/requests/${b.request_id}/status`, { headers: { authorization: 'Key k' } });
    expect(direct.status).toBe(202);
    expect((await direct.json() as { status: string }).status).toBe('IN_QUEUE');

    await fal.queue.cancel(LTXV, { requestId: b.request_id });
    expect(handle.stats().cancels).toBe(1);
    const after = await fal.queue.status(LTXV, { requestId: b.request_id, logs: true });
    expect(after.status).toBe('COMPLETED');
    await expect(fal.queue.result(LTXV, { requestId: b.request_id })).rejects.toMatchObject({ status: 400 });

    await fal.queue.subscribeToStatus(LTXV, { requestId: a.request_id, pollInterval: 20 });
    const ra = await fal.queue.result(LTXV, { requestId: a.request_id });
    expect(ra.requestId).toBe(a.request_id);
    expect((ra.data as { prompt: string }).prompt).toBe('first');
    // Cancelling a finished request: 400 ALREADY_COMPLETED, which the client throws.
    const err = await fal.queue.cancel(LTXV, { requestId: a.request_id }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.body).toEqual({ status: 'ALREADY_COMPLETED' });
    const missing = await fal.queue.status(LTXV, { requestId: 'nope', logs: false }).catch((e) => e);
    expect(missing.status).toBe(404);
  });

  it('runs at most `concurrency` jobs IN_PROGRESS per key; other keys have their own slots', async () => {
    handle = await emulator({ timeScale: 0.005, concurrency: 2 });
    const one = client(handle, 'key-one');
    const jobs = Array.from({ length: 6 }, (_, i) => one.subscribe(LTXV, { input: ltxvInput(`cell ${i}`), pollInterval: 20 }));
    await Promise.all(jobs);
    expect(handle.stats().peakInProgress).toBe(2);
    expect(handle.stats().completed).toBe(6);

    const two = client(handle, 'key-two');
    await Promise.all([
      ...[0, 1, 2].map((i) => one.subscribe(LTXV, { input: ltxvInput(`again ${i}`), pollInterval: 20 })),
      ...[0, 1, 2].map((i) => two.subscribe(LTXV, { input: ltxvInput(`other ${i}`), pollInterval: 20 })),
    ]);
    expect(handle.stats().peakInProgress).toBe(4);
  });

  it('an invalid input surfaces as ValidationError with fal-shaped field errors', async () => {
    handle = await emulator();
    const fal = client(handle);
    const err = await fal.subscribe(LTXV, { input: { prompt: 'x', number_of_frames: 1000, resolution: '4k', colour: 'red' }, pollInterval: 20 }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.status).toBe(422);
    const byField = Object.fromEntries((err as ValidationError).fieldErrors.map((e) => [e.loc.join('.'), e.type]));
    expect(byField).toEqual({ 'body.number_of_frames': 'less_than_equal', 'body.resolution': 'literal_error', 'body.colour': 'extra_forbidden' });
    expect(err.getFieldErrors('number_of_frames')[0].msg).toBe('Input should be less than or equal to 257');
    const missing = await fal.subscribe(LTX23, { input: { prompt: 'x' }, pollInterval: 20 }).catch((e) => e);
    expect(missing.fieldErrors.map((e: { loc: string[] }) => e.loc.join('.')).sort()).toEqual(['body.loras', 'body.video_url']);
    expect(handle.stats().failed).toBe(2);
  });

  it('answers 401 without a key, as fal does', async () => {
    handle = await emulator();
    const err = await client(handle, null).queue.submit(LTXV, { input: ltxvInput('x') }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(handle.stats().requests['submit 401']).toBe(1);
    expect(handle.stats().submissions).toBe(0);
  });

  it('accepts any JSON object for unknown endpoints and returns a generic video', async () => {
    handle = await emulator();
    const res = await client(handle).subscribe('someone/new-model/v2', { input: { prompt: 'p', anything: [1, 2] }, pollInterval: 20 });
    const d = res.data as { video: { url: string; num_frames: number }; prompt: string };
    expect(d.prompt).toBe('p');
    expect(d.video.num_frames).toBe(121);
    expect((await fetch(d.video.url)).status).toBe(200);
  });

  it('different seeds give different videos; the same request gives the same bytes (cached)', async () => {
    handle = await emulator();
    const fal = client(handle);
    const get = async (seed: number) => {
      const r = await fal.subscribe(LTXV, { input: ltxvInput('grid', { seed }), pollInterval: 20 });
      return Buffer.from(await (await fetch((r.data as { video: { url: string } }).video.url)).arrayBuffer());
    };
    const [a, b, a2] = [await get(1), await get(2), await get(1)];
    expect(a.equals(b)).toBe(false);
    expect(a.equals(a2)).toBe(true);
  });

  it('the same request with the same uploaded file gives the same video bytes on two emulators', async () => {
    const videoFrom = async () => {
      const h = await emulator();
      try {
        const fal = client(h);
        const url = await fal.storage.upload(new Blob([Buffer.from('the same keyframe bytes')], { type: 'image/png' }));
        const input = ltxvInput('shard', { seed: 3, images: [{ image_url: url, start_frame_number: 0 }] });
        const r = await fal.subscribe(LTXV, { input, pollInterval: 20 });
        return { url, bytes: Buffer.from(await (await fetch((r.data as { video: { url: string } }).video.url)).arrayBuffer()) };
      } finally {
        await h.close();
      }
    };
    const [a, b] = [await videoFrom(), await videoFrom()];
    expect(a.url).not.toBe(b.url); // upload URLs differ between instances...
    expect(a.bytes.equals(b.bytes)).toBe(true); // ...the picture does not
  });

  it('a sweep over a non-seed field (same seed and prompt) still gives a different video per cell', async () => {
    handle = await emulator();
    const fal = client(handle);
    const get = async (strength: number) => {
      const input = ltxvInput('grid', { seed: 1, loras: [{ path: 'https://example.com/l.safetensors', scale: strength }] });
      const r = await fal.subscribe(LTXV, { input, pollInterval: 20 });
      return Buffer.from(await (await fetch((r.data as { video: { url: string } }).video.url)).arrayBuffer());
    };
    const [a, b] = [await get(0.5), await get(1.0)];
    expect(a.equals(b)).toBe(false);
  });
});

describe('synchronous run', () => {
  it('fal.run (https://fal.run via the proxy) waits for the job and answers its output', async () => {
    handle = await emulator();
    const res = await client(handle).run(LTXV, { input: ltxvInput('sync', { seed: 5 }) });
    expect((res.data as { seed: number }).seed).toBe(5);
    expect(handle.stats().requests['run 200']).toBe(1);
  });
});

describe('media inputs', () => {
  it('a missing emulator file or a broken data URI fails the job with file_download_error; good ones pass', async () => {
    handle = await emulator();
    const fal = client(handle);
    const url = await fal.storage.upload(new Blob([Buffer.from('not really a png')], { type: 'image/png' }));
    const ok = await fal.subscribe(LTXV, { input: ltxvInput('ok', { images: [{ image_url: url, start_frame_number: 0 }, { image_url: 'data:image/png;base64,iVBORw0KGgo=', start_frame_number: 8 }] }), pollInterval: 20 });
    expect((ok.data as { prompt: string }).prompt).toBe('ok');

    const missing = await fal.subscribe(LTXV, { input: ltxvInput('missing', { images: [{ image_url: `${handle.url}/files/nope/x.png` }] }), pollInterval: 20 }).catch((e) => e);
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing.fieldErrors[0]).toMatchObject({ loc: ['body', 'images', 0, 'image_url'], type: 'file_download_error' });

    const badData = await fal.subscribe(LTXV, { input: ltxvInput('bad', { loras: [{ path: 'data:application/octet-stream;base64,@@@' }] }), pollInterval: 20 }).catch((e) => e);
    expect(badData.fieldErrors[0]).toMatchObject({ loc: ['body', 'loras', 0, 'path'], type: 'file_download_error' });
  });
});

describe('storage', () => {
  it('storage.upload of a small file: served back from file_url with its content type', async () => {
    handle = await emulator();
    const url = await client(handle).storage.upload(new Blob(['hello, emulator'], { type: 'text/plain' }));
    expect(url.startsWith(handle.url + '/files/')).toBe(true);
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('hello, emulator');
    expect(handle.stats().uploads).toBe(1);
    expect(handle.stats().requests['initiate 200']).toBe(1);
  });

  it('storage.upload of a >90 MB file goes multipart (10 MB parts) and comes back byte for byte', async () => {
    handle = await emulator();
    const size = 95 * 1024 * 1024 + 12345;
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) bytes.writeUInt32LE(i, i);
    const url = await client(handle).storage.upload(new Blob([bytes], { type: 'video/mp4' }));
    const s = handle.stats();
    expect(s.requests['initiate-multipart 200']).toBe(1);
    expect(s.requests['upload-part 200']).toBe(10);
    expect(s.requests['upload-complete 200']).toBe(1);
    const back = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(back.length).toBe(size);
    expect(back.equals(bytes)).toBe(true);
  }, 120_000);
});
