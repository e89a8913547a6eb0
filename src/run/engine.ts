// The run engine: executes a prepared plan against fal (or the emulator) and leaves behind the
// journal, the outputs and the lockfile. Guarantees, in order of importance:
// 1. never pay twice for a cell: a cell is submitted only when no job of it is known (journal),
//    and `submitted` is on disk before anything waits on the job;
// 2. never lose an output that was paid for: outputs are downloaded as soon as the job completes,
//    and a restarted run re-attaches to in-flight jobs;
// 3. an exact record: the lockfile, rebuilt from the journal when resuming.
import type { FalClient } from '@fal-ai/client';
import { setMaxListeners } from 'node:events';
import { statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Cell, JournalEvent, LockedCell, Lockfile, Reporter, RunEnd, RunPaths } from '../types.js';
import { JOURNAL_VERSION } from '../types.js';
import { awaitCompletion, fetchResult, findVideo, type AwaitOutcome } from './await.js';
import { conformanceFlags } from './conformance.js';
import { downloadTo } from './download.js';
import type { RunTarget } from './falClient.js';
import { Journal, readJournal } from './journal.js';
import { baseLockedCell, buildLockfile, inputWithFiles, readLockfile, withLockfileLock, writeLockfile } from './lockfile.js';
import { outputPathFor, posixRelative, type PreparedRun } from './prepare.js';
import { probeVideo } from './probe.js';
import { Reporters } from './reporters.js';
import { CellSlots, Slots } from './slots.js';
import { submitCell } from './submit.js';
import { Uploader } from './uploads.js';

export interface Progress {
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cached: number;
  spentUsd: number;
  estimateUsd: number;
}

export interface ExecuteOptions {
  client: FalClient;
  target: RunTarget;
  /** Identifies the storage the upload cache belongs to: `fal`, or `emulator <url>`. */
  uploadKey: string;
  manifestPath: string;
  manifestDir: string;
  /** `2/4` when this run is one shard of a sweep (recorded in run-start). */
  shard?: string;
  concurrency: number;
  reporters: Reporter[];
  /** Aborted on the first Ctrl-C: no new submissions. */
  stop?: AbortSignal;
  /** With the first Ctrl-C, cancel in-flight jobs on fal instead of letting them finish. */
  cancelOnInterrupt?: boolean;
  onProgress?: (p: Progress) => void;
  onEvent?: (ev: JournalEvent) => void;
  /** Called once every cell has settled, before the reporters' onEnd (the progress view ends here). */
  onSettled?: () => void;
  /** Human-readable notes (retries, lost jobs) for the progress stream. */
  onNote?: (line: string) => void;
}

export interface RunResult {
  status: RunEnd['status'];
  exitCode: number;
  lock: Lockfile;
  lockWritten: boolean;
  paths: RunPaths;
  counts: Record<string, number>;
  reporterErrors: string[];
}

