// Benchmarks 1 and 2 of issue 6: scheduling against fal's concurrency model, and completion
// latency. The same cells go through `shotlist run` and through the script a user would write
// (bench/baseline.js), each against a fresh emulator process at 16 slots whose job durations are
// drawn from a fixed log-normal distribution keyed on the input, so both face identical work.
//
// Ideal bound = max(total work / slots, longest job), from the emulator's planned durations.
// Makespan = process spawn -> last output file on disk (shotlist: the journal's last
// `downloaded` event; baseline: its own timestamps). Completion latency = the emulator's
// completion timestamp -> the client holding the result (shotlist: the journal's `completed`
// event time; baseline: `fal.subscribe` resolving). Same machine, same clock.
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, fmt, loadavg, median, quantile, readJournal, runNode, seedsManifest, startEmulatorProcess } from './lib.js';

export const SLOTS = 16;
/** Realistic-looking seconds (median 20 s, long right tail), time-scaled by `timeScale`. */
export const DURATION = 'lognormal:20:0.6';
export const VIDEO_SCALE = 0.05; // 832x480 -> 42x24 pixels: encoding never dominates

export async function schedulingBench({ cells = 400, reps = 3, timeScale = 0.05, shotlistConcurrency = [SLOTS], log = console.error } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-bench-sched-'));
  try {
    const manifest = join(dir, 'sched.yaml');
    writeFileSync(manifest, seedsManifest('sched', cells));
    const planOut = await runNode([CLI, 'plan', manifest, '--json'], { cwd: dir });
    if (planOut.code !== 0) throw new Error(`plan failed: ${planOut.stderr}`);
    const plan = JSON.parse(planOut.stdout);
    const inputsFile = join(dir, 'inputs.json');
    writeFileSync(inputsFile, JSON.stringify(plan.cells.map((c) => ({ id: c.id, endpoint: c.endpoint, input: c.input }))));

    const emuOpts = (ts) => ({ concurrency: SLOTS, duration: DURATION, 'time-scale': ts, 'video-scale': VIDEO_SCALE, seed: 1 });
    const clean = () => {
      rmSync(join(dir, 'runs'), { recursive: true, force: true });
      rmSync(join(dir, 'sched.lock.json'), { force: true });
      rmSync(join(dir, 'baseline-out'), { recursive: true, force: true });
    };

    // Warm-up at time scale 0: the emulator's encode cache, the OS file cache, V8's code cache.
    {
      const emu = await startEmulatorProcess(emuOpts(0));
      const r = await runNode([CLI, 'run', manifest, '--emulator-url', emu.url, '--concurrency', '64', '--quiet', '--reporter', 'json'], { cwd: dir });
      await emu.stop();
      if (r.code !== 0) throw new Error(`warm-up run failed (${r.code}): ${r.stderr}`);
      clean();
    }

    const contenders = [
      ...shotlistConcurrency.map((c) => ({ name: c === SLOTS ? 'shotlist' : `shotlist --concurrency ${c}`, kind: 'shotlist', concurrency: c })),
      { name: 'baseline', kind: 'baseline', concurrency: SLOTS },
    ];
    const trials = [];
    for (let rep = 0; rep < reps; rep++) {
      // Alternate the order so neither side always runs on a warmer (or busier) machine.
      const order = rep % 2 === 0 ? contenders : [...contenders].reverse();
      for (const who of order) {
        clean();
        const emu = await startEmulatorProcess(emuOpts(timeScale));
        const load = loadavg();
        let trial;
        try {
          trial = who.kind === 'shotlist' ? await runShotlist(dir, manifest, emu, who.concurrency) : await runBaseline(dir, inputsFile, emu, who.concurrency);
        } finally {
          await emu.stop();
        }
        const ideal = idealBound(trial.jobs);
        const t = {
          who: who.name, rep, loadAverage: load, ...ideal,
          makespanMs: trial.lastOutputAt - trial.startedAt,
          // The same, from the first job reaching the emulator: without process start-up and planning.
          fromFirstSubmitMs: trial.lastOutputAt - Math.min(...trial.jobs.map((j) => j.createdAt)),
          startupMs: Math.min(...trial.jobs.map((j) => j.createdAt)) - trial.startedAt,
          processWallMs: trial.wallMs,
          submissions: trial.jobs.length,
          latenciesMs: trial.latencies,
        };
        t.ratio = t.makespanMs / t.idealMs;
        trials.push(t);
        log(`  scheduling rep ${rep + 1}/${reps} ${who.name}: makespan ${fmt.s(t.makespanMs)}, ideal ${fmt.s(t.idealMs)} (${fmt.x(t.ratio)}), latency median ${fmt.ms(median(t.latenciesMs))}; load ${load.join(' ')}`);
      }
    }

    const summary = {};
    for (const who of contenders) {
      const mine = trials.filter((t) => t.who === who.name);
      const lat = mine.flatMap((t) => t.latenciesMs);
      summary[who.name] = {
        makespanMedianMs: median(mine.map((t) => t.makespanMs)),
        processWallMedianMs: median(mine.map((t) => t.processWallMs)),
        idealMs: median(mine.map((t) => t.idealMs)),
        ratioToIdealMedian: median(mine.map((t) => t.ratio)),
        ratioToIdealRuns: mine.map((t) => round(t.ratio, 4)),
        fromFirstSubmitRatioMedian: median(mine.map((t) => t.fromFirstSubmitMs / t.idealMs)),
        startupMedianMs: median(mine.map((t) => t.startupMs)),
        completionLatency: { medianMs: median(lat), p95Ms: quantile(lat, 0.95), maxMs: Math.max(...lat), samples: lat.length },
      };
    }
    const base = summary.baseline;
    for (const who of contenders) {
      if (who.kind !== 'shotlist') continue;
      // Per repetition (same machine state, same work): shotlist makespan / baseline makespan.
      const ratios = [];
      for (let rep = 0; rep < reps; rep++) {
        const a = trials.find((t) => t.who === who.name && t.rep === rep);
        const b = trials.find((t) => t.who === 'baseline' && t.rep === rep);
        if (a && b) ratios.push(a.makespanMs / b.makespanMs);
      }
      summary[who.name].ratioToBaselineMedian = median(ratios);
    }
    const first = trials[0];
    const greedyFloorRatio = median(trials.filter((t) => t.who === 'shotlist').map((t) => t.greedyMs / t.idealMs));
    return {
      greedyFloorRatio,
      cells, reps, slots: SLOTS, duration: DURATION, timeScale, videoScale: VIDEO_SCALE,
      workload: { totalWorkMs: first.totalWorkMs, longestJobMs: first.longestMs, meanJobMs: first.totalWorkMs / first.submissions },
      summary,
      trials: trials.map(({ latenciesMs, ...t }) => ({ ...t, latencyMedianMs: median(latenciesMs), latencyP95Ms: quantile(latenciesMs, 0.95) })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x, n) {
  return Math.round(x * 10 ** n) / 10 ** n;
}

/** max(total work / slots, longest job), over the jobs the emulator ran (planned durations, time-scaled). */
export function idealBound(jobs) {
  const durations = jobs.map((j) => j.plannedMs);
  const totalWorkMs = durations.reduce((a, b) => a + b, 0);
  const longestMs = Math.max(...durations);
  // The best any client can do without knowing durations in advance: jobs start in submission
  // order on the first free slot, with zero overhead (list scheduling). Not a target, a floor.
  const free = new Array(SLOTS).fill(0);
  for (const j of [...jobs].sort((a, b) => a.createdAt - b.createdAt)) {
    let k = 0;
    for (let i = 1; i < SLOTS; i++) if (free[i] < free[k]) k = i;
    free[k] += j.plannedMs;
  }
  return { idealMs: Math.max(totalWorkMs / SLOTS, longestMs), totalWorkMs, longestMs, greedyMs: Math.max(...free) };
}

async function runShotlist(dir, manifest, emu, concurrency) {
  const r = await runNode([CLI, 'run', manifest, '--emulator-url', emu.url, '--concurrency', String(concurrency), '--quiet'], { cwd: dir });
  if (r.code !== 0) throw new Error(`shotlist run failed (${r.code}): ${r.stderr}`);
  const jobs = await emu.jobs();
  const completedAt = new Map(jobs.map((j) => [j.requestId, j.completedAt]));
  const events = readJournal(join(dir, 'runs/sched/journal.jsonl'));
  const latencies = events.filter((e) => e.type === 'completed').map((e) => Date.parse(e.t) - completedAt.get(e.requestId));
  const lastOutputAt = Math.max(...events.filter((e) => e.type === 'downloaded').map((e) => Date.parse(e.t)));
  return { jobs, latencies, lastOutputAt, startedAt: r.startedAt, wallMs: r.wallMs };
}

async function runBaseline(dir, inputsFile, emu, concurrency) {
  const timingsFile = join(dir, 'baseline-timings.json');
  const r = await runNode([join(ROOT, 'bench/baseline.js'), emu.url, inputsFile, join(dir, 'baseline-out'), String(concurrency), timingsFile], { cwd: ROOT });
  if (r.code !== 0) throw new Error(`baseline failed (${r.code}): ${r.stderr}`);
  const jobs = await emu.jobs();
  const completedAt = new Map(jobs.map((j) => [j.requestId, j.completedAt]));
  const timings = JSON.parse(readFileSync(timingsFile, 'utf8'));
  const latencies = timings.map((t) => t.heldAt - completedAt.get(t.requestId));
  const lastOutputAt = Math.max(...timings.map((t) => t.savedAt));
  return { jobs, latencies, lastOutputAt, startedAt: r.startedAt, wallMs: r.wallMs };
}
