// Running a subset: --shot ID (repeatable), --where key=value (a swept value), --limit N.
import type { Cell, Json } from '../types.js';

export interface CellFilters {
  shots?: string[];
  where?: string[];
  limit?: number;
}

export class FilterError extends Error {}

function matches(value: Json | undefined, wanted: string): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value === wanted;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value) === wanted;
  return JSON.stringify(value) === wanted;
}

export function selectCells(cells: Cell[], f: CellFilters): Cell[] {
  let out = cells;
  if (f.shots?.length) {
    const known = new Set(cells.map((c) => c.shot));
    const missing = f.shots.filter((s) => !known.has(s));
    if (missing.length) throw new FilterError(`--shot ${missing.join(', ')}: no such shot; shots are ${[...known].join(', ')}`);
    out = out.filter((c) => f.shots!.includes(c.shot));
  }
  for (const w of f.where ?? []) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new FilterError(`--where ${w}: write it as key=value, e.g. --where seed=42`);
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    if (!cells.some((c) => key in c.sweep)) {
      const keys = [...new Set(cells.flatMap((c) => Object.keys(c.sweep)))];
      throw new FilterError(`--where ${w}: \`${key}\` is not a swept key${keys.length ? `; swept keys are ${keys.join(', ')}` : ' (this manifest sweeps nothing)'}`);
    }
    out = out.filter((c) => matches(c.sweep[key], value));
  }
  if (f.limit !== undefined) out = out.slice(0, f.limit);
  return out;
}
