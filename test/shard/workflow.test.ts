// The GitHub Actions workflow users copy (docs/github-actions/shotlist.yml), acted out on this
// machine against the emulator: its shard jobs (the matrix expanded) and its merge job, each in a
// fresh clone of a local "remote", every `run:` step executed by bash with the matrix, env and
// secrets substituted, upload/download-artifact performed as copies following their inputs, and
// the commit step pushing to the local remote. A drift between the workflow and the CLI (a flag,
// a folder name, an artifact path) fails here. What cannot run here: `npm ci` (skipped; `npx
// shotlist` is this checkout) and fal itself (`--emulator` is added to `shotlist run`).
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cli, scratch, withoutRequestIds } from './_helpers.js';

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, string | number | boolean>; env?: Record<string, string | number>; if?: string }
interface Job { needs?: string | string[]; if?: string; strategy?: { matrix?: Record<string, unknown[]> }; env?: Record<string, string | number>; steps: Step[] }
interface Workflow { env?: Record<string, string | number>; jobs: Record<string, Job> }

const WORKFLOW = join(ROOT, 'docs', 'github-actions', 'shotlist.yml');
const wf = parse(readFileSync(WORKFLOW, 'utf8')) as Workflow;
const tmp = mkdtempSync(join(tmpdir(), 'shotlist-gha-'));
const remote = join(tmp, 'remote.git');
const artifacts = join(tmp, 'artifacts');
const shim = join(tmp, 'bin');
// The repository under test: the example manifests in `shots/`, MANIFEST pointed at one of them.
const MANIFEST = 'shots/lora-sweep.yaml';

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
}

/** `${{ ... }}` as GitHub would fill it in for a push to main; anything else is drift. */
function expand(text: string, ctx: { matrix: Record<string, unknown>; env: Record<string, string> }): string {
  return text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expr: string) => {
    const [scope, key] = expr.split('.');
    if (scope === 'matrix' && key in ctx.matrix) return String(ctx.matrix[key]);
    if (scope === 'secrets') return ''; // no FAL_KEY here: the emulator is the target
    if (scope === 'env' && key in ctx.env) return ctx.env[key];
    if (expr === 'github.ref') return 'refs/heads/main';
    if (expr === 'github.event_name') return 'push';
    if (expr === '!cancelled()' || expr === "!cancelled() && github.event_name != 'pull_request'") return 'true';
    throw new Error(`the test does not know the expression \${{ ${expr} }}`);
  });
}

function matrixRuns(job: Job): Record<string, unknown>[] {
  let runs: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(job.strategy?.matrix ?? {})) runs = runs.flatMap((r) => values.map((v) => ({ ...r, [k]: v })));
  return runs;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((res) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env, PATH: `${shim}:${process.env.PATH}` };
    delete e.FAL_KEY;
    for (const [k, v] of Object.entries(env)) if (v === '') delete e[k];
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => res({ code, out }));
  });
}

