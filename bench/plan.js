#!/usr/bin/env node
// Plans a 100,000-cell manifest and validates a 1,000-shot one, each in a fresh child process,
// and prints wall time and peak RSS. Run after a build: `npm run build && node bench/plan.js`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

const dir = mkdtempSync(join(tmpdir(), 'shotlist-bench-'));
cpSync(join(ROOT, 'manifests/media'), join(dir, 'media'), { recursive: true });

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

function child(file) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function cli(file) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/shotlist.js'), 'validate', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`validate failed: ${r.stderr}`);
  return performance.now() - t0;
}

try {
  const rows = [];
  const b = child(big);
  rows.push(['loadAndPlan, 100,000 cells (10 shots x 100 x 100 seeds)', b.cells, `${(b.ms / 1000).toFixed(2)} s`, `${(b.cpuMs / 1000).toFixed(2)} s`, `${b.maxRssMb.toFixed(0)} MB`]);
  const m = child(many);
  rows.push(['loadAndPlan, 1,000 shots', m.cells, `${(m.ms / 1000).toFixed(2)} s`, `${(m.cpuMs / 1000).toFixed(2)} s`, `${m.maxRssMb.toFixed(0)} MB`]);
  rows.push(['`shotlist validate`, 1,000 shots (process, end to end)', m.cells, `${(cli(many) / 1000).toFixed(2)} s`, '', '']);
  rows.push(['`shotlist validate manifests/keyframes.yaml` (start-up)', 3, `${(cli(join(ROOT, 'manifests/keyframes.yaml')) / 1000).toFixed(2)} s`, '', '']);
  const head = ['benchmark', 'cells', 'wall', 'cpu', 'peak RSS'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((v, i) => (i === 0 ? String(v).padEnd(w[i]) : String(v).padStart(w[i]))).join('  ');
  console.log([line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n'));
  console.log(`\nnode ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; targets: 100,000 cells < 3 s and < 300 MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
