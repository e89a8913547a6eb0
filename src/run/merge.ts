// `shotlist merge <dirs...>`: the shard folders of one sharded run become what a single run of the
// same manifest would have written: the lockfile beside the manifest, the outputs under one run
// folder (default `runs/<name>/`), and one journal from which the reports are built (by the CLI,
// through src/report). Playwright's `merge-reports` is the model; like its blob reports, each
// shard folder says which shard it is (`shard.json`), so a missing, repeated or foreign shard is
// refused before anything is written.
import { createHash } from 'node:crypto';
import { constants, createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, realpath, rename, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { JOURNAL_VERSION, LOCK_VERSION, type JournalEvent, type LockedCell, type Lockfile } from '../types.js';
import { readJournal } from './journal.js';
import { lockPathFor, readLockfile, writeLockfile } from './lockfile.js';
import { posixRelative } from './prepare.js';
import { acquireRunLock } from './runLock.js';
import { readShardInfo, shardOf, SHARD_LOCK_FILE, ShardError, type ShardInfo } from './shard.js';

export interface MergeOptions {
  /** The merged run folder (default `runs/<name>/` beside the manifest, as a single run). */
  out?: string;
  /** The manifest, when the shard folders were moved away from where they ran. */
  manifest?: string;
}

export interface MergedShard {
  dir: string;
  info: ShardInfo;
  fragment: Lockfile;
  /** Run ids of the shard's journal, renamed in the merged journal (`r1` -> `s2of4-r1`). */
  runs: string[];
}

export interface MergeResult {
  shards: MergedShard[];
  manifestPath: string;
  outDir: string;
  lockPath: string;
  lock: Lockfile;
  lockWritten: boolean;
  journalPath: string;
  journal: JournalEvent[];
  /** `completed`; `failed` when a cell failed; `interrupted` when a cell is still pending. */
  status: 'completed' | 'failed' | 'interrupted';
  counts: Record<string, number>;
  /** Output files copied from the shard folders into the merged folder. */
  copied: number;
}

/** How a shard's run id reads in the merged journal: unique across shards, and re-merging replaces it. */
export function mergedRunId(info: Pick<ShardInfo, 'index' | 'total'>, run: string): string {
  return `s${info.index}of${info.total}-${run}`;
}

export async function mergeShards(dirs: string[], opts: MergeOptions = {}): Promise<MergeResult> {
  if (dirs.length === 0) throw new ShardError('merge needs the shard folders, e.g. `shotlist merge runs/dancer/shard-*`');
  const shards = await loadShards(dirs);
  const first = shards[0];
  const { total } = first.info;

  // One manifest version, one target, every shard exactly once.
  for (const s of shards) {
    if (s.info.total !== total) throw new ShardError(`${s.dir} is shard ${s.info.shard} but ${first.dir} is shard ${first.info.shard}: shards of different splits cannot be merged`);
    if (s.info.manifest.sha256 !== first.info.manifest.sha256) {
      throw new ShardError(`${s.dir} ran a different version of the manifest than ${first.dir} (sha256 ${s.info.manifest.sha256.slice(0, 12)} vs ${first.info.manifest.sha256.slice(0, 12)}): ` +
        'run every shard from the same commit, then merge');
    }
    if (s.fragment.target !== first.fragment.target) throw new ShardError(`${s.dir} ran against ${s.fragment.target} but ${first.dir} against ${first.fragment.target}: they cannot be one result`);
  }
  const byIndex = new Map<number, MergedShard>();
  for (const s of shards) {
    const other = byIndex.get(s.info.index);
    if (other) throw new ShardError(`${other.dir} and ${s.dir} are both shard ${s.info.shard}: give each shard once`);
    byIndex.set(s.info.index, s);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    throw new ShardError(`missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${total}`).join(', ')} ` +
      `(given ${shards.map((s) => s.info.shard).join(', ')}): its cells would be absent from the lockfile; run it, then merge all ${total}`);
  }
  shards.sort((a, b) => a.info.index - b.info.index);

  const manifestPath = resolve(opts.manifest ?? resolve(first.dir, first.info.manifest.path));
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(manifestPath);
  } catch {
    throw new ShardError(`cannot find the manifest ${posixRelative(process.cwd(), manifestPath)} the shards ran (they may have been moved); pass --manifest PATH`);
  }
  const sha = createHash('sha256').update(manifestBytes).digest('hex');
  if (sha !== first.info.manifest.sha256) {
    throw new ShardError(`${posixRelative(process.cwd(), manifestPath)} has changed since the shards ran it (sha256 ${sha.slice(0, 12)}, the shards ran ${first.info.manifest.sha256.slice(0, 12)}): ` +
      'merge on the commit the shards ran');
  }
  const manifestDir = dirname(manifestPath);
  const outDir = resolve(opts.out ?? join(manifestDir, 'runs', first.info.manifest.name));
  for (const s of shards) if (s.dir === outDir) throw new ShardError(`--out ${s.dir} is one of the shard folders; merge into another folder`);
  const lockPath = lockPathFor(manifestPath);
  const lockDir = dirname(lockPath);

  await mkdir(outDir, { recursive: true });
  const release = acquireRunLock(outDir);
  try {
    // Cells: each from the shard it hashes to; outputs the shard produced are copied in, keeping
    // their path inside the run folder (so the journal's `downloaded` paths stay true).
    const cells: Record<string, LockedCell> = {};
    let copied = 0;
    for (const s of shards) {
      const own = new Set(s.info.cells);
      for (const [id, cell] of Object.entries(s.fragment.cells)) {
        if (!own.has(id) || shardOf(id, total) !== s.info.index) {
          throw new ShardError(`${join(s.dir, SHARD_LOCK_FILE)} has cell ${id}, which is not a cell of shard ${s.info.shard}: the folder mixes shards; run it again`);
        }
        cells[id] = await placeOutput(cell, s, { outDir, lockDir, manifestDir }, () => copied++);
      }
    }
    const lock: Lockfile = {
      version: LOCK_VERSION,
      tool: first.fragment.tool,
      client: first.fragment.client,
      manifest: { path: posixRelative(lockDir, manifestPath), sha256: first.info.manifest.sha256 },
      target: first.fragment.target,
      cells,
    };
    const lockWritten = await writeLockfile(lockPath, lock);

    const journalPath = join(outDir, 'journal.jsonl');
    const journal = await mergeJournals(journalPath, shards, { outDir, manifestPath, lockPath });

    const counts: Record<string, number> = {};
    for (const c of Object.values(cells)) counts[c.status] = (counts[c.status] ?? 0) + 1;
    const status = counts.pending ? 'interrupted' : counts.failed || counts.cancelled ? 'failed' : 'completed';
    return { shards, manifestPath, outDir, lockPath, lock, lockWritten, journalPath, journal, status, counts, copied };
  } finally {
    release();
  }
}

async function loadShards(dirs: string[]): Promise<MergedShard[]> {
  const seen = new Set<string>();
  const shards: MergedShard[] = [];
  for (const d of dirs) {
    let dir: string;
    try {
      dir = await realpath(resolve(d));
    } catch {
      throw new ShardError(`${d}: no such folder`);
    }
    if (seen.has(dir)) continue; // the same folder twice (a glob and a name): once
    seen.add(dir);
    const info = await readShardInfo(dir);
    const fragment = await readLockfile(join(dir, SHARD_LOCK_FILE)).catch((err: Error) => {
      throw new ShardError(err.message);
    });
    if (!fragment) {
      throw new ShardError(`${d} has no ${SHARD_LOCK_FILE}: shard ${info.shard} did not finish (it writes its fragment at the end, even when interrupted); run it again`);
    }
    shards.push({ dir, info, fragment, runs: [] });
  }
  return shards;
}

interface Places {
  outDir: string;
  lockDir: string;
  manifestDir: string;
}

async function placeOutput(cell: LockedCell, s: MergedShard, p: Places, onCopy: () => void): Promise<LockedCell> {
  if (!cell.output) return cell;
  const inShard = resolve(s.dir, cell.output.file);
  if (isInside(s.dir, inShard) && existsSync(inShard)) {
    const dest = join(p.outDir, relative(s.dir, inShard));
    if (await copyUnlessSame(inShard, dest, cell.output.sha256)) onCopy();
    return { ...cell, output: { ...cell.output, file: posixRelative(p.lockDir, dest) } };
  }
  // A result the shard carried from the lockfile (cached): its path is relative to where the shard
  // folder was when it ran, which shard.json records relative to the manifest.
  const original = resolve(p.manifestDir, s.info.runDir, cell.output.file);
  return { ...cell, output: { ...cell.output, file: posixRelative(p.lockDir, original) } };
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** Copies (temp + rename, fsync'd) unless the destination already has these bytes. True when copied. */
async function copyUnlessSame(src: string, dest: string, sha256: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([stat(src), stat(dest)]);
    if (a.size === b.size && (await hashFile(dest)) === sha256) return false;
  } catch { /* not there yet */ }
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.part`;
  await copyFile(src, tmp, constants.COPYFILE_FICLONE);
  const h = await open(tmp, 'r+');
  try {
    await h.datasync();
  } finally {
    await h.close();
  }
  await rename(tmp, dest);
  return true;
}

function hashFile(path: string): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('error', rej).on('end', () => res(h.digest('hex')));
  });
}

