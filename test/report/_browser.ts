// Shared browser setup for report tests: Debian's Chromium via playwright-core, real MP4s.
import { existsSync } from 'node:fs';
import HME from 'h264-mp4-encoder';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}; the HTML report tests need it: run \`apt-get install -y chromium\` (as root), then re-run the tests`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A small real H.264 MP4 (64x64, 48 frames at 24 fps: 2 s) in a colour of its own. */
export async function makeMp4(shade: number): Promise<Uint8Array> {
  const enc = await HME.createH264MP4Encoder();
  enc.width = 64;
  enc.height = 64;
  enc.frameRate = 24;
  enc.initialize();
  const frame = new Uint8Array(64 * 64 * 4);
  for (let f = 0; f < 48; f++) {
    for (let i = 0; i < frame.length; i += 4) {
      frame[i] = shade % 256;
      frame[i + 1] = (f * 5) % 256;
      frame[i + 2] = 255 - (shade % 256);
    }
    enc.addFrameRgba(frame);
  }
  enc.finalize();
  const bytes = enc.FS.readFile(enc.outputFilename);
  enc.delete();
  return bytes;
}
