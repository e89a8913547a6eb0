// Sharded runs merged, against the in-process emulator, through the real CLI: the merged lockfile
// is the single run's lockfile (request ids aside), the reports have every cell once, a re-merge
// or re-run changes nothing, and every way of merging the wrong folders is refused.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/index.js';
import { cellsOfShard } from '../../src/run/shard.js';
import type { Lockfile } from '../../src/types.js';
import { cli, journal, readJson, scratch, withoutRequestIds } from './_helpers.js';

const M = 'lora-sweep.yaml';
const LOCK = 'lora-sweep.lock.json';
const RUN = join('runs', 'lora-sweep');
const shardDirs = (dir: string) => readdirSync(join(dir, RUN)).filter((d) => d.startsWith('shard-')).sort().map((d) => join(RUN, d));

async function runShards(dir: string, total: number, extra: string[] = []): Promise<void> {
  const results = await Promise.all(Array.from({ length: total }, (_, i) =>
    cli(['run', M, '--emulator', '--quiet', '--shard', `${i + 1}/${total}`, ...extra], dir)));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
}

const single = scratch();
const sharded = scratch();
let planIds: string[] = [];
afterAll(() => { single.cleanup(); sharded.cleanup(); });

beforeAll(async () => {
  const { plan } = await loadAndPlan(join(single.dir, M));
  planIds = plan!.cells.map((c) => c.id).sort();
  const [one] = await Promise.all([cli(['run', M, '--emulator', '--quiet'], single.dir), runShards(sharded.dir, 3)]);
  expect(one.code, one.stderr).toBe(0);
}, 120_000);

describe('run --shard i/n', () => {
  it('writes each shard into its own folder: shard.json, a fragment with exactly its cells, a journal naming the shard', async () => {
    const { plan } = await loadAndPlan(join(sharded.dir, M));
    expect(existsSync(join(sharded.dir, LOCK))).toBe(false); // a shard never writes the manifest's lockfile
    const seen: string[] = [];
    for (const i of [1, 2, 3]) {
      const dir = join(sharded.dir, RUN, `shard-${i}-of-3`);
      const want = cellsOfShard(plan!.cells, { index: i, total: 3 }).map((c) => c.id).sort();
      expect(readJson<{ shard: string; cells: string[] }>(join(dir, 'shard.json'))).toMatchObject({ shard: `${i}/3`, cells: want });
      const fragment = readJson<Lockfile>(join(dir, 'shard.lock.json'));
      expect(Object.keys(fragment.cells).sort()).toEqual(want);
      for (const c of Object.values(fragment.cells)) {
        expect(c.status).toBe('succeeded');
        expect(existsSync(join(dir, c.output!.file)), c.output!.file).toBe(true);
      }
      const start = journal(join(dir, 'journal.jsonl')).find((e) => e.type === 'run-start');
      expect(start).toMatchObject({ shard: `${i}/3` });
      seen.push(...want);
    }
    expect(seen.sort()).toEqual(planIds);
  });
});

