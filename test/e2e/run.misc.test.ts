// Run folder lock, isolated reporters, and the --json event stream.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it('--grid picks the contact sheet axes; an axis the plan does not sweep is refused before anything runs', async () => {
    const p = makeProject();
    try {
      const bad = await runCli(['run', 'dancer.yaml', '--emulator', '--grid', 'x=loras[0].scale'], { cwd: p.dir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--grid x=loras\[0\]\.scale: no such axis; the swept axes are `seed`, `shot`/);
      expect(existsSync(p.outDir)).toBe(false); // nothing submitted, nothing written
      const ok = await runCli(['run', 'dancer.yaml', '--emulator', '--grid', 'x=shot,y=seed'], { cwd: p.dir });
      expect(ok.code).toBe(0);
      const report = JSON.parse(readFileSync(join(p.outDir, 'report.json'), 'utf8')) as { grid: { x: string; y: string } };
      expect([report.grid.x, report.grid.y]).toEqual(['shot', 'seed']);
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
