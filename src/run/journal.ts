// `<out>/journal.jsonl`: the durable record of a run in time. Append-only, one JournalEvent per
// line. `append` resolves only after the line is on disk (fdatasync), so "submitted" is durable
// before anything waits on the job. Appends that arrive while a flush is in progress are written
// and synced together (group commit): one fdatasync per batch instead of one per event.
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { JOURNAL_VERSION, type JournalEvent } from '../types.js';

type Pending = { line: string; resolve: () => void; reject: (e: unknown) => void };

const open_ = new Set<Journal>();

/**
 * Resolves when every open journal has written what was appended so far (or after `maxMs`).
 * A hard exit (second Ctrl-C) waits for this, so a `submitted` event whose job fal already
 * accepted is not lost to the exit.
 */
export async function drainJournals(maxMs = 1000): Promise<void> {
  const t0 = Date.now();
  while ([...open_].some((j) => j.busy) && Date.now() - t0 < maxMs) await new Promise((r) => setTimeout(r, 2));
}

export class Journal {
  private queue: Pending[] = [];
  private flushing = false;
  private closed = false;

  private constructor(private readonly handle: FileHandle, readonly path: string) {
    open_.add(this);
  }

  get busy(): boolean {
    return this.flushing || this.queue.length > 0;
  }

  /** Opens for append, first cutting off a torn last line left by a crash mid-write. */
  static async open(path: string): Promise<Journal> {
    await repairTail(path);
    const handle = await open(path, 'a');
    return new Journal(handle, path);
  }

  append(event: JournalEvent): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`journal ${this.path} is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ line: JSON.stringify(event) + '\n', resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      try {
        await this.handle.write(batch.map((p) => p.line).join(''));
        await this.handle.datasync();
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setTimeout(r, 1));
    this.closed = true;
    open_.delete(this);
    await this.handle.close();
  }
}

async function repairTail(path: string): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return;
  }
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  const lastNewline = bytes.lastIndexOf(0x0a);
  await truncate(path, lastNewline + 1);
}

/** Reads a journal; a torn last line (crash mid-write) is ignored. Missing file -> []. */
export async function readJournal(path: string): Promise<JournalEvent[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const events: JournalEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    try {
      const ev = JSON.parse(line) as JournalEvent;
      if (ev.v !== JOURNAL_VERSION) throw new Error(`journal ${path} line ${i + 1} has version ${String(ev.v)}; this shotlist reads version ${JOURNAL_VERSION}`);
      events.push(ev);
    } catch (err) {
      if (i === lines.length - 1) break; // torn tail
      throw err instanceof SyntaxError ? new Error(`journal ${path} line ${i + 1} is not JSON`) : err;
    }
  }
  return events;
}
