// The plan as a terminal table: one row per cell, one column per swept axis.
import { PRICE_TABLE_DATE } from '../endpoints/registry.js';
import type { Json, Plan } from '../types.js';

function cellText(v: Json | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v.length > 40 ? v.slice(0, 37) + '...' : v;
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** Dollars: cents for totals of a dollar or more, 4 decimals below (draft cells cost fractions of a cent). */
export function usd(n: number, decimals?: number): string {
  return `$${n.toFixed(decimals ?? (n >= 1 || n === 0 ? 2 : 4))}`;
}

export function renderPlanTable(plan: Plan, status?: Map<string, string>): string {
  const axes: string[] = [];
  const seenAxes = new Set<string>();
  for (const c of plan.cells) for (const k of Object.keys(c.sweep)) if (!seenAxes.has(k)) { seenAxes.add(k); axes.push(k); }
  const header = ['cell', 'shot', ...(status ? ['status'] : []), ...axes, 'endpoint', 'est.'];
  const rows: string[][] = plan.cells.map((c) => [
    c.id, c.shot, ...(status ? [status.get(c.id) ?? ''] : []), ...axes.map((a) => cellText(c.sweep[a])), c.endpoint,
    c.estimate.basis.startsWith('no price') ? '?' : usd(c.estimate.usd, 4),
  ]);
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, r[i].length), h.length));
  const right = new Set([header.length - 1]);
  const fmt = (r: string[]) => r.map((v, i) => (right.has(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  const lines = [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)];
  const unknown = plan.cells.filter((c) => c.estimate.basis.startsWith('no price')).length;
  const n = plan.totals.cells;
  lines.push('', `${n} cell${n === 1 ? '' : 's'}, estimated ${usd(plan.totals.usd)} in total (fal prices ${PRICE_TABLE_DATE})${unknown ? `; ${unknown} cell(s) on endpoints with no known price not counted` : ''}`);
  return lines.join('\n');
}
