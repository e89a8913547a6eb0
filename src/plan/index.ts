// Manifest -> Plan: load, validate (manifest schema, endpoint schemas, LTX rules) and expand.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PLAN_VERSION, type Diagnostic, type Plan } from '../types.js';
import { sha256Hex } from '../util/stableJson.js';
import { VERSION } from '../version.js';
import { loadManifest } from '../manifest/index.js';
import { DEFAULT_MAX_CELLS, expandManifest } from './expand.js';

export { formatDiagnostics } from './format.js';
export { renderPlanTable, usd } from './table.js';
export { expandMatrix, matrixCombinations, type Assignment } from './matrix.js';
export { deriveSeed, sampleIndices, prng } from './seeds.js';
export { DEFAULT_MAX_CELLS } from './expand.js';

export interface PlanOptions { maxCells?: number; cwd?: string }
export interface PlanResult { plan?: Plan; diagnostics: Diagnostic[]; manifestDir: string }

function displayPath(abs: string, cwd: string, given: string): string {
  const rel = relative(cwd, abs);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  return isAbsolute(given) ? abs.split(sep).join('/') : given.split(sep).join('/');
}

/** Source order, so the report reads top to bottom whichever layer found each problem. */
function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.map((d, i) => ({ d, i })).sort((a, b) => (a.d.line - b.d.line) || (a.d.column - b.d.column) || (a.i - b.i)).map((x) => x.d);
}

/** Load, validate (all three layers) and expand. `plan` is set only when there is no error. */
export async function loadAndPlan(manifestPath: string, opts: PlanOptions = {}): Promise<PlanResult> {
  const cwd = opts.cwd ?? process.cwd();
  const abs = resolve(cwd, manifestPath);
  const manifestDir = dirname(abs);
  const file = displayPath(abs, cwd, manifestPath);
  const loaded = loadManifest(abs, file);
  const diagnostics = [...loaded.diagnostics];
  if (loaded.partial && loaded.source) {
    // Already invalid: expand what is not broken anyway, to report every problem in one pass.
    const p = loaded.partial;
    const maxCells = opts.maxCells ?? p.manifest.limits?.max_cells ?? DEFAULT_MAX_CELLS;
    diagnostics.push(...expandManifest(p.manifest, loaded.source, manifestDir, maxCells, opts.maxCells !== undefined, { skipShots: p.skipShots, tainted: p.tainted }).diagnostics);
    return { diagnostics: sortDiagnostics(diagnostics), manifestDir };
  }
  if (!loaded.manifest || !loaded.source) return { diagnostics, manifestDir };
  const m = loaded.manifest;
  const maxCells = opts.maxCells ?? m.limits?.max_cells ?? DEFAULT_MAX_CELLS;
  const { cells, diagnostics: more } = expandManifest(m, loaded.source, manifestDir, maxCells, opts.maxCells !== undefined);
  diagnostics.push(...more);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, manifestDir };
  const usd = Math.round(cells.reduce((s, c) => s + c.estimate.usd, 0) * 1e6) / 1e6;
  const budget = m.budget?.max_cost_usd;
  if (budget !== undefined && usd > budget) {
    diagnostics.push(loaded.source.diag('warning', 'W_OVER_BUDGET', '/budget/max_cost_usd', `the plan is estimated at $${usd.toFixed(2)}, above the budget of $${budget}; \`shotlist run\` will refuse it`, 'raise `budget.max_cost_usd`, or draw fewer cells with `sample:`'));
  }
  const plan: Plan = {
    version: PLAN_VERSION,
    tool: { name: 'shotlist', version: VERSION },
    manifest: { path: file, name: m.name, sha256: sha256Hex(readFileSync(abs)) },
    settings: {
      maxCells,
      ...(m.concurrency !== undefined ? { concurrency: m.concurrency } : {}),
      ...(budget !== undefined ? { maxCostUsd: budget } : {}),
    },
    cells,
    totals: { cells: cells.length, usd },
  };
  return { plan, diagnostics, manifestDir };
}
