#!/usr/bin/env node
// `npm run bench`: every benchmark of issue 6, a table on stdout, and bench/results.json with a
// description of the machine. Builds first (tsc), unless BENCH_NO_BUILD=1.
// BENCH_QUICK=1: a smoke pass (fewer cells and repetitions, time-scaled harder), ~1 minute.
// BENCH_ONLY=scheduling,overhead,long,plan runs a subset, written to $TMPDIR/shotlist-bench-results-<names>.json
// (bench/results.json is only written by a full run).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, QUICK, fmt, loadavg, machine } from './lib.js';
import { schedulingBench, SLOTS } from './scheduling.js';
import { overheadBench, longRunBench } from './throughput.js';
import { planBench } from './plan.js';

const log = (line) => process.stderr.write(`${line}\n`);
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : undefined;
const want = (name) => !only || only.has(name);

if (process.env.BENCH_NO_BUILD !== '1') {
  log('building (tsc)...');
  const b = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], { encoding: 'utf8' });
  if (b.status !== 0) log(`tsc reported errors (dist/ is still emitted; benchmarks use it):\n${b.stdout.split('\n').slice(0, 10).join('\n')}`);
}

const settings = QUICK
  ? { scheduling: { cells: 400, reps: 1, timeScale: 0.01 }, overhead: { cells: 500, reps: 1 }, long: { sizes: [200, 1000], warmReps: 1 }, plan: { reps: 1 } }
  : { scheduling: { cells: 400, reps: 3, timeScale: 0.05 }, overhead: { cells: 2000, reps: 3 }, long: { sizes: [1000, 10000], warmReps: 3 }, plan: { reps: 3 } };

const t0 = performance.now();
const results = { version: 1, generatedAt: new Date().toISOString(), quick: QUICK, machine: machine(), settings, command: QUICK ? 'BENCH_QUICK=1 npm run bench' : 'npm run bench' };
log(`machine: ${results.machine.cpuModel}, ${results.machine.cores} cores, ${results.machine.memoryGb} GB, node ${results.machine.node}; load average ${results.machine.loadAverageAtStart.join(' ')}`);

if (want('scheduling')) {
  log('1+2. scheduling and completion latency (shotlist vs p-limit + fal.subscribe, same cells, fresh emulator per run)...');
  results.scheduling = await schedulingBench({ ...settings.scheduling, log });
}
if (want('overhead')) {
  log('3. overhead: zero-duration jobs, tiny outputs...');
  results.overhead = await overheadBench({ ...settings.overhead, log });
}
if (want('plan')) {
  log('4. planning at scale...');
  results.plan = planBench({ ...settings.plan, log });
}
if (want('long')) {
  log('5+6. long runs (RSS over time) and warm re-run of the completed manifest...');
  results.long = await longRunBench({ ...settings.long, log });
}
results.loadAverageAtEnd = loadavg();
results.totalSeconds = Math.round((performance.now() - t0) / 1000);

