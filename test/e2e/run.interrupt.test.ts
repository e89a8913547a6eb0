// Crashes and Ctrl-C: a restarted run re-attaches to jobs already submitted, so every cell is
// submitted exactly once (the emulator counts submissions per canonical input).
// The kills use --concurrency 1 so that no other submit is in flight at the kill: a submit whose
// answer is lost to a crash is the one window shotlist cannot close (docs/run.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectOutputsMatchLock, makeProject, manifestText, readJournalFile, readLock, runCli, startCli, startEmulatorProcess, waitFor, type EmulatorProcess, type Project,
} from './_helpers.js';

let emu: EmulatorProcess;
// 400 ms per job; every download takes 300 ms, so a kill can land in the middle of one.
beforeAll(async () => { emu = await startEmulatorProcess(['--duration', 'fixed:0.4', '--time-scale', '1', '--faults', 'slow=1,slow-for=300ms']); });
afterAll(async () => { await emu.stop(); });

const six = () => makeProject(manifestText({ introSeeds: [1, 2, 3], outroSeeds: [4, 5, 6] }));
const count = (p: Project, type: string) => readJournalFile(p).filter((e) => e.type === type).length;

describe('shotlist run after kill -9 and Ctrl-C', () => {
  it('killed with SIGKILL after a submit, mid-download and mid-job, then restarted: completes with every cell submitted exactly once', async () => {
    const p = six();
    try {
      const before = (await emu.stats()).submissions;
      const args = ['run', 'dancer.yaml', '--emulator-url', emu.url, '--concurrency', '1', '--quiet'];
      // Kill points outside a submit's round trip. A kill between fal accepting a submit and its
      // request id reaching the journal is the one window no client can close (no fal API lists
      // a key's requests; docs/run.md); the chaos suite (test/reliability) kills at random and
      // accounts for it. At concurrency 1 the slot freed by a completion submits the next cell at
      // once, so "mid-download" waits until that submit is journaled (downloads take 300 ms here).
      const kills: Array<() => boolean> = [
        () => count(p, 'submitted') >= 1,
        () => count(p, 'completed') >= 2 && count(p, 'submitted') >= 3,
      ];
      for (const when of kills) {
        const { child, done } = startCli(args, { cwd: p.dir });
        await waitFor(when, 20_000, 'kill point');
        child.kill('SIGKILL');
        expect((await done).signal).toBe('SIGKILL');
      }
      const startedBefore = count(p, 'started');
      const completedBefore = count(p, 'completed');
      const third = startCli(args, { cwd: p.dir });
      // Mid-job: started and not yet completed. The engine journals a completion before it frees
      // fal's slot, so at concurrency 1 no submit can be in flight at this kill.
      await waitFor(() => count(p, 'started') > startedBefore && count(p, 'completed') === completedBefore, 20_000, 'a job in progress');
      third.child.kill('SIGKILL');
      await third.done;
      const journal = readJournalFile(p);
      expect(journal.filter((e) => e.type === 'run-start')).toHaveLength(3);
      expect(journal.some((e) => e.type === 'completed')).toBe(true);

      const final = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--concurrency', '3'], { cwd: p.dir });
      expect(final.stderr).not.toMatch(/internal error/);
      expect(final.code).toBe(0);
      const lock = readLock(p);
      expect(Object.values(lock.cells).map((c) => c.status)).toEqual(Array(6).fill('succeeded'));
      expect(expectOutputsMatchLock(p).checked).toBe(6);
      const stats = await emu.stats();
      const story = readJournalFile(p).map((e) => `${e.run} ${e.type} ${'cell' in e ? e.cell : ''} ${'requestId' in e ? e.requestId : ''}`).join('\n');
      expect(stats.submissions - before, `journal:\n${story}`).toBe(6);
      expect(readJournalFile(p).filter((e) => e.type === 'submitted')).toHaveLength(6);
      // Each cell's request id in the lockfile is the one it was first submitted with.
      const firstSubmit = new Map<string, string>();
      for (const e of readJournalFile(p)) if (e.type === 'submitted' && !firstSubmit.has(e.cell)) firstSubmit.set(e.cell, e.requestId);
      for (const c of Object.values(lock.cells)) expect(c.requestId).toBe(firstSubmit.get(c.id));
    } finally {
      p.cleanup();
    }
  }, 90_000);

  it('Ctrl-C once: no new submissions, the in-flight job finishes and downloads, exit 130; the next run finishes the rest', async () => {
    const p = six();
    try {
      const before = (await emu.stats()).submissions;
      const { child, done } = startCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--concurrency', '1'], { cwd: p.dir });
      await waitFor(() => count(p, 'submitted') >= 1, 20_000, 'first submit');
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/interrupted: no new submissions; letting in-flight jobs finish and download/);
      expect(r.stdout).toContain('results: runs/dancer/');
      const lock = readLock(p);
      expect(Object.values(lock.cells).map((c) => c.status)).toEqual(['succeeded']);
      expect(expectOutputsMatchLock(p).checked).toBe(1);
      expect((await emu.stats()).submissions - before).toBe(1);

      const r2 = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--concurrency', '3'], { cwd: p.dir });
      expect(r2.code).toBe(0);
      expect(Object.values(readLock(p).cells)).toHaveLength(6);
      expect((await emu.stats()).submissions - before).toBe(6);
    } finally {
      p.cleanup();
    }
  }, 60_000);

  it('Ctrl-C twice: exits at once with 130 leaving the journal; the next run re-attaches instead of submitting again', async () => {
    const p = six();
    try {
    // Its own emulator with 4 s jobs, so "did not wait for the job" needs no tight timing on a
    // loaded machine.
    const slow = await startEmulatorProcess(['--duration', 'fixed:4', '--time-scale', '1', '--concurrency', '6']);
    try {
      const before = (await slow.stats()).submissions;
      const { child, done } = startCli(['run', 'dancer.yaml', '--emulator-url', slow.url, '--concurrency', '1'], { cwd: p.dir });
      await waitFor(() => count(p, 'submitted') >= 1, 20_000, 'first submit');
      const t0 = Date.now();
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 30));
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).toBe(130);
      expect(Date.now() - t0).toBeLessThan(3000); // did not wait for the 4 s job
      expect(r.stderr).toMatch(/exiting now; the journal is on disk/);
      expect(count(p, 'downloaded')).toBe(0);
      const submitted = readJournalFile(p).find((e) => e.type === 'submitted') as { cell: string; requestId: string };

      const r2 = await runCli(['run', 'dancer.yaml', '--emulator-url', slow.url, '--concurrency', '6'], { cwd: p.dir });
      expect(r2.code).toBe(0);
      expect((await slow.stats()).submissions - before).toBe(6);
      expect(readLock(p).cells[submitted.cell].requestId).toBe(submitted.requestId);
    } finally {
      await slow.stop();
    }
    } finally {
      p.cleanup();
    }
  }, 60_000);

  it('--cancel-on-interrupt cancels the in-flight job on fal and records it as cancelled', async () => {
    const p = six();
    try {
      const cancelsBefore = (await emu.stats()).cancels;
      const { child, done } = startCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--concurrency', '1', '--cancel-on-interrupt'], { cwd: p.dir });
      await waitFor(() => count(p, 'submitted') >= 1, 20_000, 'first submit');
      child.kill('SIGINT');
      const r = await done;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/cancelling in-flight jobs on fal/);
      expect((await emu.stats()).cancels - cancelsBefore).toBe(1);
      const cells = Object.values(readLock(p).cells);
      expect(cells.map((c) => [c.status, c.error?.kind])).toEqual([['cancelled', 'interrupted']]);
      expect(readFileSync(join(p.outDir, 'journal.jsonl'), 'utf8')).toContain('"type":"cancelled"');
    } finally {
      p.cleanup();
    }
  }, 60_000);
});
