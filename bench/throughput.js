// Benchmarks 3, 5 and 6 of issue 6, all against an emulator in its own process with zero-duration
// jobs and tiny outputs (42x24 pixels, 9 frames), so what is measured is shotlist's own work:
//   3. overhead: cells/s through the whole pipeline (submit, status, result, download, hash,
//      probe, journal, lockfile, report.json) and CPU time per cell of the CLI process;
//   6. memory: the CLI's RSS sampled every 100 ms from /proc over a 1,000- and a 10,000-cell run;
//   5. warm re-run: the completed 10,000-cell manifest run again: wall time, and the emulator's
//      request counter before and after (must not move).
import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, fmt, loadavg, median, quantile, readJournal, requestCount, runNode, seedsManifest, startEmulatorProcess } from './lib.js';

const EMULATOR = { concurrency: 10000, duration: 'fixed:0', 'time-scale': 0, 'video-scale': 0.05, seed: 1 };
export const RUN_CONCURRENCY = 64;

function runArgs(manifest, url, extra = []) {
  return [CLI, 'run', manifest, '--emulator-url', url, '--concurrency', String(RUN_CONCURRENCY), '--quiet', '--reporter', 'json', ...extra];
}

/** Steady-state rate from the journal: cells downloaded per second between the first submit and the last download. */
function journalRate(journalPath) {
  const ev = readJournal(journalPath);
  const t = (type) => ev.filter((e) => e.type === type).map((e) => Date.parse(e.t));
  const first = Math.min(...t('submitted'));
  const last = Math.max(...t('downloaded'));
  return { cells: t('downloaded').length, firstSubmitToLastDownloadMs: last - first };
}

