#!/usr/bin/env node
// Benchmark 4 of issue 6. Plans a 100,000-cell manifest and validates a 1,000-shot one, each in a
// fresh child process, and prints wall time and peak RSS. Part of `npm run bench` (bench/run.js
// calls planBench); alone, after a build: `npm run build && node bench/plan.js`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const LTX23 = 'fal-ai/ltx-2.3-quality/reference-video-to-video/lora';

if (process.argv[2] === '--child') {
  const { loadAndPlan } = await import(pathToFileURL(join(ROOT, 'dist/plan/index.js')).href);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await loadAndPlan(process.argv[3]);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) { console.error(errors.slice(0, 3)); process.exit(1); }
  process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, cells: r.plan.cells.length, usd: r.plan.totals.usd, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

function writeManifests(dir) {
  cpSync(join(ROOT, 'manifests/media'), join(dir, 'media'), { recursive: true });
  // 10 shots x (100 guidance values x 100 seeds) = 100,000 cells.
  const big = join(dir, 'big.yaml');
  writeFileSync(big, header('big', 100000) + Array.from({ length: 10 }, (_, i) => shot(`s${i}`, `    sweep:
      matrix:
        guidance_scale: ${list(100, (g) => (g / 10).toFixed(1))}
      seeds: ${list(100, (s) => s + 1)}
`)).join(''));
  // 1,000 plain shots.
  const many = join(dir, 'many.yaml');
  writeFileSync(many, header('many', 5000) + Array.from({ length: 1000 }, (_, i) => shot(`shot-${i}`)).join(''));
  return { big, many };
}

const list = (n, f) => `[${Array.from({ length: n }, (_, i) => f(i)).join(', ')}]`;
const shot = (id, sweep = '') => `  - id: ${id}
    prompt: "{{subject}} in take ${id}"
    video: media/reference.mp4
    keyframes:
      - { image: media/first.png, at: start }
      - { image: media/last.png, at: end }
    loras: [{ path: media/style.safetensors, scale: 0.8, transformer: both }]
${sweep}`;
const header = (name, maxCells) => `version: 1
name: ${name}
endpoint: ${LTX23}
seed: 1
limits: { max_cells: ${maxCells} }
vars: { subject: a dancer in a red dress }
defaults: { resolution: { width: 512, height: 320 }, num_frames: 25, generate_audio: false }
shots:
`;

function child(file) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** `shotlist validate <file>` as a user runs it: wall time and peak RSS of the process. */
function cli(file) {
  const timeFile = join(tmpdir(), `shotlist-bench-validate-${process.pid}`);
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, join(ROOT, 'bin/shotlist.js'), 'validate', file], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`validate failed: ${r.stderr}`);
  const maxRssMb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024;
  rmSync(timeFile, { force: true });
  return { ms, maxRssMb };
}

const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** Medians over `reps` fresh processes of each measurement. */
export function planBench({ reps = 3, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-bench-'));
  try {
    const { big, many } = writeManifests(dir);
    const runs = { big: [], many: [], validateMany: [], validateSmall: [] };
    for (let i = 0; i < reps; i++) {
      const load = os.loadavg()[0];
      runs.big.push({ ...child(big), load });
      runs.many.push({ ...child(many), load });
      runs.validateMany.push({ ...cli(many), load });
      runs.validateSmall.push({ ...cli(join(ROOT, 'manifests/keyframes.yaml')), load });
      log(`  plan rep ${i + 1}/${reps}: 100,000 cells ${(runs.big[i].ms / 1000).toFixed(2)} s, ${runs.big[i].maxRssMb.toFixed(0)} MB; validate 1,000 shots ${(runs.validateMany[i].ms / 1000).toFixed(2)} s; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    }
    const summary = (xs) => ({
      cells: xs[0].cells, wallMedianMs: med(xs.map((x) => x.ms)), cpuMedianMs: xs[0].cpuMs === undefined ? undefined : med(xs.map((x) => x.cpuMs)),
      peakRssMedianMb: med(xs.map((x) => x.maxRssMb)), runs: xs.map((x) => ({ ms: Math.round(x.ms), maxRssMb: Math.round(x.maxRssMb), loadAverage1m: x.load })),
    });
    return {
      reps,
      plan100k: summary(runs.big),
      plan1000Shots: summary(runs.many),
      validate1000Shots: summary(runs.validateMany),
      validateSmall: summary(runs.validateSmall),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = planBench({ reps: Number(process.env.BENCH_REPS ?? 1) });
  const rows = [
    ['loadAndPlan, 100,000 cells (10 shots x 100 x 100 seeds)', r.plan100k],
    ['loadAndPlan, 1,000 shots', r.plan1000Shots],
    ['`shotlist validate`, 1,000 shots (process, end to end)', r.validate1000Shots],
    ['`shotlist validate manifests/keyframes.yaml` (start-up)', r.validateSmall],
  ].map(([name, x]) => [name, x.cells ?? '', `${(x.wallMedianMs / 1000).toFixed(2)} s`, x.cpuMedianMs === undefined ? '' : `${(x.cpuMedianMs / 1000).toFixed(2)} s`, `${x.peakRssMedianMb.toFixed(0)} MB`]);
  const head = ['benchmark', 'cells', 'wall', 'cpu', 'peak RSS'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((v, i) => (i === 0 ? String(v).padEnd(w[i]) : String(v).padStart(w[i]))).join('  ');
  console.log([line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n'));
  console.log(`\nnode ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; targets: 100,000 cells < 3 s and < 300 MB`);
}
