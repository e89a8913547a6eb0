// The shape of report.json (published as schemas/report.schema.json). Versioned like every file
// shotlist writes; readers refuse versions they do not know.
import type { CellError, Json, JsonObject, LockedCell } from '../types.js';

export const REPORT_VERSION = 1;

export type CellStatusCounts = { succeeded: number; failed: number; cancelled: number; pending: number };

export interface ReportTimings {
  /** submitted -> started (waiting in fal's queue). */
  queuedMs: number | null;
  /** started -> completed (inference). */
  runningMs: number | null;
  /** completed -> downloaded. */
  downloadMs: number | null;
  /** submitted -> downloaded (or the last of those events seen). */
  totalMs: number | null;
}

export interface ReportCellError extends CellError {
  /** Run attempt (`r1`...) whose journal recorded it. */
  run: string;
  requestId?: string;
}

export interface ReportCell extends LockedCell {
  /** The output video relative to the report's folder (posix, not URL-encoded), or null. */
  video: string | null;
  timings: ReportTimings;
  /** Submissions of this cell across every run in the journal. */
  attempts: number;
  /** Every failure the journal recorded for the cell, oldest first (the lockfile keeps only the last). */
  errors: ReportCellError[];
  /** Runs whose journal mentions the cell; empty when its result came from the lockfile (cached). */
  runs: string[];
  cached: boolean;
  /** Grid position: values of the chosen axes (null when the cell has no value on that axis). */
  grid: { x: Json; y: Json; group: JsonObject };
}

export interface ReportRun {
  run: string;
  target: 'fal' | 'emulator' | null;
  shard?: string;
  start: string | null;
  end: string | null;
  /** From run-end; `unfinished` when the journal stops without one (a crash). */
  status: 'completed' | 'interrupted' | 'failed' | 'unfinished';
  wallMs: number;
  /** Cells the run intended to execute (cached cells are not listed by the engine). */
  cells: number;
}

export interface ReportAxis {
  key: string;
  /** Distinct values, sorted (numbers ascending, then strings, then JSON). */
  values: Json[];
}

export interface ReportGrid {
  /** Axis keys (`seed`, `loras[0].scale`, or `shot`); null when the sweep has fewer axes. */
  x: string | null;
  y: string | null;
  /** The other axes with more than one value: shown as groups, filterable. */
  groups: string[];
  /** Every axis with its values (including single-valued ones), sorted by key. */
  axes: ReportAxis[];
  /** `auto` (most distinct values) or `option` (--grid). */
  chosenBy: 'auto' | 'option';
}

export interface ReportSummary {
  cells: number;
  counts: CellStatusCounts;
  /** Cells with conformance flags. */
  flagged: number;
  /** Submissions across every run. */
  attempts: number;
  /** Estimate of every cell in the lockfile (what the manifest costs from scratch). */
  plannedUsd: number;
  /** Estimate of the jobs these runs completed on the target (cached cells cost nothing again). */
  spentUsd: number;
  /** Sum over runs of run-start -> run-end (or the run's last event). */
  wallMs: number;
}

export interface ReportData {
  version: typeof REPORT_VERSION;
  tool: { name: 'shotlist'; version: string };
  target: 'fal' | 'emulator';
  manifest: { path: string; sha256: string };
  /** The lockfile, relative to the report's folder. */
  lockfile: string;
  summary: ReportSummary;
  grid: ReportGrid;
  runs: ReportRun[];
  cells: ReportCell[];
}

export interface GridOption {
  x?: string;
  y?: string;
}
