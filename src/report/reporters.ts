// The reporter registry: built-in names, or a path to a module whose default export is a Reporter
// (or a factory/class returning one). File reporters all build from the same buildReport call.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Reporter, RunEnd } from '../types.js';
import { buildReport } from './buildReport.js';
import { parseGridOption } from './_grid.js';
import { renderSummary } from './renderSummary.js';
import type { GridOption, ReportData } from './types.js';
import { FILE_REPORTS, writeReports } from './writeReports.js';

export const BUILTIN_REPORTERS = ['json', 'html', 'md', 'junit', 'summary'] as const;
/** What `shotlist run` uses when no --reporter is given. */
export const DEFAULT_REPORTERS = [...BUILTIN_REPORTERS];

/** A reporter spec that cannot be loaded: a usage error (exit 2) at the CLI edge. */
export class ReporterSpecError extends Error {
  readonly code = 'E_REPORTER';
}

export interface ReporterOptions {
  /** `--grid x=A,y=B` (string or parsed) for the HTML contact sheet and report.json. */
  grid?: GridOption | string;
  /** Where the summary reporter prints (stdout by default). */
  write?: (text: string) => void;
}

export async function createReporters(specs: string[], cwd: string, options: ReporterOptions = {}): Promise<Reporter[]> {
  const grid = typeof options.grid === 'string' ? parseGridOption(options.grid) : options.grid;
  // One build per run end, shared by every file reporter and the summary.
  const built = new WeakMap<RunEnd, ReportData>();
  const build = (end: RunEnd) => {
    let data = built.get(end);
    if (!data) {
      data = buildReport(end.lock, end.journal, { runDir: end.paths.outDir, lockPath: end.paths.lockfile, grid });
      built.set(end, data);
    }
    return data;
  };
  const names = specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const withHtml = names.includes('html');
  const reporters: Reporter[] = [];
  for (const spec of [...new Set(names)]) {
    if (spec in FILE_REPORTS) {
      reporters.push({ name: spec, onEnd: async (end) => void (await writeReports(end.paths.outDir, build(end), [spec])) });
    } else if (spec === 'summary') {
      const write = options.write ?? ((text: string) => process.stdout.write(text));
      reporters.push({
        name: 'summary',
        onEnd: (end) => {
          const html = withHtml ? join(end.paths.outDir, 'report.html') : undefined;
          write(renderSummary(build(end), end.status, html && (relative(cwd, html) || html)));
        },
      });
    } else if (looksLikePath(spec)) {
      reporters.push(await loadModuleReporter(spec, cwd));
    } else {
      throw new ReporterSpecError(`unknown reporter \`${spec}\`; use one of ${BUILTIN_REPORTERS.join(', ')} or a path to a module (./my-reporter.js)`);
    }
  }
  // The summary prints the path of report.html, so it goes after the file reporters.
  return [...reporters.filter((r) => r.name !== 'summary'), ...reporters.filter((r) => r.name === 'summary')];
}

function looksLikePath(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.startsWith('.') || /\.[cm]?js$/.test(spec);
}

async function loadModuleReporter(spec: string, cwd: string): Promise<Reporter> {
  const file = isAbsolute(spec) ? spec : resolve(cwd, spec);
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new ReporterSpecError(`reporter \`${spec}\` could not be loaded: ${(err as Error).message}`);
  }
  let exported = mod.default;
  if (typeof exported === 'function') {
    const fn = exported as (...args: unknown[]) => unknown;
    exported = /^class[\s{]/.test(Function.prototype.toString.call(fn)) ? new (fn as unknown as new () => unknown)() : await fn();
  }
  if (!exported || typeof exported !== 'object') {
    throw new ReporterSpecError(`reporter \`${spec}\` must default-export a reporter object ({ name, onEnd(...) }) or a function returning one`);
  }
  const reporter = exported as Reporter;
  for (const hook of ['onPlan', 'onCellStart', 'onCellEnd', 'onEnd'] as const) {
    if (reporter[hook] !== undefined && typeof reporter[hook] !== 'function') throw new ReporterSpecError(`reporter \`${spec}\`: ${hook} is not a function`);
  }
  // Bind so class-based reporters keep `this`; name defaults to the spec as given.
  const bound: Reporter = { name: typeof reporter.name === 'string' && reporter.name ? reporter.name : spec };
  for (const hook of ['onPlan', 'onCellStart', 'onCellEnd', 'onEnd'] as const) {
    const fn = reporter[hook] as ((...args: unknown[]) => unknown) | undefined;
    if (fn) (bound as unknown as Record<string, unknown>)[hook] = fn.bind(reporter);
  }
  return bound;
}
