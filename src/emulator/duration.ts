// How long a simulated job runs: `fixed:<seconds>` or `pixels:<seconds per megapixel>` where the
// megapixels are width x height x frames / 10^6 (fal bills LTX-2.3 on the same product). A
// deterministic +-20 % jitter per request keeps a sweep from finishing in lockstep.
import type { ExpectedVideo } from '../types.js';
import { hashUnit } from './faults.js';

export type DurationModel = { kind: 'fixed'; seconds: number } | { kind: 'pixels'; secondsPerMp: number };

/** ~27 s for a 1280x704x121 clip, about what LTX-2.3 quality takes on fal. */
export const DEFAULT_DURATION = 'pixels:0.25';

export function parseDurationModel(spec: string | undefined): DurationModel {
  const s = (spec ?? DEFAULT_DURATION).trim();
  const m = /^(fixed|pixels):(\d+(?:\.\d+)?)$/.exec(s);
  if (!m) throw new Error(`duration model \`${s}\` is not \`fixed:<seconds>\` or \`pixels:<seconds per megapixel>\` (e.g. \`fixed:30\`, \`pixels:0.25\`)`);
  const n = Number(m[2]);
  return m[1] === 'fixed' ? { kind: 'fixed', seconds: n } : { kind: 'pixels', secondsPerMp: n };
}

/** Simulated run time in milliseconds, before the time scale. */
export function jobMillis(model: DurationModel, video: ExpectedVideo, seed: number, requestId: string): number {
  const base = model.kind === 'fixed' ? model.seconds : (video.width * video.height * video.numFrames / 1e6) * model.secondsPerMp;
  const jitter = 0.8 + 0.4 * hashUnit(seed, 'duration', requestId);
  return base * 1000 * jitter;
}