describe('shotlist merge', () => {
  let merge: Awaited<ReturnType<typeof cli>>;
  beforeAll(async () => {
    merge = await cli(['merge', ...shardDirs(sharded.dir)], sharded.dir);
  });

  it('exits 0 and says where the results and the lockfile are', () => {
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toContain('merged 3 shards (12 cells');
    expect(merge.stdout).toContain(`results: ${RUN}/`);
    expect(merge.stdout).toContain(`lockfile: ${LOCK}`);
  });

  it('writes the lockfile a single run writes, byte for byte', () => {
    const a = readFileSync(join(single.dir, LOCK), 'utf8');
    const b = readFileSync(join(sharded.dir, LOCK), 'utf8');
    // The emulator derives request ids from its seed and the request's content (uploaded files by
    // their bytes), so even the ids agree here; against fal they would differ and nothing else would.
    expect(withoutRequestIds(b)).toBe(withoutRequestIds(a));
    expect(b).toBe(a);
    // The request ids are the merged shards' own jobs.
    const merged = readJson<Lockfile>(join(sharded.dir, LOCK));
    for (const dir of shardDirs(sharded.dir)) {
      for (const e of journal(join(sharded.dir, dir, 'journal.jsonl'))) {
        if (e.type === 'downloaded') expect(merged.cells[e.cell].requestId).toBe(e.requestId);
      }
    }
  });

  it('puts every output where the lockfile says, with its bytes', () => {
    const merged = readJson<Lockfile>(join(sharded.dir, LOCK));
    for (const c of Object.values(merged.cells)) {
      expect(c.output!.file).toBe(`${RUN}/spin/${c.id}.mp4`);
      const bytes = readFileSync(join(sharded.dir, c.output!.file));
      expect(bytes.length).toBe(c.output!.size);
    }
  });

  it('writes reports with every cell once, each shard a run', () => {
    const report = readJson<{ cells: { id: string; video: string }[]; summary: { counts: Record<string, number> }; runs: { run: string; shard?: string }[] }>(
      join(sharded.dir, RUN, 'report.json'));
    expect(report.cells.map((c) => c.id).sort()).toEqual(planIds);
    expect(report.summary.counts.succeeded).toBe(12);
    expect(report.runs.map((r) => [r.run, r.shard])).toEqual([['s1of3-r1', '1/3'], ['s2of3-r1', '2/3'], ['s3of3-r1', '3/3']]);
    const html = readFileSync(join(sharded.dir, RUN, 'report.html'), 'utf8');
    for (const c of report.cells) {
      expect(c.video).toBe(`spin/${c.id}.mp4`);
      expect(html).toContain(`spin/${c.id}.mp4`);
    }
    expect(readFileSync(join(sharded.dir, RUN, 'report.md'), 'utf8')).toContain('12');
    expect(existsSync(join(sharded.dir, RUN, 'junit.xml'))).toBe(true);
  });

  it('changes nothing when merged again, rebuilt by `shotlist report`, or run again unsharded', async () => {
    const files = [LOCK, join(RUN, 'journal.jsonl'), join(RUN, 'report.json')];
    const before = files.map((f) => readFileSync(join(sharded.dir, f), 'utf8'));
    const again = await cli(['merge', ...shardDirs(sharded.dir), shardDirs(sharded.dir)[0]], sharded.dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`lockfile: ${LOCK} (unchanged)`);
    const report = await cli(['report', RUN], sharded.dir);
    expect(report.code, report.stderr).toBe(0);
    const frozen = await cli(['plan', M, '--frozen'], sharded.dir);
    expect(frozen.code, frozen.stdout + frozen.stderr).toBe(0);
    const run = await cli(['run', M, '--emulator', '--quiet'], sharded.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('(unchanged)');
    expect(files.map((f) => readFileSync(join(sharded.dir, f), 'utf8'))).toEqual(before);
  });
});

describe('shards and the lockfile already committed', () => {
  const s = scratch();
  afterAll(() => s.cleanup());

  it('runs only the cells the lockfile lacks, and merges to the full single-run lockfile', async () => {
    const first = await cli(['run', M, '--emulator', '--quiet', '--limit', '5'], s.dir);
    expect(first.code, first.stderr).toBe(0);
    const cached = readJson<Lockfile>(join(s.dir, LOCK));
    expect(Object.keys(cached.cells)).toHaveLength(5);
    await runShards(s.dir, 2);
    const ran = shardDirs(s.dir).flatMap((d) => journal(join(s.dir, d, 'journal.jsonl')).filter((e) => e.type === 'submitted').map((e) => 'cell' in e && e.cell));
    expect(ran.sort()).toEqual(planIds.filter((id) => !(id in cached.cells)));
    const merge = await cli(['merge', ...shardDirs(s.dir)], s.dir);
    expect(merge.code, merge.stderr).toBe(0);
    const merged = readJson<Lockfile>(join(s.dir, LOCK));
    expect(withoutRequestIds(readFileSync(join(s.dir, LOCK), 'utf8'))).toBe(withoutRequestIds(readFileSync(join(single.dir, LOCK), 'utf8')));
    for (const [id, c] of Object.entries(cached.cells)) expect(merged.cells[id].requestId).toBe(c.requestId);
  });
});

describe('merge refuses', () => {
  const s = scratch();
  afterAll(() => s.cleanup());
  beforeAll(() => {
    // The three shards of the sharded run, as they were before it was merged.
    for (const d of ['shard-1-of-3', 'shard-2-of-3', 'shard-3-of-3']) cpSync(join(sharded.dir, RUN, d), join(s.dir, RUN, d), { recursive: true });
  });
  const fails = async (args: string[], says: string) => {
    const r = await cli(['merge', ...args], s.dir);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(says);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(join(s.dir, LOCK))).toBe(false);
  };
  const [one, two, three] = ['shard-1-of-3', 'shard-2-of-3', 'shard-3-of-3'].map((d) => join(RUN, d));

  it('a missing shard', () => fails([one, three], 'missing shard 2/3 (given 1/3, 3/3)'));
  it('a folder that is not a shard', () => fails([one, two, three, 'media'], 'media is not a shard folder (no shard.json)'));
  it('the same shard twice', async () => {
    cpSync(join(s.dir, two), join(s.dir, 'copy-of-2'), { recursive: true });
    await fails([one, two, three, 'copy-of-2'], 'are both shard 2/3');
  });
  it('shards of different splits', async () => {
    const r = await cli(['run', M, '--emulator', '--quiet', '--shard', '1/2'], s.dir);
    expect(r.code, r.stderr).toBe(0);
    await fails([one, two, three, join(RUN, 'shard-1-of-2')], 'shards of different splits cannot be merged');
  });
  it('shards of different manifest versions, and a manifest changed since the shards ran', async () => {
    const text = readFileSync(join(s.dir, M), 'utf8');
    writeFileSync(join(s.dir, M), text.replace('film grain', 'film grain, slow motion'));
    await fails([one, two, three], 'has changed since the shards ran it');
    const r = await cli(['run', M, '--emulator', '--quiet', '--shard', '2/3', '--out', 'new-2'], s.dir);
    expect(r.code, r.stderr).toBe(0);
    await fails([one, 'new-2', three], 'ran a different version of the manifest');
    writeFileSync(join(s.dir, M), text);
  });
  it('shards moved away from the manifest, unless --manifest says where it is', async () => {
    mkdirSync(join(s.dir, 'downloaded', 'a', 'b', 'c'), { recursive: true });
    for (const d of [one, two, three]) cpSync(join(s.dir, d), join(s.dir, 'downloaded', 'a', 'b', 'c', d.split('/').at(-1)!), { recursive: true });
    const moved = ['shard-1-of-3', 'shard-2-of-3', 'shard-3-of-3'].map((d) => join('downloaded', 'a', 'b', 'c', d));
    await fails(moved, 'pass --manifest PATH');
    const r = await cli(['merge', ...moved, '--manifest', M], s.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(withoutRequestIds(readFileSync(join(s.dir, LOCK), 'utf8'))).toBe(withoutRequestIds(readFileSync(join(single.dir, LOCK), 'utf8')));
  });
});

describe('one shard of a sweep', () => {
  const s = scratch();
  afterAll(() => s.cleanup());

  it('is refused over budget when the whole sweep is, though the shard alone is under it', async () => {
    const { plan } = await loadAndPlan(join(s.dir, M));
    const mine = cellsOfShard(plan!.cells, { index: 1, total: 3 }).reduce((n, c) => n + c.estimate.usd, 0);
    const budget = (mine + plan!.totals.usd) / 2; // above this shard's share, below the sweep
    const r = await cli(['run', M, '--emulator', '--shard', '1/3', '--max-cost', budget.toFixed(4)], s.dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('the cells of all 3 shards still to run are estimated at');
    expect(existsSync(join(s.dir, RUN, 'shard-1-of-3', 'journal.jsonl'))).toBe(false);
  });

  it('selects with --shot within the shard: a shot with no cells in it is an empty run, not an unknown shot', async () => {
    const { plan } = await loadAndPlan(join(s.dir, 'keyframes.yaml'));
    const spec = [1, 2, 3, 4].map((index) => ({ index, total: 4 })).find((sp) => !cellsOfShard(plan!.cells, sp).some((c) => c.shot === 'opening'))!;
    const r = await cli(['run', 'keyframes.yaml', '--emulator', '--quiet', '--shard', `${spec.index}/4`, '--shot', 'opening'], s.dir);
    expect(r.code, r.stderr).toBe(0);
    const fragment = join(s.dir, 'runs', 'keyframes', `shard-${spec.index}-of-4`, 'shard.lock.json');
    expect(Object.keys(readJson<Lockfile>(fragment).cells)).toEqual([]);
    const typo = await cli(['run', 'keyframes.yaml', '--emulator', '--shard', `${spec.index}/4`, '--shot', 'openning'], s.dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--shot openning: no such shot');
  });

  it('is shown by `plan --shard`: its cells only, its folder and its fragment', async () => {
    const { plan } = await loadAndPlan(join(s.dir, M));
    const mine = cellsOfShard(plan!.cells, { index: 2, total: 3 }).map((c) => c.id);
    const r = await cli(['plan', M, '--shard', '2/3'], s.dir);
    expect(r.code, r.stderr).toBe(0);
    for (const c of plan!.cells) expect(r.stdout.includes(c.id), c.id).toBe(mine.includes(c.id));
    expect(r.stdout).toContain(`shard 2/3: ${mine.length} of 12 cells`);
    expect(r.stdout).toContain(`run folder: ${RUN}/shard-2-of-3/`);
    expect(r.stdout).toContain(`lockfile fragment: ${RUN}/shard-2-of-3/shard.lock.json`);
    const bad = await cli(['plan', M, '--shard', '4/3'], s.dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard 4/3: the shard index counts from 1 to 3');
  });
});
