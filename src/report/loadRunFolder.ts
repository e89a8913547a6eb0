// Reads a run folder back: its journal and the lockfile its run-start events point at. What
// `shotlist report <dir>` rebuilds from; it never needs the manifest or the network.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { JOURNAL_VERSION, LOCK_VERSION } from '../types.js';
import type { JournalEvent, Lockfile } from '../types.js';

/** The folder is not a readable run folder: a usage error (exit 2) at the CLI edge. */
export class RunFolderError extends Error {
  readonly code = 'E_RUN_FOLDER';
}

export interface RunFolder {
  runDir: string;
  journalPath: string;
  lockPath: string;
  journal: JournalEvent[];
  lock: Lockfile;
}

export async function loadRunFolder(dir: string): Promise<RunFolder> {
  const runDir = resolve(dir);
  const journalPath = join(runDir, 'journal.jsonl');
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new RunFolderError(`${dir} has no journal.jsonl; give the run folder \`shotlist run\` wrote (its --out)`);
    throw new RunFolderError(`cannot read ${journalPath}: ${(err as Error).message}`);
  }
  const journal = parseJournal(text, journalPath);
  const starts = journal.filter((e): e is Extract<JournalEvent, { type: 'run-start' }> => e.type === 'run-start');
  const last = starts.at(-1);
  if (!last) throw new RunFolderError(`${journalPath} has no run-start event, so it does not say which lockfile the run wrote`);
  const lockPath = resolve(runDir, last.lockfile);
  let lock: Lockfile;
  try {
    lock = JSON.parse(await readFile(lockPath, 'utf8')) as Lockfile;
  } catch (err) {
    throw new RunFolderError(`cannot read the lockfile ${last.lockfile} named by the journal: ${(err as Error).message}`);
  }
  if (lock.version !== LOCK_VERSION) throw new RunFolderError(`${last.lockfile} is lockfile version ${String(lock.version)}; this shotlist reads version ${LOCK_VERSION}`);
  return { runDir, journalPath, lockPath, journal, lock };
}

/**
 * One event per line. A torn last line (the process died mid-write) is dropped, as the run
 * engine's replay does; a bad line in the middle means the file was damaged, and is an error.
 */
export function parseJournal(text: string, name = 'journal.jsonl'): JournalEvent[] {
  const lines = text.split('\n');
  const events: JournalEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let event: JournalEvent;
    try {
      event = JSON.parse(line) as JournalEvent;
    } catch {
      if (lines.slice(i + 1).every((l) => !l.trim())) break;
      throw new RunFolderError(`${name}:${i + 1}: not a JSON event; the journal is damaged`);
    }
    if (event.v !== JOURNAL_VERSION) throw new RunFolderError(`${name}:${i + 1}: journal version ${String(event.v)}; this shotlist reads version ${JOURNAL_VERSION}`);
    events.push(event);
  }
  return events;
}
