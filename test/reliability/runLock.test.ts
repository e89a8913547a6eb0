// The run-folder lock under a stampede: a stale lock (its owner was killed) and eight processes
// that all try to take it at the same millisecond, eight times. At most one may win each round
// (before the takeover marker, two could: one removed the other's fresh lock as "stale").
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/_helpers.js';

const CHILD = `
const { acquireRunLock } = await import(${JSON.stringify(join(ROOT, 'dist/run/runLock.js'))});
const [dir, at] = process.argv.slice(1);
while (Date.now() < Number(at)) { /* start together */ }
try {
  const release = acquireRunLock(dir);
  process.stdout.write('won');
  await new Promise((r) => setTimeout(r, 1500)); // longer than any child's start-up lag
  release();
} catch (e) {
  process.stdout.write(e.constructor.name === 'RunFolderBusy' ? 'busy' : 'error ' + e.message);
}
`;

function child(dir: string, at: number): Promise<string> {
  return new Promise((done) => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir, String(at)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.on('close', () => done(out));
  });
}

describe('run-folder lock', () => {
  it('a stale lock taken over by eight processes at once: one winner per round', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shotlist-lock-'));
    try {
      const rounds: string[][] = [];
      for (let round = 0; round < 8; round++) {
        writeFileSync(join(dir, '.shotlist.lock'), '999999\n');
        const at = Date.now() + 1000;
        rounds.push(await Promise.all(Array.from({ length: 8 }, () => child(dir, at))));
      }
      const winners = rounds.map((r) => r.filter((o) => o === 'won').length);
      expect(rounds.flat().filter((o) => o !== 'won' && o !== 'busy')).toEqual([]);
      expect(winners.every((n) => n === 1), `winners per round: ${winners.join(' ')}`).toBe(true);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 120_000);
});