/** `a/*.json` or `a/b/`: the paths a workflow path line matches in the workspace. */
function globPaths(ws: string, line: string): string[] {
  const clean = line.trim().replace(/\/$/, '');
  if (!clean.includes('*')) return existsSync(join(ws, clean)) ? [join(ws, clean)] : [];
  const dir = join(ws, dirname(clean));
  const re = new RegExp(`^${clean.split('/').at(-1)!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).map((n) => join(dir, n)) : [];
}

/** actions/upload-artifact@v4: one directory uploads its contents; several paths, from their least common ancestor. */
function upload(ws: string, w: Record<string, string>): void {
  const paths = w.path.split('\n').filter((l) => l.trim()).flatMap((l) => globPaths(ws, l));
  if (paths.length === 0) throw new Error(`upload-artifact ${w.name}: no files at ${w.path}`);
  let root = paths.length === 1 && statSync(paths[0]).isDirectory() ? paths[0] : dirname(paths[0]);
  for (const p of paths) while (relative(root, p).startsWith('..')) root = dirname(root);
  const dest = join(artifacts, w.name);
  if (existsSync(dest)) throw new Error(`artifact ${w.name} uploaded twice`);
  for (const p of paths) cpSync(p, join(dest, relative(root, p)), { recursive: true, filter: (src) => !src.split(sep).at(-1)!.startsWith('.') });
}

/** actions/download-artifact@v4 with `pattern`: each matching artifact into `path/<name>/`. */
function download(ws: string, w: Record<string, string>): void {
  const re = new RegExp(`^${w.pattern.replace(/\*/g, '.*')}$`);
  const names = existsSync(artifacts) ? readdirSync(artifacts).filter((n) => re.test(n)) : [];
  if (names.length === 0) throw new Error(`download-artifact: no artifact matches ${w.pattern}`);
  for (const n of names) cpSync(join(artifacts, n), join(ws, w.path, n), { recursive: true });
}

async function runJob(name: string, matrix: Record<string, unknown>): Promise<{ ws: string; summary: string; log: string[] }> {
  const job = wf.jobs[name];
  const ws = join(tmp, `${name}-${Object.values(matrix).join('-') || 'job'}`);
  git(['clone', '-q', remote, ws], tmp);
  const summary = join(tmp, `${name}-${Object.values(matrix).join('-')}-summary.md`);
  writeFileSync(summary, '');
  const baseEnv: Record<string, string> = { GITHUB_STEP_SUMMARY: summary, GITHUB_RUN_ID: '4242', CI: 'true' };
  const ctxEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...wf.env, ...job.env })) ctxEnv[k] = String(v);
  ctxEnv.MANIFEST = MANIFEST;
  const log: string[] = [];
  for (const step of job.steps) {
    if (step.if) expect(expand(step.if, { matrix, env: ctxEnv })).toBe('true');
    const w: Record<string, string> = {};
    for (const [k, v] of Object.entries(step.with ?? {})) w[k] = expand(String(v), { matrix, env: ctxEnv });
    if (step.uses?.startsWith('actions/checkout@') || step.uses?.startsWith('actions/setup-node@')) continue;
    if (step.uses?.startsWith('actions/upload-artifact@')) { upload(ws, w); continue; }
    if (step.uses?.startsWith('actions/download-artifact@')) { download(ws, w); continue; }
    if (step.uses) throw new Error(`the test does not know the action ${step.uses}`);
    const script = expand(step.run!, { matrix, env: ctxEnv });
    if (/^npm ci\s*$/.test(script.trim())) continue;
    const env = { ...baseEnv, ...ctxEnv };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), { matrix, env: ctxEnv });
    const r = await bash(script, ws, env);
    log.push(`$ ${script}\n${r.out}`);
    if (r.code !== 0) throw new Error(`step "${step.name ?? script}" of ${name} ${JSON.stringify(matrix)} exited ${r.code}:\n${r.out}`);
  }
  return { ws, summary: readFileSync(summary, 'utf8'), log };
}

const single = scratch();
let merged: Awaited<ReturnType<typeof runJob>>;

beforeAll(async () => {
  // The repository: the example manifests under shots/, committed, pushed to a bare remote.
  mkdirSync(shim, { recursive: true });
  writeFileSync(join(shim, 'npx'), `#!/bin/sh
[ "$1" = shotlist ] || { echo "npx $1: only shotlist is available in this test" >&2; exit 127; }
shift
if [ "$1" = run ]; then exec "${process.execPath}" "${BIN}" "$@" --emulator; fi
exec "${process.execPath}" "${BIN}" "$@"
`);
  chmodSync(join(shim, 'npx'), 0o755);
  const seed = join(tmp, 'seed');
  cpSync(single.dir, join(seed, 'shots'), { recursive: true });
  git(['init', '-q', '-b', 'main'], seed);
  git(['add', '.'], seed);
  git(['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'shots'], seed);
  git(['clone', '-q', '--bare', seed, remote], tmp);
  const one = await cli(['run', 'lora-sweep.yaml', '--emulator', '--quiet'], single.dir);
  expect(one.code, one.stderr).toBe(0);

  const shardRuns = matrixRuns(wf.jobs.shard);
  await Promise.all(shardRuns.map((m) => runJob('shard', m)));
  merged = await runJob('merge', {});
}, 180_000);

afterAll(() => {
  single.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('docs/github-actions/shotlist.yml', () => {
  it('is a matrix over shards with FAL_KEY from secrets, and a merge job after them', () => {
    const shard = wf.jobs.shard;
    expect(matrixRuns(shard).length).toBeGreaterThan(1);
    const runStep = shard.steps.find((s) => s.run?.includes('shotlist run'))!;
    expect(runStep.run).toContain('--shard ${{ matrix.shardIndex }}/${{ matrix.shardTotal }}');
    expect(runStep.env?.FAL_KEY).toBe('${{ secrets.FAL_KEY }}');
    expect(wf.jobs.merge.needs).toBe('shard');
  });

  it('uploads one artifact per shard', () => {
    const names = readdirSync(artifacts).filter((n) => n.startsWith('shard-')).sort();
    expect(names).toEqual(matrixRuns(wf.jobs.shard).map((m) => `shard-${m.shardIndex}-of-${m.shardTotal}`).sort());
    for (const n of names) expect(existsSync(join(artifacts, n, 'shard.lock.json'))).toBe(true);
  });

  it('puts the Markdown report on the job page (GITHUB_STEP_SUMMARY)', () => {
    const md = readFileSync(join(merged.ws, 'shots', 'runs', 'lora-sweep', 'report.md'), 'utf8');
    expect(md.length).toBeGreaterThan(0);
    expect(merged.summary).toBe(md);
  });

  it('commits the merged lockfile back: the lockfile of a single run, but for the request ids', () => {
    const check = join(tmp, 'after');
    git(['clone', '-q', remote, check], tmp);
    expect(git(['log', '--format=%s', '-1'], check)).toContain('shotlist: results of shots/lora-sweep.yaml');
    const pushed = readFileSync(join(check, 'shots', 'lora-sweep.lock.json'), 'utf8');
    expect(withoutRequestIds(pushed)).toBe(withoutRequestIds(readFileSync(join(single.dir, 'lora-sweep.lock.json'), 'utf8')));
  });

  it('attaches the lockfile, the reports and the videos as an artifact', () => {
    const out = join(artifacts, 'shotlist-results');
    expect(existsSync(join(out, 'lora-sweep.lock.json'))).toBe(true);
    expect(existsSync(join(out, 'runs', 'lora-sweep', 'report.html'))).toBe(true);
    const lock = JSON.parse(readFileSync(join(out, 'lora-sweep.lock.json'), 'utf8')) as { cells: Record<string, { output: { file: string; size: number } }> };
    for (const c of Object.values(lock.cells)) expect(statSync(join(out, c.output.file)).size).toBe(c.output.size);
  });
});
