// GitHub Actions matrix semantics, exactly (docs: "Using a matrix for your jobs"):
// - the product of the axes, first axis varying slowest;
// - `exclude` first: a combination matching every key/value of an entry is dropped (partial match);
// - then each `include` entry is merged into every original combination where it overwrites no
//   original axis value (values added by earlier includes may be overwritten); an entry that fits
//   no combination becomes a new combination of its own (later includes never merge into it);
// - a matrix with only `include` runs just those entries.
import type { Json, JsonObject } from '../types.js';
import { stableStringify } from '../util/stableJson.js';

/** One swept value and the manifest node that produced it (JSON pointer), for diagnostics. */
export interface Assignment { key: string; value: Json; src: string }

function same(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return stableStringify(a) === stableStringify(b);
}

export function matrixAxes(matrix: JsonObject): string[] {
  return Object.keys(matrix).filter((k) => k !== 'include' && k !== 'exclude');
}

export function matrixProductSize(matrix: JsonObject): number {
  const axes = matrixAxes(matrix);
  return axes.length ? axes.reduce((n, k) => n * (matrix[k] as Json[]).length, 1) : 0;
}

/** Expands a matrix (with include/exclude) into combinations; `base` is its JSON pointer. */
export function expandMatrix(matrix: JsonObject, base: string): Assignment[][] {
  const axes = matrixAxes(matrix);
  const esc = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');
  let combos: Assignment[][] = axes.length ? [[]] : [];
  for (const axis of axes) {
    const values = matrix[axis] as Json[];
    const next: Assignment[][] = [];
    for (const c of combos) values.forEach((value, i) => next.push([...c, { key: axis, value, src: `${base}/${esc(axis)}/${i}` }]));
    combos = next;
  }
  const exclude = (matrix.exclude as JsonObject[] | undefined) ?? [];
  if (exclude.length) {
    combos = combos.filter((c) => !exclude.some((ex) => Object.entries(ex).every(([k, v]) => {
      const a = c.find((x) => x.key === k);
      return a !== undefined && same(a.value, v);
    })));
  }
  const original = new Set(axes);
  const extra: Assignment[][] = [];
  ((matrix.include as JsonObject[] | undefined) ?? []).forEach((inc, n) => {
    const entries = Object.entries(inc);
    const assign = (k: string, v: Json): Assignment => ({ key: k, value: v, src: `${base}/include/${n}/${esc(k)}` });
    let merged = false;
    for (const c of combos) {
      const fits = entries.every(([k, v]) => !original.has(k) || same(c.find((x) => x.key === k)!.value, v));
      if (!fits) continue;
      merged = true;
      for (const [k, v] of entries) {
        if (original.has(k)) continue;
        const at = c.findIndex((x) => x.key === k);
        if (at >= 0) c[at] = assign(k, v);
        else c.push(assign(k, v));
      }
    }
    if (!merged) extra.push(entries.map(([k, v]) => assign(k, v)));
  });
  return [...combos, ...extra];
}

/** The same expansion as plain objects (what GitHub's docs show as the job list). */
export function matrixCombinations(matrix: JsonObject): JsonObject[] {
  return expandMatrix(matrix, '').map((c) => Object.fromEntries(c.map((a) => [a.key, a.value])));
}
