// The data that crosses folders. Manifest -> Plan (cells) -> journal events -> lockfile/results -> reports.
// Every stage reads only what the stage before it produced; this file is the contract between them.
// Files written to disk (plan JSON, lockfile, journal, report.json) carry a `version` and are
// serialised with sorted keys (see src/util/stableJson.ts) so unchanged re-runs leave git clean.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// Diagnostics: errors are data until the CLI edge (Terraform tfdiags style).
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine code, e.g. `E_UNKNOWN_KEY`, `E_FRAMES_NOT_8N1`, `W_FRAME_CAP`. */
  code: string;
  message: string;
  /** Path of the manifest (or other file) as the user gave it / relative to cwd. */
  file: string;
  /** 1-based line and column of the YAML node that caused it (0 when there is no node). */
  line: number;
  column: number;
  /** JSON path in the manifest, e.g. `/shots/2/input/num_frames`. */
  path: string;
  /** A concrete fix when there is one: "did you mean `num_frames`?" */
  fix?: string;
}

// ---------------------------------------------------------------------------------------------
// Plan: what `shotlist plan --json` prints and `shotlist run` executes.
export const PLAN_VERSION = 1;

/** A local file referenced by a cell input; uploaded with fal.storage.upload before submit. */
export interface FileRef {
  /** JSON pointer into `Cell.input` where the uploaded URL goes, e.g. `/loras/0/path`. */
  pointer: string;
  /** Path relative to the manifest's folder, posix separators (what the user wrote, normalised). */
  path: string;
  sha256: string;
  size: number;
  /** Guessed MIME type from the extension (video/mp4, image/png, application/octet-stream...). */
  contentType: string;
}

export interface CellEstimate {
  usd: number;
  /** Human-readable basis, e.g. "112 MP x $0.0027075/MP (fal price table 2026-11)". */
  basis: string;
}

/** What the endpoint is expected to return for this input (after fal's documented caps). */
export interface ExpectedVideo {
  width: number;
  height: number;
  numFrames: number;
  fps: number;
}

export interface Cell {
  /** Short stable hash (12 hex) of endpoint + canonical input, local files as their sha256. */
  id: string;
  /** Shot id the cell came from. */
  shot: string;
  /** Full fal endpoint id, sub-path included. */
  endpoint: string;
  /**
   * The exact input that will be sent, except that local files appear as their manifest-relative
   * path string at the pointers listed in `files` (the run engine swaps in the uploaded URL).
   */
  input: JsonObject;
  files: FileRef[];
  /** Swept values by axis key (`seed`, `num_frames`, `loras[0].scale`...). Empty for a plain shot. */
  sweep: JsonObject;
  /** The concrete seed sent, or null when the manifest explicitly asked for a random seed. */
  seed: number | null;
  estimate: CellEstimate;
  expected: ExpectedVideo;
}

export interface PlanSettings {
  /** Concurrency requested by the manifest (`--concurrency` overrides). */
  concurrency?: number;
  /** Budget in USD from the manifest (`--max-cost` overrides). */
  maxCostUsd?: number;
  /** Explosion guard: a plan above this many cells is refused. */
  maxCells: number;
}

export interface Plan {
  version: typeof PLAN_VERSION;
  tool: { name: 'shotlist'; version: string };
  manifest: {
    /** Path as given on the command line, relative to cwd when possible (posix). */
    path: string;
    name: string;
    /** sha256 of the manifest file bytes. */
    sha256: string;
  };
  settings: PlanSettings;
  cells: Cell[];
  totals: { cells: number; usd: number };
}

// ---------------------------------------------------------------------------------------------
// Journal: `<out>/journal.jsonl`, append-only, one JSON object per line, fsync'd per event.
// The journal is the record of what happened in time; the lockfile is the record of results.
export const JOURNAL_VERSION = 1;

interface JournalBase {
  v: typeof JOURNAL_VERSION;
  /** ISO-8601 wall clock time. */
  t: string;
  /** Run attempt id (one per `shotlist run` process), e.g. `r1`, `r2`. */
  run: string;
}
export type JournalEvent =
  | (JournalBase & {
      type: 'run-start';
      /** Manifest and lockfile paths relative to the run folder (posix), so `shotlist report <dir>` finds them. */
      manifest: string;
      lockfile: string;
      manifestSha256: string;
      /** Cell ids this run intends to execute (cached cells are not listed). */
      cells: string[];
      target: 'fal' | 'emulator';
      shard?: string;
    })
  | (JournalBase & { type: 'upload'; sha256: string; path: string; url: string })
  | (JournalBase & { type: 'submitted'; cell: string; endpoint: string; requestId: string; attempt: number })
  | (JournalBase & { type: 'started'; cell: string; requestId: string })
  | (JournalBase & { type: 'completed'; cell: string; requestId: string; output: JsonObject })
  | (JournalBase & { type: 'downloaded'; cell: string; requestId: string; file: string; sha256: string; size: number })
  | (JournalBase & { type: 'failed'; cell: string; requestId?: string; error: CellError })
  | (JournalBase & { type: 'cancelled'; cell: string; requestId: string })
  | (JournalBase & { type: 'lost'; cell: string; requestId: string; reason: string })
  | (JournalBase & { type: 'run-end'; status: 'completed' | 'interrupted' | 'failed'; counts: Record<string, number> });

