// Disk and file faults: an output folder that cannot be written, a full disk (a small tmpfs,
// then grown, as freeing space would), a lockfile edited into invalid JSON, and two shotlist
// processes on the same manifest at once. A separate emulator process counts submissions, so
// "nothing is paid twice" is checked against what the server saw.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent, Lockfile } from '../../src/types.js';
import { expectOutputsMatchLock, makeProject, manifestText, png, readLock, runCli, startCli, startEmulatorProcess, type EmulatorProcess } from '../e2e/_helpers.js';

const NO_TRACE = /^\s+at .+[:(]\d+:\d+\)?$/m;
let emu: EmulatorProcess;

beforeAll(async () => {
  emu = await startEmulatorProcess(['--time-scale', '0.001', '--video-scale', '0.25', '--concurrency', '4']);
}, 120_000);
afterAll(async () => { await emu?.stop(); });

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function leftovers(dir: string): string[] {
  return walk(dir).filter((f) => /\.(tmp|part)$/.test(f)).map((f) => relative(dir, f));
}

/** Each cell of the plan was submitted to the emulator exactly `n` times, by canonical input. */
async function submissions(): Promise<number[]> {
  return Object.values((await emu.stats()).submissionsByInput);
}

describe('an output folder that cannot be written', () => {
  it('a path through a file: exit 2, a plain message, nothing submitted', async () => {
    const p = makeProject();
    try {
      writeFileSync(join(p.dir, 'afile'), 'x');
      const before = (await emu.stats()).submissions;
      const r = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--out', 'afile/out'], { cwd: p.dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/ENOTDIR.*afile\/out[\s\S]*not a folder/);
      expect(r.stderr).not.toMatch(NO_TRACE);
      expect(r.stderr).not.toMatch(/internal error/);
      expect((await emu.stats()).submissions).toBe(before);
      expect(existsSync(p.lockPath)).toBe(false);
    } finally { p.cleanup(); }
  });

  it('a read-only file system: exit 2, a plain message, nothing submitted', async (ctx) => {
    const p = makeProject();
    const ro = join(p.dir, 'ro');
    mkdirSync(ro);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,ro', 'tmpfs', ro]);
    if (m.status !== 0) { p.cleanup(); ctx.skip(); return; }
    try {
      const r = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--out', 'ro/out'], { cwd: p.dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/cannot be created there|read-only/);
      expect(r.stderr).not.toMatch(NO_TRACE);
    } finally {
      spawnSync('umount', [ro]);
      p.cleanup();
    }
  });

  it('a folder without write permission (non-root only; root ignores modes)', async (ctx) => {
    if (process.getuid?.() === 0) { ctx.skip(); return; }
    const p = makeProject();
    try {
      mkdirSync(join(p.dir, 'locked'));
      chmodSync(join(p.dir, 'locked'), 0o555);
      const r = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--out', 'locked/out'], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/EACCES[\s\S]*permission denied/);
    } finally { chmodSync(join(p.dir, 'locked'), 0o755); p.cleanup(); }
  });
});

