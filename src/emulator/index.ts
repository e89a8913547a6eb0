// The local fal emulator: queue + storage + files on 127.0.0.1. docs/emulator.md.
import type { EmulatorHandle, EmulatorOptions } from '../types.js';
import { Emulator } from './emulator.js';

export { parseFaults, FaultPlan, SUBMIT_FAULTS, API_FAULTS, UPLOAD_FAULTS, DOWNLOAD_FAULTS } from './faults.js';
export type { FaultKind, FaultSpec } from './faults.js';
export { parseDurationModel, DEFAULT_DURATION } from './duration.js';
export { inputHash } from './emulator.js';

/** Starts the emulator; point the client at `handle.proxyUrl` with `proxyUrl: {url, when: 'always'}`. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const emulator = new Emulator(opts);
  await emulator.start();
  let closing: Promise<void> | undefined;
  return {
    url: emulator.url,
    proxyUrl: emulator.url,
    stats: () => emulator.snapshot(),
    close: () => (closing ??= emulator.close()),
  };
}