export async function executeRun(prep: PreparedRun, opts: ExecuteOptions): Promise<RunResult> {
  const { plan } = prep;
  const { outDir, lockPath, target } = prep.opts;
  const paths: RunPaths = { outDir, journal: join(outDir, 'journal.jsonl'), lockfile: lockPath, manifest: opts.manifestPath };
  const reporters = new Reporters(opts.reporters, opts.onNote);
  const results = new Map<string, LockedCell>(prep.carried);
  /** Cells this run decided; every other entry is re-read from disk when the lockfile is written. */
  const settled = new Set<string>();
  const cellsById = new Map(plan.cells.map((c) => [c.id, c]));
  const work = [...prep.actions].filter(([, a]) => a === 'reattach' || a === 'submit' || a === 'recover').map(([id, a]) => ({ cell: cellsById.get(id)!, action: a as 'reattach' | 'submit' | 'recover' }));
  const progress: Progress = {
    total: prep.actions.size, queued: work.length, running: 0, done: 0, failed: 0,
    cached: [...prep.actions.values()].filter((a) => a === 'cached').length, spentUsd: 0, estimateUsd: prep.estimateUsd,
  };
  for (const [id, a] of prep.actions) if (a === 'keep-failed') {
    progress.failed++;
    if (!results.has(id)) results.set(id, { ...baseLockedCell(cellsById.get(id)!), status: 'failed', error: prep.replayed.cells.get(id)?.error });
  }
  const tick = () => opts.onProgress?.({ ...progress });
  await reporters.call('onPlan', plan, paths);

  let journal: Journal | undefined;
  let status: RunEnd['status'] = 'completed';
  let cellCtx: CellCtx | undefined;
  const localErrorOf = () => cellCtx?.localError;
  const runId = `r${prep.replayed.runs + 1}`;
  try {
    if (work.length > 0) {
      // Nothing is appended by a run that has nothing to do: a no-op re-run leaves every file as it was.
      journal = await Journal.open(paths.journal);
      const j = journal;
      const emit = async (ev: DistributiveOmit<JournalEvent, 'v' | 't' | 'run'>) => {
        const full = { v: JOURNAL_VERSION, t: new Date().toISOString(), run: runId, ...ev } as JournalEvent;
        opts.onEvent?.(full);
        await j.append(full);
      };
      await emit({
        type: 'run-start', manifest: posixRelative(outDir, opts.manifestPath), lockfile: posixRelative(outDir, lockPath),
        manifestSha256: plan.manifest.sha256, cells: work.map((w) => w.cell.id), target,
        ...(opts.shard ? { shard: opts.shard } : {}),
      });
      const uploader = await Uploader.open(opts.client, outDir, opts.uploadKey, opts.manifestDir, (f, url) =>
        emit({ type: 'upload', sha256: f.sha256, path: f.path, url }));
      const cancel = new AbortController();
      setMaxListeners(0, cancel.signal); // one listener per in-flight cell
      const onStop = () => { if (opts.cancelOnInterrupt) cancel.abort(); };
      opts.stop?.addEventListener('abort', onStop, { once: true });
      if (opts.stop?.aborted) onStop();
      const ctx: CellCtx = { prep, opts, emit, uploader, cancel: cancel.signal, progress, tick, outDir, lockDir: resolve(lockPath, '..') };
      cellCtx = ctx;
      // `concurrency` bounds the jobs in flight on fal (submit to completion) and, separately, the
      // downloads: a finished job's slot goes to the next cell at once, while its output downloads.
      const jobSlots = new Slots(opts.concurrency);
      const postSlots = new Slots(opts.concurrency);
      let interruptedCells = 0;
      tick();
      // A cell's task starts once it holds its slot, not before: 10,000 tasks started at once
      // waiting in the slots' queue were ~30 MB of the live heap at the start of a long run (each
      // an async frame, a promise and its closures), kept until the cell's turn came.
      const inFlight = new Set<Promise<void>>();
      let failure: { error: unknown } | undefined;
      const launch = (w: (typeof work)[number], slots: CellSlots, ready: Promise<void>) => {
        const p: Promise<void> = ready.then(() => runOne(w, slots))
          .catch((error: unknown) => { failure ??= { error }; })
          .finally(() => { slots.release(); inFlight.delete(p); });
        inFlight.add(p);
      };
      // Recoveries (downloaded before a crash, not yet probed) need only a post slot: they do not
      // queue behind submissions.
      for (const w of work) if (w.action === 'recover') {
        const slots = new CellSlots(jobSlots, postSlots);
        launch(w, slots, slots.jobDone());
      }
      for (const w of work) if (w.action !== 'recover') {
        const slots = new CellSlots(jobSlots, postSlots);
        await slots.startJob();
        launch(w, slots, Promise.resolve());
      }
      while (inFlight.size > 0) await Promise.all(inFlight);
      if (failure) throw failure.error;
      async function runOne(w: (typeof work)[number], slots: CellSlots): Promise<void> {
        if (w.action === 'submit' && (opts.stop?.aborted || ctx.localError)) {
          interruptedCells++;
          return; // first Ctrl-C: nothing new is submitted
        }
        progress.queued--;
        progress.running++;
        tick();
        await reporters.call('onCellStart', w.cell);
        const locked = await runCell(ctx, w.cell, w.action, slots);
        progress.running--;
        if (locked.status === 'succeeded') progress.done++;
        else if (locked.status === 'failed' || locked.status === 'cancelled') progress.failed++;
        else interruptedCells++;
        tick();
        if (locked.status !== 'pending' || locked.requestId) { results.set(w.cell.id, locked); settled.add(w.cell.id); }
        await reporters.call('onCellEnd', w.cell, locked);
      }
      opts.stop?.removeEventListener('abort', onStop);
      if (opts.stop?.aborted || interruptedCells > 0) status = 'interrupted';
    }
  } finally {
    const counts: Record<string, number> = {};
    for (const [id] of prep.actions) {
      const s = results.get(id)?.status ?? 'pending';
      counts[s] = (counts[s] ?? 0) + 1;
    }
    if (journal) {
      await journal.append({ v: JOURNAL_VERSION, t: new Date().toISOString(), run: runId, type: 'run-end', status, counts }).catch(() => undefined);
      await journal.close().catch(() => undefined);
    }
  }
  // Another shotlist may have written this lockfile meanwhile (another --out or shard of the same
  // manifest): under a short lock, its entries for cells this run did not settle are kept.
  let lock!: Lockfile;
  const lockWritten = await withLockfileLock(lockPath, async () => {
    const fresh = await readLockfile(lockPath).catch(() => undefined);
    if (fresh && fresh.target === target) {
      for (const c of plan.cells) if (!settled.has(c.id) && fresh.cells[c.id]) results.set(c.id, fresh.cells[c.id]);
    }
    lock = buildLockfile(plan, posixRelative(resolve(lockPath, '..'), opts.manifestPath), target, results);
    return writeLockfile(lockPath, lock);
  });
  const counts: Record<string, number> = {};
  for (const [id] of prep.actions) {
    const s = results.get(id)?.status ?? 'pending';
    counts[s] = (counts[s] ?? 0) + 1;
  }
  const failedAny = [...prep.actions.keys()].some((id) => ['failed', 'cancelled'].includes(results.get(id)?.status ?? ''));
  if (status !== 'interrupted' && failedAny) status = 'failed';
  const allEvents = journal ? await readJournal(paths.journal) : prep.history;
  opts.onSettled?.();
  await reporters.call('onEnd', { status, lock, journal: allEvents, paths });
  prep.release();
  const localError = work.length > 0 ? localErrorOf() : undefined;
  if (localError && !opts.stop?.aborted && status === 'interrupted') status = 'failed';
  const exitCode = status === 'interrupted' ? 130 : failedAny || localError || reporters.errors.length > 0 ? 1 : 0;
  return { status, exitCode, lock, lockWritten, paths, counts, reporterErrors: reporters.errors };
}

