// `shotlist run` end to end: the real CLI against a separate emulator process.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectOutputsMatchLock, makeProject, manifestText, readJournalFile, readLock, runCli, startEmulatorProcess, type EmulatorProcess,
} from './_helpers.js';

let emu: EmulatorProcess;
beforeAll(async () => { emu = await startEmulatorProcess(['--time-scale', '0.005']); });
afterAll(async () => { await emu.stop(); });

const total = (s: Record<string, number>) => Object.values(s).reduce((a, b) => a + b, 0);

describe('shotlist run', () => {
  it('runs a manifest, writes outputs, journal and a lockfile; a re-run makes no request and changes no byte; an edit re-runs one shot only', async () => {
    const p = makeProject();
    try {
      const before = await emu.stats();
      const r1 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url], { cwd: p.dir });
      expect(r1.stderr).not.toMatch(/internal error/);
      expect(r1.code).toBe(0);
      expect(r1.stdout).toContain('results: runs/dancer/');
      expect(r1.stdout).toContain('lockfile: dancer.lock.json');
      const lock = readLock(p);
      expect(lock.target).toBe('emulator');
      const cells = Object.values(lock.cells);
      expect(cells).toHaveLength(3);
      expect(cells.every((c) => c.status === 'succeeded')).toBe(true);
      expect(cells.map((c) => c.output!.file).sort()).toEqual(cells.map((c) => `runs/dancer/${c.shot}/${c.id}.mp4`).sort());
      expect(expectOutputsMatchLock(p).checked).toBe(3);
      // Probed, not copied from the request: 480p 16:9 is 832x480, 9 frames at 25 fps.
      expect(cells[0].output!.meta).toMatchObject({ width: 832, height: 480, numFrames: 9, fps: 25 });
      // Local files are recorded as path + sha256, never as an emulator URL.
      const intro = cells.find((c) => c.shot === 'intro')!;
      expect(JSON.stringify(intro.input)).toContain('"path":"start.png"');
      expect(readFileSync(p.lockPath, 'utf8')).not.toContain('127.0.0.1');
      const after1 = await emu.stats();
      expect(after1.uploads - before.uploads).toBe(1); // one keyframe image shared by both intro cells
      expect(after1.submissions - before.submissions).toBe(3);
      const journal = readJournalFile(p);
      expect(journal.filter((e) => e.type === 'submitted')).toHaveLength(3);
      expect(journal[0].type).toBe('run-start');

      // Re-run: no request at all, nothing rewritten.
      const lockBytes = readFileSync(p.lockPath);
      const journalBytes = readFileSync(join(p.outDir, 'journal.jsonl'));
      const reqBefore = total((await emu.stats()).requests);
      const r2 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url], { cwd: p.dir });
      expect(r2.code).toBe(0);
      expect(r2.stdout).toContain('(unchanged)');
      expect(total((await emu.stats()).requests)).toBe(reqBefore);
      expect(readFileSync(p.lockPath).equals(lockBytes)).toBe(true);
      expect(readFileSync(join(p.outDir, 'journal.jsonl')).equals(journalBytes)).toBe(true);

      // Edit the outro prompt: only that cell runs; the old outro cell leaves the lockfile.
      writeFileSync(p.manifest, manifestText({ outroPrompt: 'the dancer bows deeply' }));
      const subsBefore = (await emu.stats()).submissions;
      const r3 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url], { cwd: p.dir });
      expect(r3.code).toBe(0);
      expect((await emu.stats()).submissions - subsBefore).toBe(1);
      const lock3 = readLock(p);
      const oldOutro = cells.find((c) => c.shot === 'outro')!;
      expect(lock3.cells[oldOutro.id]).toBeUndefined();
      const newOutro = Object.values(lock3.cells).find((c) => c.shot === 'outro')!;
      expect(newOutro.input.prompt).toBe('the dancer bows deeply');
      for (const c of cells.filter((c) => c.shot === 'intro')) expect(lock3.cells[c.id]).toEqual(c);
      expect(expectOutputsMatchLock(p).checked).toBe(3);

      // A new intro seed uses the same keyframe image: its upload is cached, not repeated.
      writeFileSync(p.manifest, manifestText({ introSeeds: [1, 2, 9], outroPrompt: 'the dancer bows deeply' }));
      const s4 = await emu.stats();
      const r4 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url], { cwd: p.dir });
      expect(r4.code).toBe(0);
      const after4 = await emu.stats();
      expect(after4.submissions - s4.submissions).toBe(1);
      expect(after4.uploads - s4.uploads).toBe(0);
      expect(Object.values(readLock(p).cells)).toHaveLength(4);
    } finally {
      p.cleanup();
    }
  }, 60_000);

  it('refuses before sending anything when the estimate is above --max-cost or the manifest budget', async () => {
    const p = makeProject(manifestText({ budget: 0.5 })); // 3 cells x $0.20 = $0.60
    try {
      const before = total((await emu.stats()).requests);
      const r = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url], { cwd: p.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/estimated at \$0\.60, above the budget of \$0\.50 \(the manifest budget\)/);
      const r2 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--max-cost', '0.39', '--shot', 'intro'], { cwd: p.dir });
      expect(r2.code).toBe(2);
      expect(r2.stderr).toMatch(/2 cells to submit are estimated at \$0\.40, above the budget of \$0\.39 \(--max-cost\)/);
      expect(total((await emu.stats()).requests)).toBe(before);
      expect(existsSync(p.lockPath)).toBe(false);
      expect(existsSync(join(p.outDir, 'journal.jsonl'))).toBe(false);
      // A subset under budget runs.
      const r3 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--max-cost', '0.4', '--where', 'seed=3'], { cwd: p.dir });
      expect(r3.code).toBe(0);
      expect(Object.values(readLock(p).cells).map((c) => c.shot)).toEqual(['outro']);
    } finally {
      p.cleanup();
    }
  }, 30_000);

  it.each([
    [['run', 'dancer.yaml'], {}, /set FAL_KEY to run against fal\.ai, or pass --emulator/],
    [['run', 'dancer.yaml', '--shot', 'nope', '--emulator'], {}, /--shot nope: no such shot; shots are intro, outro/],
    [['run', 'dancer.yaml', '--where', 'steps=3', '--emulator'], {}, /`steps` is not a swept key; swept keys are seed/],
  ] as const)('usage problems exit 2 with a message: %j', async (args, env, message) => {
    const p = makeProject();
    try {
      const r = await runCli([...args], { cwd: p.dir, env });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    } finally {
      p.cleanup();
    }
  });

  it('against fal, refuses a large run without --yes when not on a terminal (before any network call)', async () => {
    const seeds = Array.from({ length: 21 }, (_, i) => i + 10);
    const p = makeProject(manifestText({ outroSeeds: seeds }));
    try {
      const r = await runCli(['run', 'dancer.yaml'], { cwd: p.dir, env: { FAL_KEY: 'not-a-real-key' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refusing to submit 23 cells \(~\$4\.60\) to fal without confirmation; pass --yes/);
      expect(r.stderr).not.toContain('not-a-real-key');
    } finally {
      p.cleanup();
    }
  });
});