// ---------------------------------------------------------------------------------------------
// Lockfile: `<manifest>.lock.json` beside the manifest, committed to git. Sorted, no timestamps.
export const LOCK_VERSION = 1;

export type CellStatus = 'succeeded' | 'failed' | 'cancelled' | 'pending';

export interface CellError {
  /** `validation` (422), `job` (failed on fal), `http`, `network`, `download`, `conformance`, `interrupted`. */
  kind: string;
  message: string;
  /** fal's detail as it came (the 422 `detail` array, an error body...). */
  detail?: Json;
  status?: number;
}

export interface VideoMeta {
  width: number;
  height: number;
  numFrames: number;
  fps: number;
  duration: number;
  codec?: string;
}

export interface LockedOutput {
  /** Output file path relative to the lockfile's folder (posix). */
  file: string;
  sha256: string;
  size: number;
  contentType: string;
  /** The URL fal returned (CDN); omitted for emulator runs, whose URLs are ephemeral. */
  url?: string;
  meta?: VideoMeta;
}

export interface LockedCell {
  id: string;
  shot: string;
  sweep: JsonObject;
  endpoint: string;
  /** The exact input sent; local files as `{path, sha256}` objects in place of the URL. */
  input: JsonObject;
  seed: number | null;
  /** The seed fal reports it used (from the result), when it reported one. */
  seedUsed?: number;
  requestId?: string;
  status: CellStatus;
  output?: LockedOutput;
  /** Conformance flags: e.g. `frames: requested 241, got 145 (fal caps 720p-class at 150)`. */
  flags: string[];
  error?: CellError;
  estimateUsd: number;
}

export interface Lockfile {
  version: typeof LOCK_VERSION;
  tool: { name: 'shotlist'; version: string };
  client: { name: '@fal-ai/client'; version: string };
  manifest: { path: string; sha256: string };
  /** `fal` or `emulator`: results from the emulator are never mistaken for real ones. */
  target: 'fal' | 'emulator';
  cells: Record<string, LockedCell>;
}

// ---------------------------------------------------------------------------------------------
// Emulator: started in-process by the run engine, tests and benches; `shotlist emulator` on the CLI.
export interface EmulatorOptions {
  /** 0 (default) picks a free port. Always binds 127.0.0.1. */
  port?: number;
  /** Max IN_PROGRESS jobs per key (fal's model). Default 2. */
  concurrency?: number;
  /** Multiplies every simulated duration. 1 = realistic-ish seconds, 0.001 = milliseconds. */
  timeScale?: number;
  /** Fault spec, e.g. `429=0.05,5xx=0.02,reset=0.01,fail=0.05,lost-submit=0.02,slow=0.1,truncate=0.02,expire=60s`. */
  faults?: string;
  seed?: number;
  /** Duration model: `fixed:30` seconds, or `pixels:<seconds per megapixel-frame>`; see docs/emulator.md. */
  duration?: string;
  /** Scale factor for encoded output dimensions (tests); 1 = faithful. When scaled, the result JSON reports the geometry actually encoded (see docs/emulator.md). */
  videoScale?: number;
  /** Result retention in ms (fal keeps ~1 h). */
  resultTtlMs?: number;
  /** Quiet by default in-process; the CLI passes a logger. */
  log?: (line: string) => void;
  /** Hostile mode: one kind of lie the server tells (src/emulator/hostile.ts, docs/reliability.md). */
  hostile?: string;
}

export interface EmulatorStats {
  /** Submissions per canonical input hash (sha256 of endpoint + canonical JSON input). */
  submissionsByInput: Record<string, number>;
  submissions: number;
  peakInProgress: number;
  /** `"<route> <status>"` -> count, e.g. `"submit 200"`, `"status 429"`. */
  requests: Record<string, number>;
  cancels: number;
  uploads: number;
  completed: number;
  failed: number;
  expired: number;
  faults: Record<string, number>;
}

export interface EmulatorHandle {
  /** Base URL, e.g. `http://127.0.0.1:43123`. Point the client at it with `proxyUrl: {url, when: 'always'}`. */
  url: string;
  /** The URL to give `proxyUrl.url`. */
  proxyUrl: string;
  stats(): EmulatorStats;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reporters: plugins fed by the run engine; all hooks optional. A reporter that throws is isolated
// and turns the exit status red; it never kills the run. File reports (json/html/md/junit) are a
// pure function of journal + lockfile, so `shotlist report <dir>` rebuilds exactly the live ones.
export interface RunPaths {
  /** Run folder (outputs, journal, reports). */
  outDir: string;
  journal: string;
  lockfile: string;
  manifest: string;
}

export interface RunEnd {
  status: 'completed' | 'interrupted' | 'failed';
  lock: Lockfile;
  journal: JournalEvent[];
  paths: RunPaths;
}

export interface Reporter {
  name: string;
  onPlan?(plan: Plan, paths: RunPaths): void | Promise<void>;
  onCellStart?(cell: Cell): void | Promise<void>;
  onCellEnd?(cell: Cell, result: LockedCell): void | Promise<void>;
  onEnd?(end: RunEnd): void | Promise<void>;
}
