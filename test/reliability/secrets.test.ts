// A recognisable FAL_KEY is planted in the environment of every shotlist process here: a run
// against a separately started emulator with faults (failed cells, retries, lost submits), the
// NDJSON stream, a report rebuild, plan and validate, and error paths (an invalid manifest, a
// usage error, an emulator URL nobody listens on, SHOTLIST_DEBUG on). Then every byte shotlist
// wrote (run folder, lockfile, journal, reports, upload cache) or printed is searched for the key
// or any recognisable part of it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, manifestText, runCli, startEmulatorProcess, type CliResult, type EmulatorProcess, type Project } from '../e2e/_helpers.js';

const SECRET = 'fal-TESTSECRET-4b1d-9e0c:a7f2e61d0c5b4a3f';
const PARTS = ['TESTSECRET', '4b1d-9e0c', 'a7f2e61d0c5b4a3f', Buffer.from(SECRET).toString('base64').slice(0, 24)];

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

function leaks(text: string | Buffer): string[] {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  return PARTS.filter((p) => s.includes(p));
}

let p: Project;
let emu: EmulatorProcess;
const outputs: [string, CliResult][] = [];

beforeAll(async () => {
  p = makeProject(manifestText({ introSeeds: [1, 2, 3], outroSeeds: [4, 5, 6] }));
  emu = await startEmulatorProcess(['--time-scale', '0.001', '--video-scale', '0.25', '--faults', 'fail=0.3,429=0.1,500=0.1,lost-submit=0.2,truncate=0.1', '--seed', '5']);
  const env = { FAL_KEY: SECRET, NO_COLOR: '1' };
  const run = (label: string, args: string[], extra: Record<string, string> = {}) =>
    runCli(args, { cwd: p.dir, env: { ...env, ...extra } }).then((r) => { outputs.push([label, r]); return r; });

  await run('run', ['run', p.manifest, '--emulator-url', emu.url, '--yes']);
  await run('run --json --retry-failed', ['run', p.manifest, '--emulator-url', emu.url, '--yes', '--json', '--retry-failed']);
  await run('report', ['report', p.outDir]);
  await run('plan', ['plan', p.manifest]);
  await run('validate', ['validate', p.manifest]);
  writeFileSync(join(p.dir, 'broken.yaml'), 'version: 1\nname: broken\nshots: [{ id: "../x", prompt: 3 }]\n');
  await run('validate broken', ['validate', 'broken.yaml']);
  await run('run broken', ['run', 'broken.yaml', '--emulator-url', emu.url, '--yes']);
  await run('usage error', ['run', p.manifest, '--concurrency', 'lots']);
  // Nobody listens there: every request fails; SHOTLIST_DEBUG=1 prints whatever debug prints.
  await run('dead emulator, debug', ['run', p.manifest, '--emulator-url', 'http://127.0.0.1:9', '--yes', '--force', '--json', '--shot', 'outro', '--limit', '1'], { SHOTLIST_DEBUG: '1', SHOTLIST_HTTP_TIMEOUT_MS: '1000' });
}, 240_000);

afterAll(async () => {
  await emu?.stop();
  p?.cleanup();
});

describe('FAL_KEY never leaves the environment', () => {
  it('the runs really did exercise failures, retries and reports', () => {
    const [, first] = outputs[0];
    expect([0, 1]).toContain(first.code);
    const files = walk(p.dir).map((f) => relative(p.dir, f));
    for (const want of ['dancer.lock.json', 'runs/dancer/journal.jsonl', 'runs/dancer/report.html', 'runs/dancer/report.json', 'runs/dancer/report.md', 'runs/dancer/junit.xml']) expect(files).toContain(want);
    const journal = readFileSync(join(p.outDir, 'journal.jsonl'), 'utf8');
    expect(journal).toMatch(/"type":"failed"/);
    expect(outputs.find(([l]) => l === 'dead emulator, debug')![1].code).not.toBe(0);
    expect(outputs.find(([l]) => l === 'usage error')![1].code).toBe(2);
  });

  it('is in no file shotlist wrote', () => {
    const files = walk(p.dir);
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) expect(leaks(readFileSync(f)), relative(p.dir, f)).toEqual([]);
  });

  it('is in no stdout or stderr, success or error path, debug or not', () => {
    for (const [label, r] of outputs) {
      expect(leaks(r.stdout), `${label} stdout`).toEqual([]);
      expect(leaks(r.stderr), `${label} stderr`).toEqual([]);
    }
  });
});
