// Which two swept axes the contact sheet pivots on, and where each cell sits.
import type { Json, JsonObject, LockedCell } from '../types.js';
import { compareValues } from './_format.js';
import { stableStringify } from '../util/stableJson.js';
import type { GridOption, ReportAxis, ReportGrid } from './types.js';

/** `shot` is an axis too when a manifest has several shots. */
export const SHOT_AXIS = 'shot';

export class GridAxisError extends Error {
  readonly code = 'E_GRID_AXIS';
}

/** What the grid reads of a cell: a plan's cells qualify as well as a lockfile's. */
type AxisCell = Pick<LockedCell, 'sweep' | 'shot'>;

export function axisValue(cell: AxisCell, key: string): Json | undefined {
  if (key === SHOT_AXIS && !(SHOT_AXIS in cell.sweep)) return cell.shot;
  return cell.sweep[key];
}

/** Every axis of the cells with its distinct values; `shot` included when there are several shots. */
export function collectAxes(cells: AxisCell[]): ReportAxis[] {
  const keys = new Set<string>();
  for (const c of cells) for (const k of Object.keys(c.sweep)) keys.add(k);
  if (new Set(cells.map((c) => c.shot)).size > 1) keys.add(SHOT_AXIS);
  return [...keys].sort().map((key) => {
    const seen = new Map<string, Json>();
    for (const c of cells) {
      const v = axisValue(c, key);
      if (v !== undefined) seen.set(stableStringify(v), v);
    }
    return { key, values: [...seen.values()].sort(compareValues) };
  });
}

/**
 * Automatic choice: the two axes with the most distinct values (ties by name), x the wider one,
 * so a seed x scale sweep lays out as a table. `--grid x=A,y=B` overrides either.
 */
export function chooseGrid(cells: AxisCell[], option: GridOption = {}): ReportGrid {
  const axes = collectAxes(cells);
  const known = new Set(axes.map((a) => a.key));
  for (const [which, key] of Object.entries(option)) {
    if (key !== undefined && !known.has(key)) {
      const list = axes.length ? axes.map((a) => `\`${a.key}\``).join(', ') : 'none (no cell is swept)';
      throw new GridAxisError(`--grid ${which}=${key}: no such axis; the swept axes are ${list}`);
    }
  }
  if (option.x !== undefined && option.x === option.y) throw new GridAxisError(`--grid: x and y are both \`${option.x}\`; pick two different axes`);
  const ranked = axes.filter((a) => a.values.length > 1).sort((a, b) => b.values.length - a.values.length || (a.key < b.key ? -1 : 1));
  const taken = new Set([option.x, option.y].filter((k): k is string => k !== undefined));
  const free = ranked.map((a) => a.key).filter((k) => !taken.has(k));
  const x = option.x ?? free.shift() ?? null;
  const y = option.y ?? free.shift() ?? null;
  const groups = ranked.map((a) => a.key).filter((k) => k !== x && k !== y).sort();
  const chosenBy = option.x !== undefined || option.y !== undefined ? 'option' : 'auto';
  return { x, y, groups, axes, chosenBy };
}

export function gridPosition(cell: LockedCell, grid: ReportGrid): { x: Json; y: Json; group: JsonObject } {
  const group: JsonObject = {};
  for (const k of grid.groups) group[k] = axisValue(cell, k) ?? null;
  return {
    x: grid.x === null ? null : axisValue(cell, grid.x) ?? null,
    y: grid.y === null ? null : axisValue(cell, grid.y) ?? null,
    group,
  };
}

/** `x=seed,y=loras[0].scale` -> {x, y}. */
export function parseGridOption(text: string): GridOption {
  const out: GridOption = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(x|y)=(.+)$/.exec(part);
    if (!m) throw new GridAxisError(`--grid ${text}: expected x=AXIS,y=AXIS (e.g. --grid x=seed,y=loras[0].scale)`);
    out[m[1] as 'x' | 'y'] = m[2].trim();
  }
  return out;
}