/** Below this many free bytes on the run folder's disk nothing new is submitted (`SHOTLIST_MIN_FREE_BYTES`). */
function minFreeBytes(): number {
  const v = Number(process.env.SHOTLIST_MIN_FREE_BYTES);
  return Number.isFinite(v) && v >= 0 ? v : 64 * 1024 * 1024;
}

async function lowOnSpace(dir: string): Promise<string | undefined> {
  const min = minFreeBytes();
  if (min === 0) return undefined;
  try {
    const s = await statfs(dir);
    const free = s.bavail * s.bsize;
    return free < min ? `only ${free.toLocaleString('en-US')} bytes free on the disk of ${dir} (shotlist keeps ${min.toLocaleString('en-US')} free for the journal and outputs)` : undefined;
  } catch {
    return undefined; // no statfs here: the write errors will tell
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface CellCtx {
  prep: PreparedRun;
  opts: ExecuteOptions;
  emit: (ev: DistributiveOmit<JournalEvent, 'v' | 't' | 'run'>) => Promise<void>;
  uploader: Uploader;
  cancel: AbortSignal;
  progress: Progress;
  tick: () => void;
  outDir: string;
  lockDir: string;
  /** Set when this machine could not write an output (disk full...): nothing new is submitted. */
  localError?: string;
}

/** One cell from submission (or re-attachment) to a probed file on disk. Never throws. */
async function runCell(ctx: CellCtx, cell: Cell, action: 'submit' | 'reattach' | 'recover', slots: CellSlots): Promise<LockedCell> {
  const { opts, emit } = ctx;
  const locked = baseLockedCell(cell);
  const j = ctx.prep.replayed.cells.get(cell.id);
  let requestId = action === 'reattach' ? j?.requestId : undefined;
  let attempt = j?.submissions ?? 0;
  let known: AwaitOutcome | undefined = action === 'reattach' && j?.phase === 'completed' && j.output
    ? { kind: 'completed', data: j.output, requestId: j.requestId! } : undefined;
  const fail = async (error: LockedCell['error'] & object): Promise<LockedCell> => {
    await emit({ type: 'failed', cell: cell.id, requestId, error });
    return { ...locked, requestId, status: 'failed', error };
  };
  try {
    if (action === 'recover' && j?.downloaded) {
      return await finish(ctx, cell, locked, j.requestId!, j.output ?? {}, j.downloaded, []);
    }
    for (let round = 0; round < 4; round++) {
      if (!requestId) {
        await slots.startJob(); // a resubmission after a lost download takes a job slot again
        if (opts.stop?.aborted) return locked; // interrupted before it was sent: stays pending
        // Paying for a job whose request id the journal may not have room to record (or whose
        // output has nowhere to go) is the one thing a full disk must not cause: stop first.
        const low = ctx.localError ?? await lowOnSpace(ctx.outDir);
        if (low) {
          if (!ctx.localError) opts.onNote?.(`${low}; no new cells are submitted. Free space and run again`);
          ctx.localError ??= low;
          return locked;
        }
        let input;
        try {
          const urls = new Map<string, string>();
          for (const f of cell.files) urls.set(f.sha256, await ctx.uploader.url(f));
          input = inputWithFiles(cell, (f) => urls.get(f.sha256)!);
        } catch (err) {
          return await fail({ kind: 'upload', message: (err as Error).message });
        }
        const sub = await submitCell(opts.client, cell.endpoint, input, {
          signal: opts.stop,
          onRetry: (n, why, ms) => opts.onNote?.(`${cell.id}: submit retry ${n} in ${Math.round(ms)} ms (${why})`),
        });
        locked.flags.push(...sub.flags);
        if (!sub.ok) {
          if (sub.aborted) return locked;
          return await fail(sub.error);
        }
        requestId = sub.requestId;
        attempt++;
        // Durable before waiting: a crash from here on re-attaches instead of paying again.
        await emit({ type: 'submitted', cell: cell.id, endpoint: cell.endpoint, requestId, attempt });
      }
      const rid: string = requestId;
      const outcome = known ?? await awaitCompletion(opts.client, cell.endpoint, rid, {
        signal: ctx.cancel,
        onStarted: () => void emit({ type: 'started', cell: cell.id, requestId: rid }).catch(() => undefined),
      });
      known = undefined;
      if (outcome.kind === 'aborted') {
        // --cancel-on-interrupt: cancel on fal's side too (aborting the wait alone never does).
        await opts.client.queue.cancel(cell.endpoint, { requestId: rid }).catch(() => undefined);
        await emit({ type: 'cancelled', cell: cell.id, requestId: rid });
        return { ...locked, requestId: rid, status: 'cancelled', error: { kind: 'interrupted', message: 'cancelled on fal after Ctrl-C (--cancel-on-interrupt)' } };
      }
      if (outcome.kind === 'lost') {
        await emit({ type: 'lost', cell: cell.id, requestId: rid, reason: outcome.reason });
        opts.onNote?.(`${cell.id}: ${outcome.reason}; submitting it again`);
        locked.flags.push(`resubmitted: ${outcome.reason}`);
        requestId = undefined;
        continue;
      }
      if (outcome.kind === 'failed') return await fail(outcome.error);
      ctx.progress.spentUsd = Math.round((ctx.progress.spentUsd + cell.estimate.usd) * 1e6) / 1e6;
      // The completion is on disk before fal's slot goes to the next cell, so a journal without
      // it means this job still held the slot: no other submit can be in flight behind it.
      if (action !== 'reattach' || j?.phase !== 'completed') await emit({ type: 'completed', cell: cell.id, requestId: rid, output: outcome.data });
      await slots.jobDone(); // fal's slot is free now; the download waits its turn
      const video = findVideo(outcome.data);
      if (!video) return await fail({ kind: 'job', message: 'the result has no video', detail: outcome.data });
      const dest = outputPathFor(ctx.outDir, cell);
      const dl = await downloadTo(video, dest);
      if (!dl.ok) {
        if (dl.local) {
          // Disk full, read-only, no permission: the job is done and paid for, and its result
          // stays on fal. Not `failed` (that would invite --retry-failed to pay again): the cell
          // stays completed in the journal, and the next run re-attaches and downloads it.
          if (!ctx.localError) opts.onNote?.(`${dl.error.message}; no new cells are submitted. Free space (or fix the folder) and run again: finished jobs are downloaded, not paid again`);
          ctx.localError ??= dl.error.message;
          return { ...locked, requestId: rid, status: 'pending', error: dl.error };
        }
        if (dl.error.status === 404 || dl.error.status === 410) {
          // The output expired before we got it: only a new job can bring it back.
          await emit({ type: 'lost', cell: cell.id, requestId: rid, reason: dl.error.message });
          requestId = undefined;
          continue;
        }
        if (action === 'reattach' && j?.phase === 'completed') {
          // The recorded URL failed; the result itself may still be there with a fresh URL.
          known = await fetchResult(opts.client, cell.endpoint, rid);
          if (known.kind === 'completed') { action = 'submit'; continue; }
        }
        return await fail(dl.error);
      }
      const file = posixRelative(ctx.outDir, dest);
      await emit({ type: 'downloaded', cell: cell.id, requestId: rid, file, sha256: dl.sha256, size: dl.size });
      return await finish(ctx, cell, locked, rid, outcome.data, { file, sha256: dl.sha256, size: dl.size, contentType: dl.contentType, url: video.url, bytes: dl.bytes }, dl.flags);
    }
    return await fail({ kind: 'job', message: 'fal lost the request 4 times in a row; giving up on this cell' });
  } catch (err) {
    return await fail({ kind: 'internal', message: (err as Error).message }).catch(() => ({ ...locked, status: 'failed' as const, error: { kind: 'internal', message: (err as Error).message } }));
  }
}

async function finish(
  ctx: CellCtx, cell: Cell, locked: LockedCell, requestId: string, data: Record<string, unknown>,
  file: { file: string; sha256: string; size: number; contentType?: string; url?: string; bytes?: Buffer }, flags: string[],
): Promise<LockedCell> {
  const abs = join(ctx.outDir, file.file);
  const meta = await probeVideo(abs, file.bytes);
  const seedUsed = typeof data.seed === 'number' ? data.seed : undefined;
  const video = findVideo(data);
  return {
    ...locked,
    requestId,
    seedUsed,
    status: 'succeeded',
    output: {
      file: posixRelative(ctx.lockDir, abs),
      sha256: file.sha256,
      size: file.size,
      contentType: file.contentType ?? video?.contentType ?? 'video/mp4',
      // Emulator URLs die with the emulator: never recorded.
      url: ctx.opts.target === 'fal' ? (file.url ?? video?.url) : undefined,
      meta,
    },
    flags: [...locked.flags, ...flags, ...conformanceFlags(cell, meta)],
  };
}
