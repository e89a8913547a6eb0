// What came back is probed (mediabunny) and compared with what was asked for: fal's 150-frame cap
// on 720p-class LTX-2.3 outputs is flagged on the cell, not hidden.
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { makeProject, readLock, runCli, ROOT, startEmulatorProcess } from './_helpers.js';

it('flags a frame count capped by fal and a size that differs from the request, from the probed file', async () => {
  // --video-scale 0.1 keeps the encode small: the emulator returns 128x70 for 1280x704.
  const emu = await startEmulatorProcess(['--time-scale', '0.001', '--video-scale', '0.1']);
  const p = makeProject();
  try {
    copyFileSync(join(ROOT, 'manifests', 'media', 'reference.mp4'), join(p.dir, 'reference.mp4'));
    copyFileSync(join(ROOT, 'manifests', 'media', 'style.safetensors'), join(p.dir, 'style.safetensors'));
    writeFileSync(p.manifest, `version: 1
name: dancer
endpoint: fal-ai/ltx-2.3-quality/reference-video-to-video/lora
shots:
  - id: long
    prompt: a long take
    video: reference.mp4
    loras:
      - { path: style.safetensors, scale: 0.8 }
    input:
      resolution: { width: 1280, height: 704 }
      num_frames: 241
      generate_audio: false
`);
    const r = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet'], { cwd: p.dir });
    expect(r.code).toBe(0);
    const [cell] = Object.values(readLock(p).cells);
    expect(cell.status).toBe('succeeded');
    expect(cell.output!.meta).toMatchObject({ numFrames: 145, width: 128, height: 70, fps: 24, codec: 'avc' });
    expect(cell.flags).toEqual(['frames: requested 241, got 145 (fal caps 720p-class at 150)', 'size: expected 1280x704, got 128x70']);
    // Both local files are in the lockfile as path + sha256.
    expect(cell.input.video_url).toMatchObject({ path: 'reference.mp4' });
    expect((cell.input.loras as { path: { path: string } }[])[0].path).toMatchObject({ path: 'style.safetensors' });
  } finally {
    p.cleanup();
    await emu.stop();
  }
}, 30_000);
