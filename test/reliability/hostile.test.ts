// The hostile manifest corpus (test/fixtures/hostile/*.yaml). Each file says on its first line
// what it must produce: `# expect: E_CODE line:col`. Every one is run through the built CLI in a
// child process with a capped heap, and must end in exit 2 with that located diagnostic, no stack
// trace, no raw terminal control characters, bounded output, time and memory. The same files go
// through the planner in this process to prove nothing reaches Object.prototype.
// Symlinks and FIFOs (`# setup:` lines) are made at runtime in a temp copy, never in the repo.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(ROOT, 'test/fixtures/hostile');
const CLI = join(ROOT, 'bin/shotlist.js');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
/** Generous: the slowest case takes about a second alone; CI machines are slower and busy. */
const MAX_MS = 20_000;
const MAX_RSS_MB = 400;
const HEAP_MB = 256;

interface Case { file: string; code: string; at?: { line: number; column: number }; setup: string[] }

function corpus(): Case[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith('.yaml')).sort().map((file) => {
    const head = readFileSync(join(CORPUS, file), 'utf8').split('\n', 4);
    const m = /^# expect: (E_[A-Z0-9_]+) (?:(\d+):(\d+)|any)$/.exec(head[0]);
    if (!m) throw new Error(`${file}: first line must be \`# expect: E_CODE line:col\``);
    return {
      file, code: m[1], at: m[2] ? { line: Number(m[2]), column: Number(m[3]) } : undefined,
      setup: head.filter((l) => l.startsWith('# setup: ')).map((l) => l.slice('# setup: '.length)),
    };
  });
}

const cases = corpus();
let top: string;
let dir: string;

beforeAll(() => {
  top = mkdtempSync(join(tmpdir(), 'shotlist-hostile-'));
  dir = join(top, 'm');
  mkdirSync(dir);
  for (const c of cases) cpSync(join(CORPUS, c.file), join(dir, c.file));
  cpSync(join(ROOT, 'manifests/media'), join(dir, 'media'), { recursive: true });
  // Targets just outside the manifest folder, so an escape would find something to read.
  writeFileSync(join(top, 'secret.png'), 'not yours');
  writeFileSync(join(top, 'secret.safetensors'), 'not yours');
  for (const c of cases) for (const s of c.setup) {
    const [kind, a, b] = s.split(' ');
    if (kind === 'symlink') symlinkSync(b, join(dir, a));
    else if (kind === 'fifo') execFileSync('mkfifo', [join(dir, a)]);
    else throw new Error(`${c.file}: unknown setup \`${s}\``);
  }
}, 120_000);

afterAll(() => { if (top) rmSync(top, { recursive: true, force: true }); });

function cli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number; rssMb?: number }> {
  const node = [process.execPath, `--max-old-space-size=${HEAP_MB}`, CLI, ...args];
  const [cmd, ...argv] = TIME ? [TIME, '-f', 'SHOTLIST_TEST_RSS_KB=%M', ...node] : node;
  const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.FAL_KEY;
  delete env.SHOTLIST_DEBUG;
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { if (stdout.length < 1e6) stdout += b; });
    child.stderr.on('data', (b) => { if (stderr.length < 1e6) stderr += b; });
    const kill = setTimeout(() => child.kill('SIGKILL'), MAX_MS * 2);
    child.on('close', (code) => {
      clearTimeout(kill);
      const ms = performance.now() - t0;
      const m = /SHOTLIST_TEST_RSS_KB=(\d+)\s*$/.exec(stderr);
      if (m) stderr = stderr.slice(0, m.index).replace(/Command exited with non-zero status \d+\n$/, '');
      done({ code, stdout, stderr, ms, rssMb: m ? Number(m[1]) / 1024 : undefined });
    });
  });
}

describe('hostile manifests', () => {
  it('the corpus has at least 60 files, each with an expectation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c.code)).size).toBeGreaterThanOrEqual(15);
  });

  describe.concurrent('shotlist validate', () => {
    it.each(cases.map((c) => [c.file, c] as const))('%s', async (_f, c) => {
      const r = await cli(['validate', c.file], dir);
      const context = `${c.file}: exit ${r.code} in ${r.ms.toFixed(0)} ms, ${r.rssMb?.toFixed(0) ?? '?'} MB\n${r.stderr.slice(0, 3000)}`;
      expect(r.code, context).toBe(2);
      const where = c.at ? `${c.file}:${c.at.line}:${c.at.column}` : `${c.file}(:\\d+:\\d+)?`;
      expect(r.stderr, context).toMatch(new RegExp(`^${where.replace(/\./g, '\\.')}: error ${c.code} `, 'm'));
      // No stack trace, no crash report, no terminal control from the manifest, bounded output.
      expect(r.stderr, context).not.toMatch(/^\s+at .+[:(]\d+:\d+\)?$/m);
      expect(r.stderr, context).not.toMatch(/internal error|RangeError|TypeError|FATAL ERROR/);
      expect(r.stderr + r.stdout, context).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
      expect(r.stderr.length, context).toBeLessThan(200_000);
      expect(r.ms, context).toBeLessThan(MAX_MS);
      if (r.rssMb !== undefined) expect(r.rssMb, context).toBeLessThan(MAX_RSS_MB);
    }, MAX_MS * 3);
  });

  it('nothing reaches Object.prototype while planning any of them in-process', async () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const c of cases) {
      const r = await loadAndPlan(join(dir, c.file), { cwd: dir });
      expect(r.plan, c.file).toBeUndefined();
      expect(r.diagnostics.some((d) => d.code === c.code), `${c.file}: ${r.diagnostics.map((d) => d.code).join(', ')}`).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
  }, 120_000);

  it('`shotlist run` refuses them too, before writing anything', async () => {
    const sample = cases.filter((_, i) => i % 12 === 0);
    for (const c of sample) {
      const before = readdirSync(dir).sort();
      const r = await cli(['run', c.file, '--emulator', '--yes'], dir);
      expect(r.code, `${c.file}\n${r.stderr.slice(0, 2000)}`).toBe(2);
      expect(r.stderr).toContain(`error ${c.code}`);
      expect(readdirSync(dir).sort()).toEqual(before);
    }
  }, 120_000);
});
