// Shared helpers for the benchmarks: statistics, child processes (the CLI, the emulator, the
// baseline script), RSS and CPU sampling from /proc, manifests in a temp folder.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const CLI = join(ROOT, 'bin/shotlist.js');
export const QUICK = process.env.BENCH_QUICK === '1';
/** The endpoint the emulator benches use: text-only inputs, so every client sends identical bytes. */
export const LTXV = 'fal-ai/ltx-video-lora/multiconditioning';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function median(xs) {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]) of a list of numbers. */
export function quantile(xs, q) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const loadavg = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

export function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: loadavg(),
  };
}

/** A shotlist manifest of `n` text-only cells on the LTX-Video endpoint (tiny 9-frame clips). */
export function seedsManifest(name, n, seed = 11) {
  return `version: 1
name: ${name}
endpoint: ${LTXV}
seed: ${seed}
limits: { max_cells: ${Math.max(n, 1)} }
defaults:
  resolution: 480p
  aspect_ratio: "16:9"
  number_of_frames: 9
  number_of_steps: 8
  frame_rate: 24
shots:
  - id: take
    prompt: a red kite over a grey sea
    sweep:
      seeds: ${n}
`;
}

/** Reads RSS (kB) and CPU ticks of a process from /proc; undefined once it has exited. */
export function procSample(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    if (!Number.isFinite(rss)) return undefined; // a zombie has no VmRSS
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime are fields 14 and 15 of stat (index 11, 12 after the comm field).
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssKb: rss, cpuTicks: ticks };
  } catch {
    return undefined;
  }
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/**
 * Runs `node <args>` and measures it: wall time (spawn to exit), and, sampled every `sampleMs`
 * from /proc, RSS over time and CPU time (the last sample before exit, so within one period).
 * Exact CPU and peak RSS come from `/usr/bin/time` when `timed` is set (then no RSS series).
 */
export function runNode(args, { cwd, env, sampleMs = 100, timed = false, onSample } = {}) {
  return new Promise((resolve, reject) => {
    const timeFile = join(os.tmpdir(), `shotlist-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const cmd = timed ? '/usr/bin/time' : process.execPath;
    const argv = timed ? ['-f', '%e %U %S %M', '-o', timeFile, process.execPath, ...args] : args;
    const t0 = performance.now();
    const startedAt = Date.now();
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const samples = [];
    let last;
    const timer = timed ? undefined : setInterval(() => {
      const s = procSample(child.pid);
      if (!s) return;
      last = s;
      const sample = { ms: performance.now() - t0, rssKb: s.rssKb };
      samples.push(sample);
      onSample?.(sample);
    }, sampleMs);
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      const wallMs = performance.now() - t0;
      const out = { code, stdout, stderr, wallMs, startedAt, samples };
      if (timed && existsSync(timeFile)) {
        const [e, u, s, m] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        Object.assign(out, { cpuMs: (u + s) * 1000, userMs: u * 1000, sysMs: s * 1000, maxRssKb: m, timeWallMs: e * 1000 });
        rmSync(timeFile, { force: true });
      } else if (last) {
        out.cpuMs = last.cpuTicks * TICK_MS;
        out.maxRssKb = Math.max(...samples.map((x) => x.rssKb));
      }
      resolve(out);
    });
  });
}

/** Starts `shotlist emulator` in its own process; resolves with its URL and helpers. */
export async function startEmulatorProcess(opts, cli = CLI) {
  const args = [cli, 'emulator', '--quiet', '--port', '0'];
  for (const [k, v] of Object.entries(opts)) args.push(`--${k}`, String(v));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${stderr}`)));
  });
  return {
    url,
    pid: child.pid,
    stats: async () => (await fetch(`${url}/_emulator/stats`)).json(),
    jobs: async () => (await (await fetch(`${url}/_emulator/jobs`)).json()).jobs,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** Total requests the emulator has answered (every route but its own stats). */
export function requestCount(stats) {
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

export function readJournal(path) {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export function writeText(path, text) {
  writeFileSync(path, text);
  return path;
}

export const fmt = {
  s: (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a'),
  ms: (ms) => (Number.isFinite(ms) ? `${ms.toFixed(ms < 10 ? 1 : 0)} ms` : 'n/a'),
  mb: (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a'),
  x: (r) => (Number.isFinite(r) ? `${r.toFixed(3)} x` : 'n/a'),
};
