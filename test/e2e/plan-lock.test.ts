// `shotlist plan` against the lockfile, and `--frozen` for CI; the run here uses the in-process
// emulator (`--emulator`), the README's first command.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeProject, manifestText, runCli } from './_helpers.js';

describe('shotlist plan vs the lockfile', () => {
  it('shows new, cached, stale and dropped cells; --frozen fails when a run would change the lockfile', async () => {
    const p = makeProject();
    try {
      const before = await runCli(['plan', 'dancer.yaml', '--frozen'], { cwd: p.dir });
      expect(before.code).toBe(1);
      expect(before.stdout).toMatch(/no lockfile \(dancer\.lock\.json\) yet/);

      const run = await runCli(['run', 'dancer.yaml', '--emulator'], { cwd: p.dir });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/results: runs\/dancer\//);

      const clean = await runCli(['plan', 'dancer.yaml', '--frozen'], { cwd: p.dir });
      expect(clean.code).toBe(0);
      expect(clean.stdout).toMatch(/against dancer\.lock\.json: 3 cached\n/);

      writeFileSync(p.manifest, manifestText({ introSeeds: [1, 2, 9], outroSeeds: [], outroPrompt: 'x' }).replace(/  - id: outro[\s\S]*$/, ''));
      const edited = await runCli(['plan', 'dancer.yaml', '--frozen'], { cwd: p.dir });
      expect(edited.code).toBe(1);
      expect(edited.stdout).toMatch(/2 cached, 1 new, 1 to drop/);
      expect(edited.stdout).toMatch(/- [0-9a-f]{12} outro \{"seed":3\} is no longer in the manifest/);
      expect(edited.stderr).toMatch(/--frozen: dancer\.lock\.json does not match the manifest/);
    } finally {
      p.cleanup();
    }
  }, 30_000);
});
