// Deciding, before anything is sent, what a run will do with each selected cell: reuse a cached
// result, re-attach to a job already submitted, recover a download the journal recorded, keep an
// earlier failure, or submit. The CLI shows this (and the cost of what will be submitted) before
// asking for confirmation or refusing over budget.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Cell, LockedCell, Lockfile, Plan } from '../types.js';
import { readJournal } from './journal.js';
import { readLockfile } from './lockfile.js';
import { inFlight, replayJournal, type CellJournalState, type Replayed } from './replay.js';
import { acquireRunLock } from './runLock.js';
import type { RunTarget } from './falClient.js';
import type { JournalEvent } from '../types.js';

export type CellAction = 'cached' | 'reattach' | 'recover' | 'keep-failed' | 'submit';

export interface PrepareOptions {
  target: RunTarget;
  outDir: string;
  lockPath: string;
  /** Cell ids selected by --shot/--where/--limit (default: every cell). */
  selected?: Set<string>;
  force?: boolean;
  retryFailed?: boolean;
}

export interface PreparedRun {
  plan: Plan;
  opts: PrepareOptions;
  previousLock?: Lockfile;
  /** Earlier events in the run folder's journal. */
  history: JournalEvent[];
  replayed: Replayed;
  actions: Map<string, CellAction>;
  /** Cells whose action is `submit`: new money. */
  toSubmit: Cell[];
  /** Estimated USD of the cells to submit (re-attached jobs are already paid for). */
  estimateUsd: number;
  /** Earlier lockfile entries, kept unless this run settles the cell (cached, kept failures, unselected, not reached). */
  carried: Map<string, LockedCell>;
  release: () => void;
}

export class TargetMismatch extends Error {}
export class RunFolderUnsafe extends Error {}

/**
 * shotlist writes its journal, reports, upload cache and outputs by name inside the run folder;
 * a symlink there (say `journal.jsonl` -> `~/.bashrc`, committed to the repository) would send
 * those writes elsewhere. Refused, two levels deep (the folder and its shot folders).
 */
async function refuseSymlinks(outDir: string): Promise<void> {
  const check = async (dir: string, depth: number) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isSymbolicLink()) throw new RunFolderUnsafe(`${join(dir, e.name)} is a symlink; shotlist does not write through links in its run folder (remove it, or choose another folder with --out)`);
      if (e.isDirectory() && depth > 0) await check(join(dir, e.name), depth - 1);
    }
  };
  await check(outDir, 1);
}

export async function prepareRun(plan: Plan, opts: PrepareOptions): Promise<PreparedRun> {
  await mkdir(opts.outDir, { recursive: true });
  const release = acquireRunLock(opts.outDir);
  try {
    await refuseSymlinks(opts.outDir);
    await removeStaleTemps(opts.outDir, opts.lockPath);
    const previousLock = await readLockfile(opts.lockPath);
    if (previousLock && previousLock.target !== opts.target && !opts.force) {
      throw new TargetMismatch(
        `${opts.lockPath} records results from ${previousLock.target}; running against ${opts.target} would replace them. ` +
          `Use --force to replace them, or --out and a copy of the manifest elsewhere to keep both`,
      );
    }
    const history = await readJournal(join(opts.outDir, 'journal.jsonl'));
    const replayed = replayJournal(history, opts.target);
    const prevCells = previousLock && previousLock.target === opts.target ? previousLock.cells : {};
    const actions = new Map<string, CellAction>();
    const carried = new Map<string, LockedCell>();
    const toSubmit: Cell[] = [];
    for (const cell of plan.cells) {
      const locked = prevCells[cell.id];
      if (opts.selected && !opts.selected.has(cell.id)) {
        if (locked) carried.set(cell.id, locked);
        continue;
      }
      const j: CellJournalState | undefined = replayed.cells.get(cell.id);
      let action: CellAction;
      if (inFlight(j)) action = 'reattach'; // already paid for, whatever --force says
      else if (!opts.force && locked?.status === 'succeeded') action = 'cached';
      else if (!opts.force && j?.phase === 'downloaded' && j.downloaded && existsSync(resolve(opts.outDir, j.downloaded.file))) action = 'recover';
      else if (!opts.force && !opts.retryFailed && (locked?.status === 'failed' || j?.phase === 'failed')) action = 'keep-failed';
      else action = 'submit';
      actions.set(cell.id, action);
      // Every earlier entry is carried until this run settles the cell: a --force or
      // --retry-failed run interrupted before reaching a cell must not erase its record.
      if (locked) carried.set(cell.id, locked);
      if (action === 'submit') toSubmit.push(cell);
    }
    const estimateUsd = Math.round(toSubmit.reduce((s, c) => s + c.estimate.usd, 0) * 1e6) / 1e6;
    return { plan, opts, previousLock, history, replayed, actions, toSubmit, estimateUsd, carried, release };
  } catch (err) {
    release();
    throw err;
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Temp files of a process that was killed (`<file>.<pid>.part` downloads in the run folder,
 * `<lockfile>.<pid>.tmp` beside the manifest): their owner is dead, the journal decides what to
 * do again, and they must not pile up in the user's repository.
 */
async function removeStaleTemps(outDir: string, lockPath: string): Promise<void> {
  const sweep = async (dir: string, pattern: RegExp) => {
    let names: string[];
    try { names = await readdir(dir); } catch { return; }
    await Promise.all(names.map(async (n) => {
      const m = pattern.exec(n);
      if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await rm(join(dir, n), { force: true }).catch(() => undefined);
    }));
  };
  const part = /\.(\d+)\.part$/;
  await sweep(outDir, part);
  for (const e of await readdir(outDir, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await sweep(join(outDir, e.name), part);
  const base = basename(lockPath).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await sweep(dirname(lockPath), new RegExp(`^${base}\\.(\\d+)\\.tmp$`));
}

/** Output path of a cell: `<out>/<shot>/<cell id>.mp4`. */
export function outputPathFor(outDir: string, cell: Cell): string {
  return join(outDir, cell.shot.replace(/[^A-Za-z0-9._-]/g, '_'), `${cell.id}.mp4`);
}

export function posixRelative(from: string, to: string): string {
  return relative(from, to).split('\\').join('/');
}
