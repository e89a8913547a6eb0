// report.json's data: a pure function of (lockfile, journal). No clock, no absolute paths, so
// `shotlist report <dir>` rebuilds exactly what the live run wrote.
import { dirname, relative, resolve, sep } from 'node:path';
import type { JournalEvent, Lockfile, LockedCell } from '../types.js';
import { compareValues, roundUsd } from './_format.js';
import { axisValue, chooseGrid, gridPosition } from './_grid.js';
import { REPORT_VERSION } from './types.js';
import type { GridOption, ReportCell, ReportCellError, ReportData, ReportGrid, ReportRun, ReportTimings } from './types.js';

export interface BuildReportOptions {
  /** The folder the reports are written to (the run folder). */
  runDir: string;
  /** The lockfile the cells came from; output links are rebased from its folder to runDir. */
  lockPath: string;
  /** `--grid x=A,y=B`; the automatic choice otherwise. */
  grid?: GridOption;
}

type CellEvent = Extract<JournalEvent, { cell: string }>;

export function buildReport(lock: Lockfile, journal: JournalEvent[], opts: BuildReportOptions): ReportData {
  const runDir = resolve(opts.runDir);
  const lockDir = dirname(resolve(opts.lockPath));
  // Links are relative to the report's folder; absolute paths are used only to compute them.
  const fromRun = (file: string) => toPosix(relative(runDir, resolve(lockDir, file))) || '.';
  const lockCells = Object.values(lock.cells);
  const grid = chooseGrid(lockCells, opts.grid);

  const byCell = new Map<string, CellEvent[]>();
  for (const e of journal) {
    if (!('cell' in e)) continue;
    const list = byCell.get(e.cell) ?? [];
    list.push(e);
    byCell.set(e.cell, list);
  }

  const cells = lockCells
    .map((c) => reportCell(c, byCell.get(c.id) ?? [], grid, fromRun))
    .sort((a, b) => compareCells(a, b, grid));
  const runs = reportRuns(journal);

  let spentUsd = 0;
  for (const e of journal) if (e.type === 'completed') spentUsd += lock.cells[e.cell]?.estimateUsd ?? 0;

  const counts = { succeeded: 0, failed: 0, cancelled: 0, pending: 0 };
  for (const c of cells) counts[c.status]++;

  return {
    version: REPORT_VERSION,
    tool: lock.tool,
    target: lock.target,
    manifest: lock.manifest,
    lockfile: toPosix(relative(runDir, resolve(opts.lockPath))),
    summary: {
      cells: cells.length,
      counts,
      flagged: cells.filter((c) => c.flags.length > 0).length,
      attempts: cells.reduce((n, c) => n + c.attempts, 0),
      plannedUsd: roundUsd(cells.reduce((n, c) => n + c.estimateUsd, 0)),
      spentUsd: roundUsd(spentUsd),
      wallMs: runs.reduce((n, r) => n + r.wallMs, 0),
    },
    grid,
    runs,
    cells,
  };
}

function reportCell(cell: LockedCell, events: CellEvent[], grid: ReportGrid, fromRun: (file: string) => string): ReportCell {
  const errors: ReportCellError[] = [];
  for (const e of events) {
    if (e.type === 'failed') errors.push({ ...e.error, run: e.run, ...(e.requestId ? { requestId: e.requestId } : {}) });
    if (e.type === 'lost') errors.push({ kind: 'lost', message: e.reason, run: e.run, requestId: e.requestId });
  }
  return {
    ...cell,
    video: cell.output ? fromRun(cell.output.file) : null,
    timings: timings(cell, events),
    attempts: events.filter((e) => e.type === 'submitted').length,
    errors,
    runs: [...new Set(events.map((e) => e.run))],
    cached: events.length === 0,
    grid: gridPosition(cell, grid),
  };
}

/**
 * Timings of the request the lockfile kept (its requestId), else of the last submission. A
 * stage whose event is missing (a job seen only as COMPLETED never reports `started`) is null.
 */
function timings(cell: LockedCell, events: CellEvent[]): ReportTimings {
  const requestId = cell.requestId ?? [...events].reverse().find((e) => e.type === 'submitted')?.requestId;
  const at = (type: CellEvent['type']): number | null => {
    const e = [...events].reverse().find((ev) => ev.type === type && 'requestId' in ev && ev.requestId === requestId);
    return e ? Date.parse(e.t) : null;
  };
  const submitted = at('submitted');
  const started = at('started');
  const completed = at('completed');
  const downloaded = at('downloaded');
  // A job that failed on fal ran until its failure was seen.
  const ended = completed ?? at('failed');
  const span = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.max(0, b - a));
  const last = downloaded ?? ended ?? started;
  return {
    queuedMs: span(submitted, started),
    runningMs: span(started, ended),
    downloadMs: span(completed, downloaded),
    totalMs: span(submitted, last),
  };
}

function reportRuns(journal: JournalEvent[]): ReportRun[] {
  const runs = new Map<string, { start?: Extract<JournalEvent, { type: 'run-start' }>; end?: Extract<JournalEvent, { type: 'run-end' }>; first: string; last: string }>();
  for (const e of journal) {
    const r = runs.get(e.run) ?? { first: e.t, last: e.t };
    if (e.type === 'run-start') r.start = e;
    if (e.type === 'run-end') r.end = e;
    r.last = e.t;
    runs.set(e.run, r);
  }
  return [...runs.entries()].map(([run, r]) => {
    const start = r.start?.t ?? r.first;
    const end = r.end?.t ?? r.last;
    return {
      run,
      target: r.start?.target ?? null,
      ...(r.start?.shard ? { shard: r.start.shard } : {}),
      start,
      end: r.end ? r.end.t : null,
      status: r.end?.status ?? 'unfinished',
      wallMs: Math.max(0, Date.parse(end) - Date.parse(start)) || 0,
      cells: r.start?.cells.length ?? 0,
    };
  });
}

/** Shot, then the grid axes (y, x), then the other swept values, then id: a stable reading order. */
function compareCells(a: ReportCell, b: ReportCell, grid: ReportGrid): number {
  if (a.shot !== b.shot) return a.shot < b.shot ? -1 : 1;
  for (const key of [...grid.groups, ...(grid.y ? [grid.y] : []), ...(grid.x ? [grid.x] : [])]) {
    const d = compareValues(axisValue(a, key), axisValue(b, key));
    if (d) return d;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
