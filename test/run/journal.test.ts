import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, readJournal } from '../../src/run/journal.js';
import type { JournalEvent } from '../../src/types.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'shotlist-journal-')); dirs.push(d); return d; };

const ev = (i: number): JournalEvent => ({ v: 1, t: '2026-11-21T00:00:00.000Z', run: 'r1', type: 'submitted', cell: `c${i}`, endpoint: 'e', requestId: `q${i}`, attempt: 1 });

describe('Journal', () => {
  it('writes every concurrently appended event, one per line, in append order', async () => {
    const path = join(tmp(), 'journal.jsonl');
    const j = await Journal.open(path);
    await Promise.all(Array.from({ length: 200 }, (_, i) => j.append(ev(i))));
    await j.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(lines.map((l) => JSON.parse(l).cell)).toEqual(Array.from({ length: 200 }, (_, i) => `c${i}`));
  });

  it('drops a torn last line left by a crash and appends cleanly after it', async () => {
    const path = join(tmp(), 'journal.jsonl');
    const j = await Journal.open(path);
    await j.append(ev(1));
    await j.close();
    appendFileSync(path, '{"v":1,"t":"2026-11-21T00:00:00.000Z","run":"r1","type":"subm');
    expect((await readJournal(path)).map((e) => (e as { cell: string }).cell)).toEqual(['c1']);
    const j2 = await Journal.open(path);
    await j2.append(ev(2));
    await j2.close();
    expect((await readJournal(path)).map((e) => (e as { cell: string }).cell)).toEqual(['c1', 'c2']);
  });

  it('refuses a journal damaged in the middle', async () => {
    const path = join(tmp(), 'journal.jsonl');
    appendFileSync(path, `${JSON.stringify(ev(1))}\nnot json\n${JSON.stringify(ev(2))}\n`);
    await expect(readJournal(path)).rejects.toThrow(/line 2 is not JSON/);
  });
});
