// A hostile server (the emulator in hostile mode, src/emulator/hostile.ts) against the real CLI.
// For every kind of lie: the run ends (no hang) with exit 0 or 1, each cell succeeded or failed
// with a reason, nothing is written outside the project folder, no temp file is left, memory
// stays bounded, the other host never sees our Authorization header, and the planted FAL_KEY is
// in no file and no output. Limits are shortened through the documented environment overrides.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { HOSTILE_KINDS } from '../../src/emulator/hostile.js';
import type { Lockfile } from '../../src/types.js';
import { makeProject, ROOT, type Project } from '../e2e/_helpers.js';

const SECRET = 'fal-TESTSECRET-7f3a9c1e-hostile';
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const LIMITS = {
  SHOTLIST_HTTP_TIMEOUT_MS: '1500', SHOTLIST_HTTP_IDLE_MS: '1500',
  SHOTLIST_DOWNLOAD_IDLE_MS: '1500', SHOTLIST_DOWNLOAD_TIMEOUT_MS: '3000',
};
/** Worst case with the limits above is about 35 s (never-respond); a hang is anything past this. */
const HANG_MS = 120_000;

const manifest = `version: 1
name: hostile
endpoint: fal-ai/ltx-video-lora/multiconditioning
seed: 3
defaults: { resolution: 480p, number_of_frames: 9 }
shots:
  - id: a
    prompt: a cat on a windowsill
    keyframes: [{ image: start.png, at: 0 }]
`;

/** Every file under dir, relative. */
function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(relative(base, p));
  }
  return out;
}

interface Outcome { kind: string; code: number | null; signal: string | null; ms: number; rssMb?: number; stdout: string; stderr: string; files: string[]; lock?: Lockfile; visits: { authorization: boolean; path: string }[]; p: Project }

async function runAgainst(kind: string): Promise<Outcome> {
  const p = makeProject(manifest);
  const emu = await startEmulator({ hostile: kind, timeScale: 0.001, videoScale: 0.25, seed: 1 });
  try {
    const node = [process.execPath, '--max-old-space-size=256', join(ROOT, 'bin/shotlist.js'), 'run', p.manifest, '--emulator-url', emu.url, '--yes', '--quiet'];
    const [cmd, ...args] = TIME ? [TIME, '-f', 'SHOTLIST_TEST_RSS_KB=%M', ...node] : node;
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(cmd, args, { cwd: p.dir, env: { ...process.env, FAL_KEY: SECRET, NO_COLOR: '1', ...LIMITS }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const kill = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, HANG_MS);
      child.on('close', (code, signal) => { clearTimeout(kill); done({ code, signal, stdout, stderr }); });
    });
    const ms = Date.now() - t0;
    const m = /SHOTLIST_TEST_RSS_KB=(\d+)\s*$/.exec(r.stderr);
    const stderr = m ? r.stderr.slice(0, m.index).replace(/Command exited with non-zero status \d+\n$/, '') : r.stderr;
    const report = (await (await fetch(`${emu.url}/_emulator/hostile`)).json()) as { visits: Outcome['visits'] };
    const lockPath = p.lockPath;
    return {
      kind, ...r, stderr, ms, rssMb: m ? Number(m[1]) / 1024 : undefined, p, visits: report.visits,
      files: walk(p.dir), lock: existsSync(lockPath) ? JSON.parse(readFileSync(lockPath, 'utf8')) as Lockfile : undefined,
    };
  } finally {
    await emu.close();
  }
}

const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  rmSync('/tmp/shotlist-pwned.mp4', { force: true });
  // All at once: each has its own emulator and project; most of the time is spent waiting on limits.
  const results = await Promise.all(HOSTILE_KINDS.map((k) => runAgainst(k)));
  for (const o of results) outcomes.set(o.kind, o);
}, HANG_MS + 60_000);

afterAll(() => { for (const o of outcomes.values()) o.p.cleanup(); });

