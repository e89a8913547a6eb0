// `<manifest>.lock.json`: the record of results, committed to git. Sorted keys, no timestamps, no
// emulator URLs; written atomically (temp + rename) and only when its bytes change, so a re-run
// that changed nothing leaves `git status` clean.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LOCK_VERSION, type Cell, type Json, type JsonObject, type LockedCell, type Lockfile, type Plan } from '../types.js';
import { toStableFile } from '../util/stableJson.js';
import { falClientVersion } from '../version.js';

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
  } catch {
    throw new LockfileError(`${path} is not valid JSON (a merge conflict?); fix it or delete it to start over`);
  }
  if (lock.version !== LOCK_VERSION) {
    throw new LockfileError(`${path} has lockfile version ${String(lock.version)}; this shotlist reads version ${LOCK_VERSION}`);
  }
  return lock;
}

/** Writes only when the bytes differ; temp file + rename so a crash never leaves half a lockfile. */
export async function writeLockfile(path: string, lock: Lockfile): Promise<boolean> {
  const text = toStableFile(lock);
  try {
    if ((await readFile(path, 'utf8')) === text) return false;
  } catch { /* new file */ }
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
  return true;
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
