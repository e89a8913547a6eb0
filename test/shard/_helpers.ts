// Helpers for the shard tests: a scratch copy of the repo's example manifests (real media, so the
// upload path runs) and the built CLI spawned as a user would.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JournalEvent, Lockfile } from '../../src/types.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'shotlist.js');

export interface Cli { code: number | null; stdout: string; stderr: string }

export function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Cli> {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.FAL_KEY; // never against the real fal
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** A temp folder holding a copy of `manifests/` (lora-sweep.yaml: 12 cells, keyframes.yaml...). */
export function scratch(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-shard-'));
  cpSync(join(ROOT, 'manifests'), dir, { recursive: true, filter: (src) => !/[/\\]runs([/\\]|$)|\.lock\.json$/.test(src) });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function journal(path: string): JournalEvent[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEvent);
}

/** The lockfile's bytes with every request id removed: what two runs of the same jobs share. */
export function withoutRequestIds(text: string): string {
  const lock = JSON.parse(text) as Lockfile;
  for (const c of Object.values(lock.cells)) delete c.requestId;
  return JSON.stringify(lock, null, 2);
}
