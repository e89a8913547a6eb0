// `<manifest>.lock.json`: the record of results, committed to git. Sorted keys, no timestamps, no
// emulator URLs; written atomically (temp + rename) and only when its bytes change, so a re-run
// that changed nothing leaves `git status` clean.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LOCK_VERSION, type Cell, type Json, type JsonObject, type LockedCell, type Lockfile, type Plan } from '../types.js';
import { toStableFile } from '../util/stableJson.js';
import { falClientVersion } from '../version.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

/** `dancer.yaml` -> `dancer.lock.json` beside it. */
export function lockPathFor(manifestPath: string): string {
  const base = basename(manifestPath).replace(/\.ya?ml$/i, '');
  return join(dirname(manifestPath), `${base}.lock.json`);
}

export class LockfileError extends Error {}

export async function readLockfile(path: string): Promise<Lockfile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let lock: Lockfile;
  try {
    lock = JSON.parse(text) as Lockfile;
  } catch (err) {
    // Where, as file:line:col, so an editor jumps there; the file is left exactly as it is.
    const at = /position (\d+)/.exec((err as Error).message);
    const offset = at ? Number(at[1]) : text.length;
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const col = before[before.length - 1].length + 1;
    const conflict = /^(<<<<<<<|=======|>>>>>>>)/m.test(text) ? ' (it has git merge conflict markers)' : '';
    throw new LockfileError(`${path}:${line}:${col}: the lockfile is not valid JSON${conflict}: ${(err as Error).message.replace(/\s*\(line \d+ column \d+\)/, '')}; fix it (or delete it to start over); shotlist has not changed it`);
  }
  if (!lock || typeof lock !== 'object' || Array.isArray(lock)) throw new LockfileError(`${path}:1:1: the lockfile is not a JSON object; fix it (or delete it to start over); shotlist has not changed it`);
  if (lock.version !== LOCK_VERSION) {
    throw new LockfileError(`${path} has lockfile version ${String(lock.version)}; this shotlist reads version ${LOCK_VERSION}`);
  }
  return lock;
}

/**
 * Runs `fn` holding `<lockfile>.writing` (pid inside; a dead owner's lock is taken over), so two
 * processes never interleave a read-merge-write of the same lockfile. Waits up to 30 s.
 */
export async function withLockfileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.writing`;
  const t0 = Date.now();
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      // No pid yet: its owner is between creating and writing it.
      let alive = !(Number.isInteger(pid) && pid > 0) && Date.now() - t0 < 2000;
      try { if (Number.isInteger(pid) && pid > 0) { process.kill(pid, 0); alive = true; } } catch (e) { alive = (e as NodeJS.ErrnoException).code === 'EPERM'; }
      if (!alive || Date.now() - t0 > 30_000) await rm(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true }).catch(() => undefined);
  }
}

/** Writes only when the bytes differ; temp file + rename so a crash never leaves half a lockfile. */
export async function writeLockfile(path: string, lock: Lockfile): Promise<boolean> {
  // Disk full or read-only: the old lockfile stays whole, and no half temp file is left beside it.
  return writeFileAtomic(path, toStableFile(lock), { ifChanged: true });
}

function setPointer(obj: JsonObject, pointer: string, value: Json): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let cur: Json = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    cur = (cur as Record<string, Json>)[parts[i]] ?? null;
    if (cur === null || typeof cur !== 'object') throw new Error(`JSON pointer ${pointer} does not exist in the cell input`);
  }
  (cur as Record<string, Json>)[parts[parts.length - 1]] = value;
}

/** The cell input with each local file replaced (by URL for sending, `{path, sha256}` for the lockfile). */
export function inputWithFiles(cell: Cell, replace: (f: Cell['files'][number]) => Json): JsonObject {
  // Without files the plan's own object serves (it is only ever serialised, never changed): one
  // copy per cell fewer in the heap of a long run, where every lockfile entry stays live.
  if (cell.files.length === 0) return cell.input;
  const copy = structuredClone(cell.input);
  for (const f of cell.files) setPointer(copy, f.pointer, replace(f));
  return copy;
}

export function lockedInput(cell: Cell): JsonObject {
  return inputWithFiles(cell, (f) => ({ path: f.path, sha256: f.sha256 }));
}

/** A lockfile entry for a cell with no result yet (fields filled by the engine as it learns). */
export function baseLockedCell(cell: Cell): LockedCell {
  return {
    id: cell.id,
    shot: cell.shot,
    sweep: cell.sweep,
    endpoint: cell.endpoint,
    input: lockedInput(cell),
    seed: cell.seed,
    status: 'pending',
    flags: [],
    estimateUsd: cell.estimate.usd,
  };
}

export function buildLockfile(plan: Plan, manifestRelPath: string, target: Lockfile['target'], cells: Map<string, LockedCell>): Lockfile {
  const out: Record<string, LockedCell> = {};
  // Only cells still in the manifest: the rest are dropped.
  for (const cell of plan.cells) {
    const locked = cells.get(cell.id);
    if (locked) out[cell.id] = locked;
  }
  return {
    version: LOCK_VERSION,
    tool: { name: 'shotlist', version: plan.tool.version },
    client: { name: '@fal-ai/client', version: falClientVersion() },
    manifest: { path: manifestRelPath, sha256: plan.manifest.sha256 },
    target,
    cells: out,
  };
}
