// Every random choice derives from the manifest seed, so a plan is a pure function of the file.
import { createHash } from 'node:crypto';

/** A 31-bit seed derived from the manifest seed and a purpose (fits every fal seed field). */
export function deriveSeed(manifestSeed: number, ...parts: (string | number)[]): number {
  const h = createHash('sha256').update(`shotlist-seed\0${manifestSeed}\0${parts.join('\0')}`).digest();
  return h.readUInt32BE(0) & 0x7fffffff;
}

/** mulberry32: small, fast, good enough for choosing which cells to sample. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct indices in [0, total), ascending, without materialising the range
 * (Floyd's algorithm: O(count) time and memory however large `total` is).
 */
export function sampleIndices(total: number, count: number, random: () => number): number[] {
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = total - count; j < total; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}
