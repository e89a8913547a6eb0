// How long a simulated job runs: `fixed:<seconds>`, `pixels:<seconds per megapixel>` where the
// megapixels are width x height x frames / 10^6 (fal bills LTX-2.3 on the same product), or
// `lognormal:<median seconds>:<sigma>` (a skewed spread, for scheduling benchmarks). Fixed and
// pixels get a deterministic +-20 % jitter per request so a sweep does not finish in lockstep;
// log-normal draws are keyed on the input, so the same cells take the same time in every run
// and from every client (bench/ compares shotlist and a plain script on identical work).
import type { ExpectedVideo } from '../types.js';
import { hashUnit } from './faults.js';

export type DurationModel =
  | { kind: 'fixed'; seconds: number }
  | { kind: 'pixels'; secondsPerMp: number }
  | { kind: 'lognormal'; median: number; sigma: number };

/** ~27 s for a 1280x704x121 clip, about what LTX-2.3 quality takes on fal. */
export const DEFAULT_DURATION = 'pixels:0.25';

export function parseDurationModel(spec: string | undefined): DurationModel {
  const s = (spec ?? DEFAULT_DURATION).trim();
  const ln = /^lognormal:(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(s);
  if (ln) return { kind: 'lognormal', median: Number(ln[1]), sigma: Number(ln[2]) };
  const m = /^(fixed|pixels):(\d+(?:\.\d+)?)$/.exec(s);
  if (!m) throw new Error(`duration model \`${s}\` is not \`fixed:<seconds>\`, \`pixels:<seconds per megapixel>\` or \`lognormal:<median seconds>:<sigma>\` (e.g. \`fixed:30\`, \`pixels:0.25\`, \`lognormal:1:0.6\`)`);
  const n = Number(m[2]);
  return m[1] === 'fixed' ? { kind: 'fixed', seconds: n } : { kind: 'pixels', secondsPerMp: n };
}

/** Simulated run time in milliseconds, before the time scale. `inputKey` keys log-normal draws. */
export function jobMillis(model: DurationModel, video: ExpectedVideo, seed: number, requestId: string, inputKey = requestId): number {
  if (model.kind === 'lognormal') {
    // Box-Muller on two hash-derived uniforms: exp(sigma * z) with z ~ N(0, 1).
    const u1 = Math.max(hashUnit(seed, 'duration-u1', inputKey), 1e-12);
    const u2 = hashUnit(seed, 'duration-u2', inputKey);
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return model.median * Math.exp(model.sigma * z) * 1000;
  }
  const base = model.kind === 'fixed' ? model.seconds : (video.width * video.height * video.numFrames / 1e6) * model.secondsPerMp;
  const jitter = 0.8 + 0.4 * hashUnit(seed, 'duration', requestId);
  return base * 1000 * jitter;
}