describe('a hostile server', () => {
  it.each(HOSTILE_KINDS.map((k) => [k]))('%s: the run ends with every cell settled, nothing outside the project, no temp file, bounded memory', (kind) => {
    const o = outcomes.get(kind)!;
    const ctx = `${kind}: exit ${o.code} (${o.signal ?? 'no signal'}) in ${o.ms} ms, ${o.rssMb?.toFixed(0) ?? '?'} MB\n${o.stderr.slice(-2000)}\n${o.stdout.slice(-2000)}`;
    expect(o.signal, ctx).toBeNull();
    expect([0, 1], ctx).toContain(o.code);
    expect(o.stderr, ctx).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
    expect(o.stderr, ctx).not.toMatch(/internal error/);
    const cells = Object.values(o.lock?.cells ?? {});
    expect(cells.length, ctx).toBe(1);
    for (const c of cells) {
      expect(['succeeded', 'failed'], ctx).toContain(c.status);
      if (c.status === 'failed') expect(c.error?.message ?? '', ctx).not.toBe('');
    }
    // Files: the manifest, its image, the lockfile, and the run folder; nothing else, no .part.
    for (const f of o.files) expect(f, ctx).toMatch(/^(start\.png|dancer\.yaml|dancer\.lock\.json|runs\/hostile\/.+)$/);
    expect(o.files.filter((f) => /\.part$|\.tmp/.test(f)), ctx).toEqual([]);
    if (o.rssMb !== undefined) expect(o.rssMb, ctx).toBeLessThan(400);
    // Nothing followed us to the other host with our key.
    expect(o.visits.filter((v) => v.authorization), ctx).toEqual([]);
  });

  it('refuses what it must, with the reason on the cell', () => {
    const why = (k: string) => Object.values(outcomes.get(k)!.lock!.cells)[0].error?.message ?? '(succeeded)';
    expect(why('file-url')).toMatch(/only http\(s\) URLs/);
    expect(why('redirect-output')).toMatch(/redirect to another host/);
    expect(why('redirect-api')).toMatch(/refusing a redirect/);
    expect(why('huge-result')).toMatch(/above the cap/);
    expect(why('huge-status')).toMatch(/above the cap/);
    expect(why('huge-download')).toMatch(/announces \d+ bytes, above the cap/);
    expect(why('lying-size')).toMatch(/above the cap of 1000/);
    expect(why('endless-download')).toMatch(/more than the cap/);
    expect(why('stall-download')).toMatch(/no data for 1500 ms/);
    expect(why('trickle-download')).toMatch(/not done after 3000 ms/);
    expect(why('never-respond')).toMatch(/no response within 1500 ms/);
    expect(why('html-error')).toMatch(/HTTP 500/);
    // No redirect was followed to the other host at all.
    expect(outcomes.get('redirect-output')!.visits).toEqual([]);
    expect(outcomes.get('redirect-api')!.visits).toEqual([]);
  });

  it('a ../ file name from the server does not choose where the output goes', () => {
    const o = outcomes.get('dotdot-name')!;
    expect(o.code).toBe(0);
    expect(existsSync('/tmp/shotlist-pwned.mp4')).toBe(false);
    const cell = Object.values(o.lock!.cells)[0];
    expect(cell.output!.file).toMatch(/^runs\/hostile\/a\/[0-9a-f]{12}\.mp4$/);
    expect(statSync(join(o.p.dir, cell.output!.file)).size).toBe(cell.output!.size);
  });

  it('the planted FAL_KEY is in no file written and no output, whatever the server did', () => {
    for (const o of outcomes.values()) {
      expect(o.stdout + o.stderr).not.toContain(SECRET);
      expect(o.stdout + o.stderr).not.toContain('TESTSECRET');
      for (const f of o.files) expect(readFileSync(join(o.p.dir, f)).includes('TESTSECRET'), `${o.kind}: ${f}`).toBe(false);
    }
  });
});