// ---------------------------------------------------------------------------------------------
const rows = [];
const row = (bench, figure, value, target, ok) => rows.push([bench, figure, value, target, ok === undefined ? '' : ok ? 'met' : 'MISSED']);
if (results.scheduling) {
  const s = results.scheduling;
  const sl = s.summary.shotlist;
  const bl = s.summary.baseline;
  const w = `${s.cells} cells, ${s.slots} slots`;
  row(`1 scheduling (${w})`, 'ideal bound max(work/slots, longest)', fmt.s(sl.idealMs), '', undefined);
  row('', 'shotlist makespan / ideal', `${fmt.x(sl.ratioToIdealMedian)} (${fmt.s(sl.makespanMedianMs)})`, '<= 1.05 x', sl.ratioToIdealMedian <= 1.05);
  for (const [name, v] of Object.entries(s.summary)) {
    if (name === 'shotlist' || name === 'baseline') continue;
    row('', `${name} makespan / ideal`, `${fmt.x(v.ratioToIdealMedian)} (${fmt.s(v.makespanMedianMs)})`, '', undefined);
  }
  row('', 'baseline makespan / ideal', `${fmt.x(bl.ratioToIdealMedian)} (${fmt.s(bl.makespanMedianMs)})`, '', undefined);
  row('', 'from first submit / ideal: shotlist, baseline', `${fmt.x(sl.fromFirstSubmitRatioMedian)}, ${fmt.x(bl.fromFirstSubmitRatioMedian)}`, '', undefined);
  row('', 'start-up to first submit: shotlist, baseline', `${fmt.ms(sl.startupMedianMs)}, ${fmt.ms(bl.startupMedianMs)}`, '', undefined);
  row('', 'greedy zero-overhead floor / ideal', fmt.x(s.greedyFloorRatio), '', undefined);
  row('', 'shotlist / baseline makespan', fmt.x(sl.ratioToBaselineMedian), '< 1 x', sl.ratioToBaselineMedian < 1);
  row('2 completion latency', 'shotlist median / p95', `${fmt.ms(sl.completionLatency.medianMs)} / ${fmt.ms(sl.completionLatency.p95Ms)}`, 'median < 50 ms', sl.completionLatency.medianMs < 50);
  row('', 'baseline median / p95', `${fmt.ms(bl.completionLatency.medianMs)} / ${fmt.ms(bl.completionLatency.p95Ms)}`, '', undefined);
}
if (results.overhead) {
  const o = results.overhead;
  row(`3 overhead (${o.cells} cells, 0 s jobs)`, 'cells/s, process spawn to exit', o.cellsPerSecondMedian.toFixed(0), '>= 300 cells/s', o.cellsPerSecondMedian >= 300);
  row('', 'cells/s, first submit to last download', o.steadyCellsPerSecondMedian.toFixed(0), '', undefined);
  row('', 'CPU time per cell (CLI process)', fmt.ms(o.cpuMsPerCellMedian), '', undefined);
}
if (results.plan) {
  const p = results.plan;
  row('4 planning', 'plan 100,000 cells: wall / CPU', `${fmt.s(p.plan100k.wallMedianMs)} / ${fmt.s(p.plan100k.cpuMedianMs)}`, '< 3 s', p.plan100k.wallMedianMs < 3000);
  row('', 'plan 100,000 cells: peak RSS', `${p.plan100k.peakRssMedianMb.toFixed(0)} MB`, '< 300 MB', p.plan100k.peakRssMedianMb < 300);
  row('', '`shotlist validate` 1,000 shots: wall, RSS', `${fmt.s(p.validate1000Shots.wallMedianMs)}, ${p.validate1000Shots.peakRssMedianMb.toFixed(0)} MB`, '', undefined);
}
if (results.long) {
  const l = results.long;
  const sizes = Object.keys(l.sizes).map(Number).sort((a, b) => a - b);
  const growth = (set) => set[sizes.at(-1)].midRunMedianKb / set[sizes[0]].midRunMedianKb;
  for (const n of sizes) {
    const x = l.sizes[n];
    row(n === sizes[0] ? '6 memory over a long run' : '', `${n} cells: RSS mid-run median / peak`, `${fmt.mb(x.midRunMedianKb)} / ${fmt.mb(x.peakKb)} (${fmt.s(x.wallMs)}, ${x.cellsPerSecond.toFixed(0)} cells/s)`, '', undefined);
  }
  if (sizes.length > 1) {
    l.midRunGrowth = growth(l.sizes);
    row('', `mid-run RSS ${sizes.at(-1)} / ${sizes[0]} cells, shotlist's defaults`, fmt.x(l.midRunGrowth), 'flat (< 1.5 x)', l.midRunGrowth < 1.5);
  }
  if (l.v8Growth) {
    for (const n of sizes) {
      const x = l.v8Growth.sizes[n];
      row('', `${n} cells, node ${l.v8Growth.nodeArgs}: RSS mid-run / peak`, `${fmt.mb(x.midRunMedianKb)} / ${fmt.mb(x.peakKb)} (${x.cellsPerSecond.toFixed(0)} cells/s)`, '', undefined);
    }
    if (sizes.length > 1) l.v8Growth.midRunGrowth = growth(l.v8Growth.sizes);
  }
  if (l.capped) {
    for (const n of sizes) {
      const x = l.capped.sizes[n];
      row('', `${n} cells, ${l.capped.nodeOptions}: RSS mid-run / peak`, `${fmt.mb(x.midRunMedianKb)} / ${fmt.mb(x.peakKb)} (${x.cellsPerSecond.toFixed(0)} cells/s)`, '', undefined);
    }
    if (sizes.length > 1) {
      l.capped.midRunGrowth = growth(l.capped.sizes);
      row('', `mid-run RSS ${sizes.at(-1)} / ${sizes[0]} cells, old space capped`, fmt.x(l.capped.midRunGrowth), 'flat (< 1.5 x)', l.capped.midRunGrowth < 1.5);
    }
  }
  row(`5 warm re-run (${l.warm.cells} cells)`, 'wall; requests to the emulator', `${fmt.s(l.warm.wallMedianMs)}; ${l.warm.requests}`, '< 3 s; 0', l.warm.wallMedianMs < 3000 && l.warm.requests === 0);
}

const head = ['benchmark', 'figure (medians)', 'value', 'target', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => r.map((v, i) => String(v).padEnd(widths[i])).join('  ').trimEnd();
console.log([line(head), line(widths.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n'));
console.log(`\n${results.machine.cpuModel}, ${results.machine.cores} cores, node ${results.machine.node}; load average ${results.machine.loadAverageAtStart.join(' ')} at start, ${results.loadAverageAtEnd.join(' ')} at end; ${results.totalSeconds} s`);
results.table = rows;

if (!only) {
  writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  log('wrote bench/results.json');
} else {
  const path = join(tmpdir(), `shotlist-bench-results-${[...only].join('-')}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  log(`partial run: wrote ${path} (bench/results.json is only written by a full run)`);
}
