// `shotlist run --shard i/n`: one CI job's slice of a plan (Playwright's `--shard` is the model).
// A cell belongs to the shard its id hashes to, not to a position in the plan, so adding or
// removing unrelated cells never moves a cell from one shard to another: a shard that already
// ran keeps its results, and only the new cells run. The price is balance: shards are equal in
// expectation, not exactly (a 12-cell plan over 4 shards may split 5/3/2/2).
//
// A shard writes into its own run folder (default `runs/<name>/shard-i-of-n/` beside the
// manifest): its journal, outputs, reports, `shard.json` (which shard, which manifest, which
// cells) and `shard.lock.json`, a lockfile fragment holding only this shard's cells with output
// paths relative to the shard folder. The lockfile beside the manifest is read, never written:
// its results for this shard's cells seed the fragment, so a cell cached there is not paid for
// again. `shotlist merge` (src/run/merge.ts) turns the fragments into that lockfile.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LOCK_VERSION, type Cell, type LockedCell, type Lockfile, type Plan } from '../types.js';
import { toStableFile } from '../util/stableJson.js';
import { falClientVersion } from '../version.js';
import { lockPathFor, readLockfile, writeLockfile } from './lockfile.js';
import { posixRelative } from './prepare.js';
import { RunFolderBusy } from './runLock.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

export const SHARD_VERSION = 1;
/** Which shard a folder holds: written by `run --shard`, read by `merge`. */
export const SHARD_INFO_FILE = 'shard.json';
/** The shard's lockfile fragment, in the shard's run folder. */
export const SHARD_LOCK_FILE = 'shard.lock.json';

export interface ShardSpec {
  /** 1-based, as on the command line (`--shard 2/4`). */
  index: number;
  total: number;
}

export interface ShardInfo {
  version: typeof SHARD_VERSION;
  /** `2/4`. */
  shard: string;
  index: number;
  total: number;
  manifest: {
    /** Relative to the shard folder (posix), like the journal's run-start. */
    path: string;
    name: string;
    sha256: string;
  };
  /**
   * The shard folder relative to the manifest's folder when it ran. Cached results carried in the
   * fragment point outside the shard folder; merge rebases them through this path, so it works on
   * a runner that downloaded the shards somewhere else.
   */
  runDir: string;
  target: Lockfile['target'];
  /** Every plan cell of this shard (sorted), whether or not this run executed it. */
  cells: string[];
}

export class ShardError extends Error {
  readonly code = 'E_SHARD';
}

export function parseShardSpec(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ShardError(`--shard ${text}: write it as INDEX/TOTAL, e.g. --shard 1/4 for the first of four shards`);
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1) throw new ShardError(`--shard ${text}: the number of shards must be at least 1`);
  if (index < 1 || index > total) throw new ShardError(`--shard ${text}: the shard index counts from 1 to ${total}`);
  return { index, total };
}

export function formatShard(spec: ShardSpec): string {
  return `${spec.index}/${spec.total}`;
}

/** `shard-2-of-4`: the default run folder name, and the artifact name in the GitHub workflow. */
export function shardDirName(spec: ShardSpec): string {
  return `shard-${spec.index}-of-${spec.total}`;
}

/** The 1-based shard a cell belongs to: its id hashed (sha256, first 32 bits) modulo the total. */
export function shardOf(cellId: string, total: number): number {
  return (createHash('sha256').update(cellId).digest().readUInt32BE(0) % total) + 1;
}

export function cellsOfShard<T extends { id: string }>(cells: T[], spec: ShardSpec): T[] {
  return cells.filter((c) => shardOf(c.id, spec.total) === spec.index);
}

/** `<manifest dir>/runs/<name>/shard-i-of-n/`. */
export function defaultShardOutDir(manifestPath: string, name: string, spec: ShardSpec): string {
  return join(dirname(resolve(manifestPath)), 'runs', name, shardDirName(spec));
}

export interface ShardFolder {
  spec: ShardSpec;
  outDir: string;
  /** Where the engine reads and writes this shard's lockfile (`<out>/shard.lock.json`). */
  fragmentPath: string;
  info: ShardInfo;
  /** This shard's cells: the selection handed to prepareRun (intersected with --shot/--where/--limit). */
  cells: Cell[];
  /**
   * Estimated USD of every cell of the whole sweep (all shards) that has no success in the
   * lockfile (or, for this shard, in its fragment). A manifest budget is for the sweep, not for
   * each shard: every shard checks it against this, so all of them refuse together.
   */
  sweepEstimateUsd: number;
}

export interface PrepareShardOptions {
  spec: ShardSpec;
  manifestPath: string;
  outDir: string;
  target: Lockfile['target'];
  /** --force: do not seed from the lockfile beside the manifest. */
  force?: boolean;
}

/**
 * Writes `shard.json` and seeds `shard.lock.json` before the engine's prepareRun reads it: the
 * fragment keeps its own entries for this shard's cells and takes from the manifest's lockfile
 * the ones it lacks (or a success where it has none), output paths rebased to the shard folder.
 * Entries of cells outside the shard are removed, so they are never carried into the fragment.
 */
