// The README's first command: an example manifest on the in-process emulator, ending with where
// the results are. Run on a copy of manifests/ so the repository stays clean.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, runCli } from './_helpers.js';

it('README quick start: `shotlist run manifests/lora-sweep.yaml --emulator` runs 12 cells and prints where the results are', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const command = /npx shotlist (run manifests\/\S+\.yaml --emulator)/.exec(readme);
  expect(command, 'README quick start names a run --emulator command').not.toBeNull();
  mkdirSync(join(ROOT, 'test', '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'test', '.tmp', 'readme-'));
  try {
    cpSync(join(ROOT, 'manifests'), join(dir, 'manifests'), { recursive: true });
    const args = command![1].split(' ');
    const r = await runCli(args, { cwd: dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const name = /manifests\/(\S+)\.yaml/.exec(command![1])![1];
    expect(r.stdout.trimEnd().split('\n').slice(-2)).toEqual([`results: manifests/runs/${name}/`, `lockfile: manifests/${name}.lock.json`]);
    const lock = JSON.parse(readFileSync(join(dir, 'manifests', `${name}.lock.json`), 'utf8'));
    expect(Object.values(lock.cells).every((c) => (c as { status: string }).status === 'succeeded')).toBe(true);
    const again = await runCli(args, { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`lockfile: manifests/${name}.lock.json (unchanged)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
