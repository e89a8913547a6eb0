// An emulator output plays in Debian's headless Chromium with the geometry and duration the
// endpoint would return: the MP4s are real H.264, not placeholders.
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import type { EmulatorHandle } from '../../src/types.js';
import { expectedVideo } from '../../src/endpoints/registry.js';
import { client, emulator, ltxvInput, LTXV } from './_helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, '..', 'artifacts');
let handle: EmulatorHandle | undefined;
afterAll(async () => { await handle?.close(); });

describe('emulator output in Chromium', () => {
  it('plays in a <video> with the expected videoWidth, videoHeight and duration', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
    handle = await emulator({ videoScale: 1 });
    const input = ltxvInput('a lighthouse at dusk', { seed: 11, number_of_frames: 49 });
    const res = await client(handle).subscribe(LTXV, { input, pollInterval: 20 });
    const url = (res.data as { video: { url: string } }).video.url;
    const want = expectedVideo(LTXV, input);
    expect([want.width, want.height, want.numFrames, want.fps]).toEqual([832, 480, 49, 25]);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 520 } });
      await page.setContent(`<body style="margin:0;background:#000"><video id="v" src="${url}" muted playsinline></video></body>`);
      const info = await page.evaluate(async () => {
        const v = document.getElementById('v') as HTMLVideoElement;
        if (v.readyState < 1) await new Promise((r, j) => { v.onloadedmetadata = r; v.onerror = () => j(new Error(`video error ${v.error?.code}`)); });
        await v.play();
        await new Promise((r) => setTimeout(r, 600));
        const playedTo = v.currentTime;
        v.pause();
        v.currentTime = v.duration / 2;
        await new Promise((r) => { v.onseeked = r; });
        return { width: v.videoWidth, height: v.videoHeight, duration: v.duration, playedTo, error: v.error?.code ?? null };
      });
      expect(info.error).toBeNull();
      expect(info.width).toBe(want.width);
      expect(info.height).toBe(want.height);
      expect(info.duration).toBeCloseTo(want.numFrames / want.fps, 1);
      expect(info.playedTo).toBeGreaterThan(0.2);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'emulator-output.png') });
    } finally {
      await browser.close();
    }
  });
});
