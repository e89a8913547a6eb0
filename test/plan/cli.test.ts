// The built CLI, as a user runs it: exit codes, stdout/stderr, no stack traces.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, ROOT, writeManifest } from '../manifest/_helpers.js';

afterAll(cleanup);

function shotlist(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/shotlist.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('shotlist validate', () => {
  it('exits 0 on the examples and says how many cells', () => {
    const r = shotlist('validate', 'manifests/keyframes.yaml', 'manifests/lora-sweep.yaml', 'manifests/multiconditioning.yaml');
    expect(r.err).toBe('');
    expect(r.out).toContain('manifests/lora-sweep.yaml: valid, 12 cells');
    expect(r.out).toContain('manifests/multiconditioning.yaml: valid, 2 cells');
    expect(r.code).toBe(0);
  });

  it('exits 2 with every problem, compiler style, with fix and caret', () => {
    const file = writeManifest(`version: 1\nname: t\nendpoint: fal-ai/ltx-2.3-quality/reference-video-to-video/lora\nshots:\n  - id: a\n    promt: hi\n  - id: b\n    prompt: 7\n`);
    const r = shotlist('validate', file);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/manifest\.yaml:6:5: error E_UNKNOWN_KEY unknown key `promt` in shots\[0\]/);
    expect(r.err).toContain('fix: did you mean `prompt`?');
    expect(r.err).toMatch(/\n {2}6 \| {5}promt: hi\n {4}\| {5}\^~~~~\n/);
    expect(r.err).toMatch(/manifest\.yaml:8:13: error E_WRONG_TYPE/);
    expect(r.err).toContain('2 errors, 0 warnings');
    noStack(r.err);
  });

  it('prints warnings but exits 0 when there are no errors', () => {
    const file = writeManifest(`version: 1\nname: t\nendpoint: fal-ai/some/model\nshots:\n  - id: a\n    prompt: p\n`);
    const r = shotlist('validate', file);
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning W_NO_SCHEMA');
    expect(r.out).toContain('valid, 1 cell');
  });

  it.each([
    ['a missing file', ['validate', 'manifests/nope.yaml'], /cannot read manifest manifests\/nope\.yaml: no such file/],
    ['YAML syntax errors', ['validate', '__yaml__'], /:\d+:\d+: error E_YAML_SYNTAX/],
    ['no manifest at all', ['validate'], /missing manifest path/],
    ['a bad --max-cells', ['plan', 'manifests/keyframes.yaml', '--max-cells', 'lots'], /--max-cells must be a positive integer/],
    ['an unknown flag', ['plan', 'manifests/keyframes.yaml', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('exits 2 without a stack trace on %s', (_n, args, message) => {
    const real = args.map((a) => (a === '__yaml__' ? writeManifest('version: 1\nshots: [\n  - id: a\n') : a));
    const r = shotlist(...real);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toContain('internal error');
    noStack(r.err);
  });
});

describe('shotlist plan', () => {
  it('prints the table: ids, shot, swept values, endpoint, estimate; count and total', () => {
    const r = shotlist('plan', 'manifests/lora-sweep.yaml');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    // (the run engine adds a lockfile `status` column after `shot`)
    expect(lines[0]).toMatch(/^cell\s+shot\s+(status\s+)?loras\[0\]\.scale\s+num_frames\s+video_strength\s+seed\s+endpoint\s+est\.$/);
    const rows = lines.filter((l) => /^[0-9a-f]{12} /.test(l));
    expect(rows).toHaveLength(12);
    expect(rows.every((l) => l.includes('fal-ai/ltx-2.3-quality/reference-video-to-video/lora'))).toBe(true);
    expect(lines).toContainEqual(expect.stringMatching(/^12 cells, estimated \$0\.\d{4} in total \(fal prices 2026-11\)$/));
  });

  it('--json prints the versioned plan, stable across runs', () => {
    const a = shotlist('plan', 'manifests/multiconditioning.yaml', '--json');
    const b = shotlist('plan', 'manifests/multiconditioning.yaml', '--json');
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const plan = JSON.parse(a.out);
    expect(plan.version).toBe(1);
    expect(plan.tool.name).toBe('shotlist');
    expect(plan.manifest).toMatchObject({ path: 'manifests/multiconditioning.yaml', name: 'multiconditioning' });
    expect(plan.cells).toHaveLength(2);
    expect(plan.totals).toEqual({ cells: 2, usd: 0.4 });
    expect(a.out.endsWith('}\n')).toBe(true);
  });

  it('--max-cells below the plan refuses it and names the flag to raise it', () => {
    const r = shotlist('plan', 'manifests/lora-sweep.yaml', '--max-cells', '5');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('E_TOO_MANY_CELLS the plan has 12 cells, above the limit of 5');
    expect(r.err).toContain('--max-cells 12');
  });
});
