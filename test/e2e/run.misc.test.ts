// Run folder lock, isolated reporters, and the --json event stream.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readLock, runCli } from './_helpers.js';

describe('shotlist run', () => {
  it('refuses a run folder another live process holds, and takes over a stale lock', async () => {
    const p = makeProject();
    try {
      mkdirSync(p.outDir, { recursive: true });
      writeFileSync(join(p.outDir, '.shotlist.lock'), `${process.pid}\n`); // alive: this test process
      const busy = await runCli(['run', 'dancer.yaml', '--emulator'], { cwd: p.dir });
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(new RegExp(`another shotlist process \\(pid ${process.pid}\\) is using`));
      writeFileSync(join(p.outDir, '.shotlist.lock'), '2147483646\n'); // no such process
      const ok = await runCli(['run', 'dancer.yaml', '--emulator'], { cwd: p.dir });
      expect(ok.code).toBe(0);
    } finally {
      p.cleanup();
    }
  }, 30_000);

  it('a reporter that throws does not stop the run but turns the exit status to 1', async () => {
    const p = makeProject();
    try {
      writeFileSync(join(p.dir, 'bad-reporter.mjs'), `export default { name: 'bad', onCellEnd() { throw new Error('boom'); } };\n`);
      const r = await runCli(['run', 'dancer.yaml', '--emulator', '--reporter', 'json', '--reporter', './bad-reporter.mjs'], { cwd: p.dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/reporter bad failed in onCellEnd: boom/);
      expect(Object.values(readLock(p).cells).every((c) => c.status === 'succeeded')).toBe(true);
    } finally {
      p.cleanup();
    }
  }, 30_000);

  it('--json prints the journal events as NDJSON on stdout, then a summary', async () => {
    const p = makeProject();
    try {
      const r = await runCli(['run', 'dancer.yaml', '--emulator', '--json', '--reporter', 'json'], { cwd: p.dir });
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; counts?: Record<string, number> });
      expect(lines[0].type).toBe('run-start');
      expect(lines.filter((l) => l.type === 'downloaded')).toHaveLength(3);
      expect(lines.at(-1)).toMatchObject({ type: 'summary', status: 'completed', exitCode: 0, counts: { succeeded: 3 } });
    } finally {
      p.cleanup();
    }
  }, 30_000);
});