export async function overheadBench({ cells = 2000, reps = 3, log = console.error } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-bench-overhead-'));
  try {
    const manifest = join(dir, 'overhead.yaml');
    writeFileSync(manifest, seedsManifest('overhead', cells));
    const trials = [];
    // One warm-up (emulator encode cache, OS caches), then `reps` measured runs, each from an empty run folder.
    for (let rep = -1; rep < reps; rep++) {
      rmSync(join(dir, 'runs'), { recursive: true, force: true });
      rmSync(join(dir, 'overhead.lock.json'), { force: true });
      const emu = await startEmulatorProcess(EMULATOR);
      const load = loadavg();
      let r;
      try {
        r = await runNode(runArgs(manifest, emu.url), { cwd: dir, timed: true });
      } finally {
        await emu.stop();
      }
      if (r.code !== 0) throw new Error(`overhead run failed (${r.code}): ${r.stderr}`);
      if (rep < 0) continue;
      const j = journalRate(join(dir, 'runs/overhead/journal.jsonl'));
      if (j.cells !== cells) throw new Error(`overhead run downloaded ${j.cells} of ${cells} cells`);
      const t = {
        rep, loadAverage: load, wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssKb: r.maxRssKb,
        cellsPerSecond: cells / (r.wallMs / 1000),
        steadyCellsPerSecond: cells / (j.firstSubmitToLastDownloadMs / 1000),
        cpuMsPerCell: r.cpuMs / cells,
      };
      trials.push(t);
      log(`  overhead rep ${rep + 1}/${reps}: ${cells} cells in ${fmt.s(t.wallMs)} = ${t.cellsPerSecond.toFixed(0)} cells/s (steady ${t.steadyCellsPerSecond.toFixed(0)}), cpu ${t.cpuMsPerCell.toFixed(2)} ms/cell; load ${load.join(' ')}`);
    }
    return {
      cells, reps, runConcurrency: RUN_CONCURRENCY, emulator: EMULATOR, reporters: ['json'],
      cellsPerSecondMedian: median(trials.map((t) => t.cellsPerSecond)),
      steadyCellsPerSecondMedian: median(trials.map((t) => t.steadyCellsPerSecond)),
      cpuMsPerCellMedian: median(trials.map((t) => t.cpuMsPerCell)),
      trials,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** RSS over a run: the series, and its level at 25/50/75/100 % of the run's duration. */
function rssProfile(samples) {
  const end = samples.at(-1)?.ms ?? 0;
  const at = (f) => samples.filter((s) => s.ms <= end * f).at(-1)?.rssKb ?? NaN;
  // "During the run": samples between 10 % and 90 % of the wall time (start-up and the final lockfile/report excluded).
  const mid = samples.filter((s) => s.ms >= end * 0.1 && s.ms <= end * 0.9).map((s) => s.rssKb);
  return {
    peakKb: Math.max(...samples.map((s) => s.rssKb)),
    midRunMedianKb: median(mid),
    midRunMaxKb: Math.max(...mid),
    at25Kb: at(0.25), at50Kb: at(0.5), at75Kb: at(0.75), atEndKb: at(1),
    samples: samples.length,
  };
}

export async function longRunBench({ sizes = [1000, 10000], warmReps = 3, log = console.error } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-bench-long-'));
  const out = { sizes: {}, warm: undefined, runConcurrency: RUN_CONCURRENCY };
  try {
    // Each size twice: with node's defaults (what a user gets), and with the V8 old space capped at
    // 128 MB, which shows the live memory: V8 grows its heap with the allocation rate long before
    // it must collect, so default RSS measures GC laziness as much as what is retained.
    // A third variant, V8's own heap growth (`node --heap-growing-percent=0`, which turns off the
    // 50 % that `shotlist run` sets for itself), shows what that setting buys and costs.
    for (const variant of [
      { name: 'default', env: {} },
      { name: 'old-space 128 MB', env: { NODE_OPTIONS: '--max-old-space-size=128' } },
      { name: 'V8 heap growth', env: {}, nodeArgs: ['--heap-growing-percent=0'] },
    ]) {
      const byVariant = {};
      for (const n of sizes) {
        const name = `long${n}`;
        const manifest = join(dir, `${name}.yaml`);
        writeFileSync(manifest, seedsManifest(name, n, 23));
        rmSync(join(dir, 'runs', name), { recursive: true, force: true });
        rmSync(join(dir, `${name}.lock.json`), { force: true });
        const emu = await startEmulatorProcess(EMULATOR);
        const load = loadavg();
        let r;
        try {
          r = await runNode([...(variant.nodeArgs ?? []), ...runArgs(manifest, emu.url)], { cwd: dir, sampleMs: 100, env: variant.env });
        } finally {
          await emu.stop();
        }
        if (r.code !== 0) throw new Error(`${n}-cell run failed (${r.code}): ${r.stderr}`);
        const prof = rssProfile(r.samples);
        byVariant[n] = {
          loadAverage: load, wallMs: r.wallMs, cellsPerSecond: n / (r.wallMs / 1000), cpuMsApprox: r.cpuMs, ...prof,
          journalBytes: statSync(join(dir, `runs/${name}/journal.jsonl`)).size,
          lockfileBytes: statSync(join(dir, `${name}.lock.json`)).size,
          series: r.samples.filter((_, i) => i % Math.max(1, Math.floor(r.samples.length / 50)) === 0).map((s) => [Math.round(s.ms), Math.round(s.rssKb / 1024)]),
        };
        log(`  long run ${n} cells (${variant.name}): ${fmt.s(r.wallMs)}, ${(n / (r.wallMs / 1000)).toFixed(0)} cells/s, RSS mid-run median ${fmt.mb(prof.midRunMedianKb)}, peak ${fmt.mb(prof.peakKb)}; load ${load.join(' ')}`);
      }
      if (variant.name === 'default') out.sizes = byVariant;
      else if (variant.nodeArgs) out.v8Growth = { nodeArgs: variant.nodeArgs.join(' '), sizes: byVariant };
      else out.capped = { nodeOptions: variant.env.NODE_OPTIONS, sizes: byVariant };
    }

    // Warm re-run of the largest completed manifest, with a live emulator to count requests.
    const n = Math.max(...sizes);
    const manifest = join(dir, `long${n}.yaml`);
    const emu = await startEmulatorProcess(EMULATOR);
    const trials = [];
    try {
      for (let rep = 0; rep < warmReps; rep++) {
        const before = requestCount(await emu.stats());
        const load = loadavg();
        const r = await runNode(runArgs(manifest, emu.url), { cwd: dir, timed: true });
        const after = requestCount(await emu.stats());
        if (r.code !== 0) throw new Error(`warm re-run failed (${r.code}): ${r.stderr}`);
        trials.push({ rep, loadAverage: load, wallMs: r.wallMs, cpuMs: r.cpuMs, maxRssKb: r.maxRssKb, requests: after - before });
        log(`  warm re-run of ${n} cells: ${fmt.s(r.wallMs)}, ${after - before} requests to the emulator; load ${load.join(' ')}`);
      }
    } finally {
      await emu.stop();
    }
    out.warm = {
      cells: n, reps: warmReps,
      wallMedianMs: median(trials.map((t) => t.wallMs)),
      wallP95Ms: quantile(trials.map((t) => t.wallMs), 0.95),
      maxRssMedianKb: median(trials.map((t) => t.maxRssKb)),
      requests: trials.reduce((a, t) => a + t.requests, 0),
      trials,
    };
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
