// A shot's sweep as a product of factors: the shot's matrix and zip, the manifest's matrix and
// zip, then seeds. Each factor is a list of alternatives; the product is indexed lazily (mixed
// radix, first factor slowest), so `sample` can draw from a huge product without building it.
import type { Json, JsonObject } from '../types.js';
import type { Manifest, Shot, Sweep } from '../manifest/index.js';
import { expandMatrix, matrixAxes, type Assignment } from './matrix.js';
import { deriveSeed } from './seeds.js';

export type Factor = Assignment[][];

/** Above this many raw combinations a matrix with include/exclude is refused before expansion. */
export const MAX_MATERIALISED = 1_000_000;

function esc(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

function sweepFactors(s: Sweep | undefined, base: string): Factor[] {
  if (!s) return [];
  const out: Factor[] = [];
  const matrix = s.matrix as JsonObject | undefined;
  if (matrix) {
    if (matrix.include || matrix.exclude) out.push(expandMatrix(matrix, `${base}/matrix`));
    else for (const axis of matrixAxes(matrix)) {
      out.push((matrix[axis] as Json[]).map((value, i) => [{ key: axis, value, src: `${base}/matrix/${esc(axis)}/${i}` }]));
    }
  }
  if (s.zip) {
    const keys = Object.keys(s.zip);
    const n = keys.length ? s.zip[keys[0]].length : 0;
    out.push(Array.from({ length: n }, (_, i) => keys.map((k) => ({ key: k, value: s.zip![k][i], src: `${base}/zip/${esc(k)}/${i}` }))));
  }
  return out;
}

function seedFactor(seeds: number | number[], base: string, manifestSeed: number): Factor {
  if (Array.isArray(seeds)) return seeds.map((value, i) => [{ key: 'seed', value, src: `${base}/seeds/${i}` }]);
  // A count: the same seeds for every shot, so shots stay comparable seed by seed.
  return Array.from({ length: seeds }, (_, i) => [{ key: 'seed', value: deriveSeed(manifestSeed, 'seeds', i), src: `${base}/seeds` }]);
}

export interface ShotSweep {
  factors: Factor[];
  /** Size of the full product. */
  total: number;
  /** `sample` in force for this shot and where it was written. */
  sample?: { n: number; src: string };
}

export function shotSweep(m: Manifest, shot: Shot, shotIndex: number, manifestSweepFactors: Factor[]): ShotSweep {
  const base = `/shots/${shotIndex}/sweep`;
  const factors = [...sweepFactors(shot.sweep, base), ...manifestSweepFactors];
  const seeds = shot.sweep?.seeds !== undefined ? { v: shot.sweep.seeds, at: base } : m.sweep?.seeds !== undefined ? { v: m.sweep.seeds, at: '/sweep' } : undefined;
  if (seeds) factors.push(seedFactor(seeds.v, seeds.at, typeof m.seed === 'number' ? m.seed : 0));
  const total = factors.reduce((n, f) => n * f.length, 1);
  const sample = shot.sweep?.sample !== undefined ? { n: shot.sweep.sample, src: `${base}/sample` }
    : m.sweep?.sample !== undefined ? { n: m.sweep.sample, src: '/sweep/sample' } : undefined;
  return { factors, total, sample };
}

export function manifestFactors(m: Manifest): Factor[] {
  return sweepFactors(m.sweep, '/sweep');
}

/** Raw product sizes of include/exclude matrices, which must be built to be expanded. */
export function materialisedMatrices(m: Manifest, skip: ReadonlySet<number> = new Set()): { size: number; src: string }[] {
  const out: { size: number; src: string }[] = [];
  const check = (s: Sweep | undefined, base: string) => {
    const matrix = s?.matrix as JsonObject | undefined;
    if (!matrix || !(matrix.include || matrix.exclude)) return;
    const axes = matrixAxes(matrix);
    out.push({ size: axes.reduce((n, k) => n * (matrix[k] as Json[]).length, axes.length ? 1 : 0), src: `${base}/matrix` });
  };
  check(m.sweep, '/sweep');
  m.shots.forEach((s, i) => { if (!skip.has(i)) check(s.sweep, `/shots/${i}/sweep`); });
  return out;
}

/** The combination at a product index: assignments in factor order (later keys win on apply). */
export function combinationAt(factors: Factor[], index: number): Assignment[] {
  const out: Assignment[] = [];
  let rest = index;
  const picks: Assignment[][] = new Array(factors.length);
  for (let f = factors.length - 1; f >= 0; f--) {
    const len = factors[f].length;
    picks[f] = factors[f][rest % len];
    rest = Math.floor(rest / len);
  }
  for (const p of picks) out.push(...p);
  return out;
}