/**
 * The merged journal: the run folder's own earlier events (a single run before, say), minus any
 * imported by an earlier merge of these shards, then each shard's events in shard order with run
 * ids made unique, `run-start` pointing at the merged folder's manifest and lockfile and naming
 * its shard. A later `shotlist run` in the merged folder replays it like its own: a job a shard
 * left in flight is re-attached, not paid for again.
 */
async function mergeJournals(journalPath: string, shards: MergedShard[], p: { outDir: string; manifestPath: string; lockPath: string }): Promise<JournalEvent[]> {
  const imported: JournalEvent[] = [];
  for (const s of shards) {
    const events = await readJournal(join(s.dir, 'journal.jsonl'));
    const runs = new Set<string>();
    for (const ev of events) {
      runs.add(ev.run);
      const run = mergedRunId(s.info, ev.run);
      if (ev.type === 'run-start') {
        imported.push({ ...ev, run, manifest: posixRelative(p.outDir, p.manifestPath), lockfile: posixRelative(p.outDir, p.lockPath), shard: s.info.shard });
      } else imported.push({ ...ev, run });
    }
    s.runs = [...runs];
  }
  const ids = new Set(imported.map((e) => e.run));
  const kept = (await readJournal(journalPath)).filter((e) => !ids.has(e.run));
  const all = [...kept, ...imported];
  if (all.length === 0 && !existsSync(journalPath)) return all;
  for (const e of all) if (e.v !== JOURNAL_VERSION) throw new ShardError(`a journal event has version ${String(e.v)}; this shotlist reads version ${JOURNAL_VERSION}`);
  const text = all.map((e) => JSON.stringify(e) + '\n').join('');
  const tmp = `${journalPath}.${process.pid}.tmp`;
  const h = await open(tmp, 'w');
  try {
    await h.writeFile(text);
    await h.datasync();
  } finally {
    await h.close();
  }
  await rename(tmp, journalPath);
  return all;
}
