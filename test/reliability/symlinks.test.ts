// Symlinks committed into the project must not send shotlist's writes outside it: a `runs` link
// leading elsewhere, or a link inside the run folder (journal, a shot folder). Each run refuses
// with exit 2 before writing, and the link's target is untouched.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../e2e/_helpers.js';

let outside: string;
beforeAll(() => { outside = mkdtempSync(join(tmpdir(), 'shotlist-outside-')); });
afterAll(() => rmSync(outside, { recursive: true, force: true }));

const run = (dir: string, manifest: string) => runCli(['run', manifest, '--emulator', '--emulator-time-scale', '0.001', '--yes', '--quiet'], { cwd: dir });

describe('symlinks in the project do not redirect writes', () => {
  it('a `runs` link leading outside the manifest folder', async () => {
    const p = makeProject();
    try {
      const target = join(outside, 'runs-target');
      mkdirSync(target);
      symlinkSync(target, join(p.dir, 'runs'));
      const r = await run(p.dir, p.manifest);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/leads outside the manifest's folder through a symlink/);
      expect(readdirSync(target)).toEqual([]);
    } finally { p.cleanup(); }
  });

  it('a journal.jsonl link inside the run folder', async () => {
    const p = makeProject();
    try {
      const victim = join(outside, 'bashrc');
      writeFileSync(victim, 'export PATH=$PATH\n');
      mkdirSync(p.outDir, { recursive: true });
      symlinkSync(victim, join(p.outDir, 'journal.jsonl'));
      const r = await run(p.dir, p.manifest);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/journal\.jsonl is a symlink/);
      expect(readFileSync(victim, 'utf8')).toBe('export PATH=$PATH\n');
    } finally { p.cleanup(); }
  });

  it('a shot folder link inside the run folder', async () => {
    const p = makeProject();
    try {
      const target = join(outside, 'shot-target');
      mkdirSync(target);
      mkdirSync(p.outDir, { recursive: true });
      symlinkSync(target, join(p.outDir, 'intro'));
      const r = await run(p.dir, p.manifest);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/intro is a symlink/);
      expect(readdirSync(target)).toEqual([]);
    } finally { p.cleanup(); }
  });
});
