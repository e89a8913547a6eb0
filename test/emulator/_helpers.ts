import { createFalClient } from '@fal-ai/client';
import { startEmulator } from '../../src/emulator/index.js';
import type { EmulatorHandle, EmulatorOptions } from '../../src/types.js';

export const LTXV = 'fal-ai/ltx-video-lora/multiconditioning';
export const LTX23 = 'fal-ai/ltx-2.3-quality/reference-video-to-video/lora';

/** Quick by default: durations in milliseconds, outputs at a quarter of the real size. */
export async function emulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ timeScale: 0.001, videoScale: 0.25, ...opts });
}

/** The plain client, configured exactly as the run engine does. */
export function client(handle: EmulatorHandle, key: string | null = 'test-key') {
  return createFalClient({ credentials: key ?? undefined, proxyUrl: { url: handle.proxyUrl, when: 'always' }, suppressLocalCredentialsWarning: true });
}

/** A small valid input for the LTX-Video multiconditioning endpoint. */
export function ltxvInput(prompt: string, extra: Record<string, unknown> = {}) {
  return { prompt, number_of_frames: 17, resolution: '480p', aspect_ratio: '16:9', ...extra };
}
