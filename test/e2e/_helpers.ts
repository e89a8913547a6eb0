// Helpers for end-to-end tests: a scratch project (manifest + keyframe image), the real CLI
// spawned as a user would, and a separate emulator process whose counters survive our restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import type { EmulatorStats, JournalEvent, Lockfile } from '../../src/types.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'shotlist.js');

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A tiny valid PNG, so the upload path is exercised with real bytes. */
export function png(seed = 0): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let x = 0xffffffff;
    for (const v of b) x = table[(x ^ v) & 255] ^ (x >>> 8);
    return (x ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const w = 8, h = 8;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let i = 0; i < raw.length; i++) raw[i] = i % (w * 3 + 1) === 0 ? 0 : (i * 7 + seed) & 255;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

export interface Project {
  dir: string;
  manifest: string;
  lockPath: string;
  outDir: string;
  cleanup(): void;
}

/** intro: keyframe image x `introSeeds`; outro: plain, `outroSeeds`. LTX-Video 0.9 at 480p, 9 frames. */
export function manifestText(opts: { introSeeds?: number[]; outroSeeds?: number[]; outroPrompt?: string; budget?: number; frames?: number } = {}): string {
  const frames = opts.frames ?? 9;
  return `version: 1
name: dancer
endpoint: fal-ai/ltx-video-lora/multiconditioning
${opts.budget !== undefined ? `budget:\n  max_cost_usd: ${opts.budget}\n` : ''}defaults:
  resolution: 480p
  aspect_ratio: "16:9"
  number_of_frames: ${frames}
shots:
  - id: intro
    prompt: a dancer spins in a sunlit studio
    keyframes:
      - image: start.png
        at: 0
    sweep:
      seeds: [${(opts.introSeeds ?? [1, 2]).join(', ')}]
  - id: outro
    prompt: ${opts.outroPrompt ?? 'the dancer bows'}
    sweep:
      seeds: [${(opts.outroSeeds ?? [3]).join(', ')}]
`;
}

export function makeProject(text = manifestText()): Project {
  mkdirSync(join(ROOT, 'test', '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'test', '.tmp', 'e2e-'));
  writeFileSync(join(dir, 'start.png'), png());
  writeFileSync(join(dir, 'dancer.yaml'), text);
  return {
    dir,
    manifest: join(dir, 'dancer.yaml'),
    lockPath: join(dir, 'dancer.lock.json'),
    outDir: join(dir, 'runs', 'dancer'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

export function startCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): { child: ChildProcess; done: Promise<CliResult> } {
  const env: Record<string, string | undefined> = { ...process.env, FAL_KEY: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr, ms: Date.now() - t0 })));
  return { child, done };
}

export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  return startCli(args, opts).done;
}

export interface EmulatorProcess { url: string; stats(): Promise<EmulatorStats>; stop(): Promise<void> }

/** `shotlist emulator` in its own process: counters survive the run processes we kill. */
export async function startEmulatorProcess(args: string[] = []): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const url = await new Promise<string>((res, rej) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) res(buf.slice(0, nl).trim().split(/\s+/).find((w) => w.startsWith('http'))!);
    });
    child.on('exit', (code) => rej(new Error(`emulator exited (${code}): ${stderr}`)));
  });
  return {
    url,
    stats: async () => (await (await fetch(`${url}/_emulator/stats`)).json()) as EmulatorStats,
    stop: () => new Promise((res) => {
      if (child.exitCode !== null) return res();
      child.on('exit', () => res());
      child.kill('SIGTERM');
    }),
  };
}

export function readLock(p: Project): Lockfile {
  return JSON.parse(readFileSync(p.lockPath, 'utf8')) as Lockfile;
}

export function readJournalFile(p: Project): JournalEvent[] {
  const path = join(p.outDir, 'journal.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEvent);
}

export async function waitFor(cond: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every succeeded cell's file exists and its bytes hash to what the lockfile says. */
export function expectOutputsMatchLock(p: Project): { checked: number } {
  const lock = readLock(p);
  let checked = 0;
  for (const cell of Object.values(lock.cells)) {
    if (cell.status !== 'succeeded') continue;
    const bytes = readFileSync(join(p.dir, cell.output!.file));
    if (sha256(bytes) !== cell.output!.sha256 || bytes.length !== cell.output!.size) {
      throw new Error(`${cell.output!.file} does not match the lockfile`);
    }
    checked++;
  }
  return { checked };
}
