// Every fault kind of the emulator is either recovered (the run succeeds, without a duplicate job
// where one can be avoided) or reported on its cell with fal's message.
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectOutputsMatchLock, makeProject, manifestText, readJournalFile, readLock, runCli, startCli, startEmulatorProcess, waitFor, type EmulatorProcess, type Project,
} from './_helpers.js';

let emu: EmulatorProcess | undefined;
let project: Project | undefined;
afterEach(async () => {
  await emu?.stop();
  project?.cleanup();
  emu = project = undefined;
});

const sixCells = () => manifestText({ introSeeds: [1, 2, 3], outroSeeds: [4, 5, 6] });

describe('shotlist run under emulator faults', () => {
  it.each([
    ['429', '429=0.3,retry-after=0'],
    ['500', '500=0.25'],
    ['502', '502=0.3'],
    ['503', '503=0.3'],
    ['reset', 'reset=0.3'],
    ['slow', 'slow=0.5,slow-for=300ms'],
    ['truncate', 'truncate=0.4'],
  ])('recovers from %s without paying twice', async (kind, faults) => {
    emu = await startEmulatorProcess(['--time-scale', '0.005', '--seed', '7', '--faults', faults]);
    project = makeProject(sixCells());
    const r = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet'], { cwd: project.dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const stats = await emu.stats();
    expect(stats.faults[kind]).toBeGreaterThan(0); // the fault really happened
    expect(stats.submissions).toBe(6);
    expect(Object.values(stats.submissionsByInput).every((n) => n === 1)).toBe(true);
    expect(Object.values(readLock(project).cells).map((c) => c.status)).toEqual(Array(6).fill('succeeded'));
    expect(expectOutputsMatchLock(project).checked).toBe(6);
  }, 60_000);

  it('lost-submit: the cell still succeeds, and the possible duplicate job is flagged on exactly the cells it hit', async () => {
    emu = await startEmulatorProcess(['--time-scale', '0.005', '--seed', '3', '--faults', 'lost-submit=0.4']);
    project = makeProject(sixCells());
    const r = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet'], { cwd: project.dir });
    expect(r.code).toBe(0);
    const stats = await emu.stats();
    expect(stats.faults['lost-submit']).toBeGreaterThan(0);
    const cells = Object.values(readLock(project).cells);
    expect(cells.every((c) => c.status === 'succeeded')).toBe(true);
    const flagged = cells.filter((c) => c.flags.some((f) => /may have accepted and billed an extra job/.test(f)));
    // fal accepted a job whose answer was lost: the only duplicates, and each one is on record.
    expect(stats.submissions - 6).toBe(stats.faults['lost-submit']);
    expect(flagged.length).toBeGreaterThan(0);
    expect(stats.submissions - 6).toBeLessThanOrEqual(flagged.reduce((n, c) => n + c.flags.filter((f) => /extra job/.test(f)).length, 0));
  }, 60_000);

  it('fail: failed jobs are recorded with fal\'s message, not retried; exit 1; --retry-failed submits only them', async () => {
    emu = await startEmulatorProcess(['--time-scale', '0.005', '--seed', '1', '--faults', 'fail=0.5']);
    project = makeProject(sixCells());
    const r = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet'], { cwd: project.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cells? failed; see the reports, and run again with --retry-failed/);
    const cells = Object.values(readLock(project).cells);
    const failed = cells.filter((c) => c.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const c of failed) {
      expect(c.error).toMatchObject({ kind: 'job', status: 500 });
      expect(c.error!.message).toMatch(/emulated failure/);
      expect(c.output).toBeUndefined();
    }
    expect((await emu.stats()).submissions).toBe(6);

    // A plain re-run keeps the failures (exit 1) without submitting anything.
    const again = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet'], { cwd: project.dir });
    expect(again.code).toBe(1);
    expect((await emu.stats()).submissions).toBe(6);

    const retry = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet', '--retry-failed'], { cwd: project.dir });
    expect((await emu.stats()).submissions).toBe(6 + failed.length);
    const after = readLock(project);
    for (const c of cells.filter((c) => c.status === 'succeeded')) expect(after.cells[c.id]).toEqual(c);
    expect(retry.code).toBe(Object.values(after.cells).every((c) => c.status === 'succeeded') ? 0 : 1);
  }, 60_000);

  it('expire: a job whose result fal no longer has is submitted again after a crash (journal `lost`), and only then', async () => {
    emu = await startEmulatorProcess(['--duration', 'fixed:0.2', '--time-scale', '1', '--faults', 'expire=100ms']);
    project = makeProject(sixCells());
    const p = project;
    const { child, done } = startCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--concurrency', '1', '--quiet'], { cwd: p.dir });
    await waitFor(() => readJournalFile(p).some((e) => e.type === 'submitted'), 20_000, 'first submit');
    child.kill('SIGKILL');
    await done;
    await new Promise((r) => setTimeout(r, 600)); // job done (200 ms) and its result expired (100 ms later)
    const r = await runCli(['run', 'dancer.yaml', '--emulator-url', emu.url, '--quiet'], { cwd: p.dir });
    expect(r.code).toBe(0);
    const lost = readJournalFile(p).filter((e) => e.type === 'lost');
    expect(lost).toHaveLength(1);
    const stats = await emu.stats();
    expect(stats.expired).toBeGreaterThanOrEqual(1);
    expect(stats.submissions).toBe(7); // 6 cells + the one fal had forgotten
    const cell = readLock(p).cells[(lost[0] as { cell: string }).cell];
    expect(cell.status).toBe('succeeded');
    expect(cell.flags.join()).toMatch(/resubmitted: .*no longer has/);
  }, 60_000);
});