export async function prepareShardFolder(plan: Plan, opts: PrepareShardOptions): Promise<ShardFolder> {
  const { spec, outDir, target } = opts;
  const manifestPath = resolve(opts.manifestPath);
  await mkdir(outDir, { recursive: true });
  refuseIfBusy(outDir);
  const cells = cellsOfShard(plan.cells, spec);
  const ids = new Set(cells.map((c) => c.id));
  const info: ShardInfo = {
    version: SHARD_VERSION,
    shard: formatShard(spec),
    index: spec.index,
    total: spec.total,
    manifest: { path: posixRelative(outDir, manifestPath), name: plan.manifest.name, sha256: plan.manifest.sha256 },
    runDir: posixRelative(dirname(manifestPath), outDir) || '.',
    target,
    cells: [...ids].sort(),
  };
  const infoPath = join(outDir, SHARD_INFO_FILE);
  const existing = readShardInfoIfAny(infoPath);
  if (existing && (existing.total !== spec.total || existing.index !== spec.index)) {
    throw new ShardError(`${outDir} holds shard ${existing.shard}, not ${info.shard}; give each shard its own --out folder`);
  }
  await writeFileAtomic(infoPath, toStableFile(info), { ifChanged: true });

  const fragmentPath = join(outDir, SHARD_LOCK_FILE);
  const fragment = await readLockfile(fragmentPath);
  const mainLockPath = lockPathFor(manifestPath);
  const main = await readLockfile(mainLockPath);
  if (main && main.target !== target && !opts.force) {
    // The same refusal a single run makes (prepare.ts TargetMismatch), before any shard spends.
    throw new ShardError(
      `${posixRelative(process.cwd(), mainLockPath)} records results from ${main.target}; running against ${target} would replace them. ` +
        'Use --force to replace them, or a copy of the manifest elsewhere to keep both',
    );
  }
  if (fragment && fragment.target !== target && !opts.force) {
    throw new ShardError(`${posixRelative(process.cwd(), fragmentPath)} records results from ${fragment.target}; running against ${target} would replace them. Use --force to replace them`);
  }
  const seeded: Record<string, LockedCell> = {};
  for (const id of [...ids].sort()) {
    const own = fragment?.target === target ? fragment.cells[id] : undefined;
    const fromMain = main && main.target === target && !opts.force ? main.cells[id] : undefined;
    if (fromMain && (!own || (fromMain.status === 'succeeded' && own.status !== 'succeeded'))) {
      seeded[id] = rebaseOutput(fromMain, dirname(mainLockPath), outDir);
    } else if (own) seeded[id] = own;
  }
  if (fragment || Object.keys(seeded).length > 0) {
    const lock: Lockfile = {
      version: LOCK_VERSION,
      tool: { name: 'shotlist', version: plan.tool.version },
      client: { name: '@fal-ai/client', version: falClientVersion() },
      manifest: { path: info.manifest.path, sha256: plan.manifest.sha256 },
      target,
      cells: seeded,
    };
    await writeLockfile(fragmentPath, lock);
  }
  let sweep = 0;
  for (const cell of plan.cells) {
    const done = (seeded[cell.id] ?? (main?.target === target && !opts.force ? main.cells[cell.id] : undefined))?.status === 'succeeded';
    if (opts.force || !done) sweep += cell.estimate.usd; // --force resubmits every cell in every shard
  }
  return { spec, outDir, fragmentPath, info, cells, sweepEstimateUsd: Math.round(sweep * 1e6) / 1e6 };
}

/** A locked cell whose output path is relative to `fromDir`, made relative to `toDir`. */
export function rebaseOutput(cell: LockedCell, fromDir: string, toDir: string): LockedCell {
  if (!cell.output) return cell;
  return { ...cell, output: { ...cell.output, file: posixRelative(toDir, resolve(fromDir, cell.output.file)) } };
}

export async function readShardInfo(dir: string): Promise<ShardInfo> {
  const path = join(dir, SHARD_INFO_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ShardError(`${dir} is not a shard folder (no ${SHARD_INFO_FILE}); give the folders \`shotlist run --shard i/n\` wrote`);
    }
    throw new ShardError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseShardInfo(text, path);
}

function parseShardInfo(text: string, path: string): ShardInfo {
  let info: ShardInfo;
  try {
    info = JSON.parse(text) as ShardInfo;
  } catch {
    throw new ShardError(`${path} is not valid JSON`);
  }
  if (info.version !== SHARD_VERSION) throw new ShardError(`${path} has shard version ${String(info.version)}; this shotlist reads version ${SHARD_VERSION}`);
  if (!Number.isInteger(info.index) || !Number.isInteger(info.total) || info.index < 1 || info.index > info.total || !Array.isArray(info.cells)) {
    throw new ShardError(`${path} is damaged (shard ${String(info.shard)})`);
  }
  return info;
}

function readShardInfoIfAny(path: string): ShardInfo | undefined {
  if (!existsSync(path)) return undefined;
  return parseShardInfo(readFileSync(path, 'utf8'), path);
}

/**
 * The fragment is seeded before prepareRun takes the run-folder lock; a live owner must not have
 * its fragment rewritten under it, so the same check is made here first.
 */
function refuseIfBusy(outDir: string): void {
  const lock = join(outDir, '.shotlist.lock');
  let pid = NaN;
  try {
    pid = Number(readFileSync(lock, 'utf8').trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return; // stale: prepareRun takes it over
  }
  throw new RunFolderBusy(lock, pid);
}

