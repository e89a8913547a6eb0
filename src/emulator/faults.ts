// Fault injection: which request fails, and how. Every decision hashes the emulator seed, the
// route, the identity of what is being asked for (canonical input, request id, file) and how many
// times that identity was asked for on that route, so the same run with the same seed fails the
// same requests however concurrent requests interleave. Spec grammar: docs/emulator.md.
import { createHash } from 'node:crypto';

export type FaultKind = '429' | '500' | '502' | '503' | 'reset' | 'fail' | 'lost-submit' | 'slow' | 'truncate';

export const FAULT_KINDS: readonly FaultKind[] = ['429', '500', '502', '503', 'reset', 'fail', 'lost-submit', 'slow', 'truncate'];

/** The faults each kind of route can suffer (`fail` is decided per job, `expire` by time). */
export const API_FAULTS: readonly FaultKind[] = ['429', '500', '502', '503', 'reset'];
export const SUBMIT_FAULTS: readonly FaultKind[] = [...API_FAULTS, 'lost-submit'];
export const UPLOAD_FAULTS: readonly FaultKind[] = ['500', '502', '503', 'reset'];
export const DOWNLOAD_FAULTS: readonly FaultKind[] = ['500', '502', '503', 'reset', 'slow', 'truncate'];

export interface FaultSpec {
  rates: Partial<Record<FaultKind, number>>;
  /** Results expire this long after completion (fal keeps them about an hour). */
  expireMs?: number;
  /** How long a `slow` download takes in total (real milliseconds; not time-scaled). */
  slowMs: number;
  /** Seconds sent in `Retry-After` with an injected 429. */
  retryAfterS: number;
}

/** Parses `429=0.05,5xx=0.02,reset=0.01,fail=0.05,lost-submit=0.02,slow=0.1,truncate=0.02,expire=60s`. */
export function parseFaults(spec: string | undefined): FaultSpec {
  const out: FaultSpec = { rates: {}, slowMs: 3000, retryAfterS: 1 };
  if (!spec || !spec.trim()) return out;
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`fault \`${part}\` has no value; write it as \`${part}=0.05\``);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 'expire') { out.expireMs = parseDuration(value, 'expire'); continue; }
    if (name === 'slow-for') { out.slowMs = parseDuration(value, 'slow-for'); continue; }
    if (name === 'retry-after') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new Error(`retry-after \`${value}\` must be whole seconds, e.g. \`retry-after=2\``);
      out.retryAfterS = n;
      continue;
    }
    const rate = Number(value);
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new Error(`fault rate \`${name}=${value}\` must be a number from 0 to 1, e.g. \`${name}=0.05\``);
    }
    if (name === '5xx') {
      // Spread evenly so `5xx=0.03` means 3 % of requests get one of 500/502/503.
      for (const k of ['500', '502', '503'] as const) out.rates[k] = (out.rates[k] ?? 0) + rate / 3;
    } else if ((FAULT_KINDS as readonly string[]).includes(name)) {
      out.rates[name as FaultKind] = rate;
    } else {
      throw new Error(`unknown fault \`${name}\`; known: ${[...FAULT_KINDS, '5xx', 'expire', 'slow-for', 'retry-after'].join(', ')}`);
    }
  }
  return out;
}

/** `60s`, `500ms`, `2m`, `1h`, or a bare number of seconds. */
export function parseDuration(value: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new Error(`${what} \`${value}\` is not a duration; write e.g. \`60s\`, \`500ms\`, \`2m\``);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

/** A uniform number in [0, 1) from the hash of its parts. */
export function hashUnit(...parts: (string | number)[]): number {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

export class FaultPlan {
  private readonly attempts = new Map<string, number>();

  constructor(readonly spec: FaultSpec, private readonly seed: number) {}

  get enabled(): boolean {
    return Object.values(this.spec.rates).some((r) => (r ?? 0) > 0);
  }

  /**
   * The fault to inject for this attempt, if any, among `kinds` (the ones that make sense on the
   * route). One draw per attempt, compared against the cumulative rates, so each kind's rate is
   * exactly its share of attempts.
   */
  decide(route: string, identity: string, kinds: readonly FaultKind[]): FaultKind | undefined {
    if (!this.enabled) return undefined;
    const key = `${route}\u0000${identity}`;
    const n = this.attempts.get(key) ?? 0;
    this.attempts.set(key, n + 1);
    const u = hashUnit(this.seed, route, identity, n);
    let acc = 0;
    for (const kind of kinds) {
      acc += this.spec.rates[kind] ?? 0;
      if (u < acc) return kind;
    }
    return undefined;
  }

  /** A per-job decision that is not tied to a request attempt (e.g. `fail`). */
  decideOnce(kind: FaultKind, identity: string): boolean {
    const rate = this.spec.rates[kind] ?? 0;
    return rate > 0 && hashUnit(this.seed, kind, identity) < rate;
  }
}