describe('a full disk', () => {
  it('nothing is paid for without room to record it; after space is freed every cell finishes, each job submitted once', async (ctx) => {
    const top = mkdtempSync(join(tmpdir(), 'shotlist-full-'));
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', top]);
    if (m.status !== 0) {
      rmSync(top, { recursive: true, force: true });
      console.warn(`skipped: cannot mount a tmpfs here (${String(m.stderr).trim()}); run as root to test a full disk`);
      ctx.skip();
      return;
    }
    try {
      writeFileSync(join(top, 'start.png'), png());
      // 12 cells, ~6 KB each at video scale 0.25 (a 4 KB page or two on tmpfs): more than fits.
      writeFileSync(join(top, 'dancer.yaml'), manifestText({ introSeeds: [1, 2, 3, 4, 5, 6], outroSeeds: [7, 8, 9, 10, 11, 12] }));
      writeFileSync(join(top, 'ballast.bin'), Buffer.alloc(16 * 1024, 1));
      await fetch(`${emu.url}/_emulator/reset-stats`, { method: 'POST' });
      const args = ['run', 'dancer.yaml', '--emulator-url', emu.url, '--yes', '--concurrency', '2'];

      // 1. With the default reserve (64 MiB) a 96 KB disk is already too full: nothing is submitted.
      const refused = await runCli(args, { cwd: top });
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr + refused.stdout).toMatch(/bytes free on the disk of .* no new cells are submitted/);
      expect((await emu.stats()).submissions).toBe(0);

      // 2. With a small reserve the disk fills as outputs arrive; submitting stops before it is full.
      const small = { SHOTLIST_MIN_FREE_BYTES: String(24 * 1024) };
      const first = await runCli(args, { cwd: top, env: small });
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr + first.stdout).toMatch(/bytes free|no space left on device|disk is full/i);
      expect(first.stderr).not.toMatch(NO_TRACE);
      expect(first.stderr).not.toMatch(/internal error/);
      expect(leftovers(top)).toEqual([]);
      const partly = (await emu.stats()).submissions;
      expect(partly).toBeGreaterThan(0);
      expect(partly).toBeLessThan(12);

      // 3. Space comes back: the rest is submitted, nothing twice.
      expect(spawnSync('mount', ['-o', 'remount,size=16m', top]).status).toBe(0);
      const second = await runCli(args, { cwd: top, env: small });
      expect(second.code, second.stderr + second.stdout).toBe(0);
      const lock = JSON.parse(readFileSync(join(top, 'dancer.lock.json'), 'utf8')) as Lockfile;
      expect(Object.values(lock.cells).map((c) => c.status)).toEqual(Array(12).fill('succeeded'));
      expect(expectOutputsMatchLock({ dir: top, lockPath: join(top, 'dancer.lock.json') } as never).checked).toBe(12);
      const subs = await submissions();
      expect(subs.length).toBe(12);
      expect(subs.every((n) => n === 1), JSON.stringify(subs)).toBe(true);
      const journal = readFileSync(join(top, 'runs/dancer/journal.jsonl'), 'utf8').split('\n').filter(Boolean);
      for (const line of journal) expect(() => JSON.parse(line) as JournalEvent).not.toThrow();
      expect(leftovers(top)).toEqual([]);
    } finally {
      spawnSync('umount', [top]);
      rmSync(top, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('temp files of a killed process', () => {
  it('are removed by the next run: a download\'s .part in the run folder, a lockfile .tmp beside the manifest', async () => {
    const p = makeProject();
    try {
      const first = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--quiet'], { cwd: p.dir });
      expect(first.code, first.stderr).toBe(0);
      // What SIGKILL leaves behind mid-write (pid 999999 does not exist).
      writeFileSync(join(p.outDir, 'intro', 'c0ffee000000.mp4.999999.part'), 'half a video');
      writeFileSync(`${p.lockPath}.999999.tmp`, '{"half": ');
      const again = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--quiet'], { cwd: p.dir });
      expect(again.code, again.stderr).toBe(0);
      expect(leftovers(p.dir)).toEqual([]);
    } finally { p.cleanup(); }
  }, 60_000);
});

describe('a lockfile edited by hand into invalid JSON', () => {
  it('run and plan exit 2 naming the file, line and column, and change nothing', async () => {
    const p = makeProject();
    try {
      const ok = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--quiet'], { cwd: p.dir });
      expect(ok.code, ok.stderr).toBe(0);
      const text = readFileSync(p.lockPath, 'utf8').split('\n');
      text.splice(3, 0, '<<<<<<< HEAD', '  "oops": true,', '=======');
      const broken = text.join('\n');
      writeFileSync(p.lockPath, broken);
      const outputs = walk(p.outDir).map((f) => [f, readFileSync(f).length]);
      for (const args of [['run', p.manifest, '--emulator-url', emu.url, '--yes'], ['plan', p.manifest], ['run', p.manifest, '--emulator-url', emu.url, '--yes', '--force']]) {
        const r = await runCli(args, { cwd: p.dir });
        expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
        expect(r.stderr, args.join(' ')).toMatch(/dancer\.lock\.json:4:1: the lockfile is not valid JSON \(it has git merge conflict markers\)/);
        expect(r.stderr).not.toMatch(NO_TRACE);
        expect(readFileSync(p.lockPath, 'utf8')).toBe(broken);
      }
      expect(walk(p.outDir).map((f) => [f, readFileSync(f).length])).toEqual(outputs);
    } finally { p.cleanup(); }
  }, 60_000);
});

describe('two shotlist processes on the same manifest at once', () => {
  // Jobs of about a second here, so the two processes really overlap.
  let slow: EmulatorProcess;
  beforeAll(async () => { slow = await startEmulatorProcess(['--time-scale', '0.1', '--video-scale', '0.25', '--concurrency', '2', '--duration', 'fixed:10']); }, 60_000);
  afterAll(async () => { await slow?.stop(); });
  it('the second refuses; the first finishes; nothing is corrupted or paid twice', async () => {
    const p = makeProject(manifestText({ introSeeds: [21, 22, 23, 24], outroSeeds: [25, 26, 27, 28] }));
    try {
            const a = startCli(['run', p.manifest, '--emulator-url', slow.url, '--yes', '--quiet'], { cwd: p.dir });
      // Let the first take the run folder, then start the second while it works.
      while (!existsSync(join(p.outDir, '.shotlist.lock')) && a.child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
      const b = await runCli(['run', p.manifest, '--emulator-url', slow.url, '--yes', '--quiet'], { cwd: p.dir });
      const ra = await a.done;
      expect(ra.code, ra.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(2);
      expect(b.stderr).toMatch(/another shotlist process \(pid \d+\) is using/);
      expect(readLock(p).cells).toBeDefined();
      expect(Object.values(readLock(p).cells).every((c) => c.status === 'succeeded')).toBe(true);
      expect(expectOutputsMatchLock(p).checked).toBe(8);
      expect(Object.values((await slow.stats()).submissionsByInput).every((n) => n === 1)).toBe(true);
      expect(leftovers(p.dir)).toEqual([]);
    } finally { p.cleanup(); }
  }, 60_000);

  it('four started at once on a stale lock (its owner was killed): exactly one takes it over', async () => {
    const p = makeProject(manifestText({ introSeeds: [41, 42], outroSeeds: [43, 44] }));
    try {
      mkdirSync(p.outDir, { recursive: true });
      writeFileSync(join(p.outDir, '.shotlist.lock'), '999999\n'); // no such process
      const runs = await Promise.all([0, 1, 2, 3].map(() => runCli(['run', p.manifest, '--emulator-url', slow.url, '--yes', '--quiet'], { cwd: p.dir })));
      const codes = runs.map((r) => r.code).sort();
      expect(codes, runs.map((r) => r.stderr).join('\n')).toEqual([0, 2, 2, 2]);
      for (const r of runs.filter((x) => x.code === 2)) expect(r.stderr).toMatch(/another shotlist process \(pid \d+\) is using/);
      expect(Object.values(readLock(p).cells).map((c) => c.status)).toEqual(Array(4).fill('succeeded'));
      expect(expectOutputsMatchLock(p).checked).toBe(4);
      expect(leftovers(p.dir)).toEqual([]);
      expect(existsSync(join(p.outDir, '.shotlist.lock.takeover'))).toBe(false);
    } finally { p.cleanup(); }
  }, 60_000);

  it('two runs into different --out folders share the lockfile without losing each other\'s cells', async () => {
    const p = makeProject(manifestText({ introSeeds: [31, 32, 33], outroSeeds: [34, 35, 36] }));
    try {
      const args = (out: string, shot: string) => ['run', p.manifest, '--emulator-url', slow.url, '--yes', '--quiet', '--out', out, '--shot', shot];
      const [x, y] = await Promise.all([runCli(args('runs/x', 'intro'), { cwd: p.dir }), runCli(args('runs/y', 'outro'), { cwd: p.dir })]);
      expect([x.code, y.code], x.stderr + y.stderr).toEqual([0, 0]);
      const lock = readLock(p);
      expect(Object.values(lock.cells).map((c) => c.status).sort()).toEqual(Array(6).fill('succeeded'));
    } finally { p.cleanup(); }
  }, 60_000);
});

