// The log-normal duration model (benchmarks) and the job timings route they read.
import { describe, expect, it } from 'vitest';
import { createFalClient } from '@fal-ai/client';
import { startEmulator, parseDurationModel } from '../../src/emulator/index.js';
import { jobMillis } from '../../src/emulator/duration.js';

const video = { width: 64, height: 64, numFrames: 9, fps: 24 };

describe('lognormal duration model', () => {
  it('parses and rejects', () => {
    expect(parseDurationModel('lognormal:1.5:0.6')).toEqual({ kind: 'lognormal', median: 1.5, sigma: 0.6 });
    expect(() => parseDurationModel('lognormal:1')).toThrow(/lognormal:<median seconds>:<sigma>/);
  });

  it('is keyed on the input, not the request id, and is skewed around its median', () => {
    const m = parseDurationModel('lognormal:1:0.6');
    expect(jobMillis(m, video, 3, 'req-a', 'input-1')).toBe(jobMillis(m, video, 3, 'req-b', 'input-1'));
    const xs = Array.from({ length: 2000 }, (_, i) => jobMillis(m, video, 3, 'r', `in-${i}`)).sort((a, b) => a - b);
    const median = xs[1000]!;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(median).toBeGreaterThan(900);
    expect(median).toBeLessThan(1100);
    expect(mean).toBeGreaterThan(median * 1.1); // right-skewed: exp(sigma^2/2) = 1.197
    expect(xs[1999]! / median).toBeGreaterThan(4);
  });
});

describe('GET /_emulator/jobs', () => {
  it('lists each job with its planned and observed times', async () => {
    const emu = await startEmulator({ concurrency: 4, timeScale: 0.02, duration: 'lognormal:1:0.5', videoScale: 0.1 });
    try {
      const fal = createFalClient({ credentials: 'k', proxyUrl: { url: emu.proxyUrl, when: 'always' } } as never);
      const endpoint = 'fal-ai/ltx-video-lora/multiconditioning';
      const input = { prompt: 'a kite', number_of_frames: 9, resolution: '480p', seed: 5 };
      const { request_id } = await fal.queue.submit(endpoint, { input });
      await fal.queue.subscribeToStatus(endpoint, { requestId: request_id, mode: 'streaming' } as never);
      const body = (await (await fetch(`${emu.url}/_emulator/jobs`)).json()) as { jobs: Record<string, unknown>[] };
      expect(body.jobs).toHaveLength(1);
      const j = body.jobs[0]!;
      expect(j.requestId).toBe(request_id);
      expect(j.completedAt as number).toBeGreaterThanOrEqual(j.startedAt as number);
      expect(j.plannedMs as number).toBeGreaterThan(0);
      expect((j.completedAt as number) - (j.startedAt as number)).toBeGreaterThanOrEqual(Math.floor(j.plannedMs as number) - 1);
    } finally {
      await emu.close();
    }
  });
});
