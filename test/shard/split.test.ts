// The split: every cell in exactly one shard, by id hash, unmoved when unrelated cells are added.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/index.js';
import { cellsOfShard, parseShardSpec, shardDirName, shardOf, ShardError } from '../../src/run/shard.js';
import { scratch } from './_helpers.js';

describe('--shard i/n', () => {
  it.each([
    ['1/1', 1, 1], ['1/4', 1, 4], ['4/4', 4, 4], [' 2 / 3 ', 2, 3],
  ])('%s parses', (text, index, total) => {
    expect(parseShardSpec(text)).toEqual({ index, total });
  });

  it.each([
    ['0/4', 'counts from 1 to 4'], ['5/4', 'counts from 1 to 4'], ['1/0', 'at least 1'],
    ['2', 'INDEX/TOTAL'], ['a/b', 'INDEX/TOTAL'], ['1/-2', 'INDEX/TOTAL'], ['1.5/3', 'INDEX/TOTAL'],
  ])('%s is refused, saying %s', (text, says) => {
    expect(() => parseShardSpec(text)).toThrow(ShardError);
    expect(() => parseShardSpec(text)).toThrow(says);
  });

  it('names the folder shard-i-of-n', () => {
    expect(shardDirName({ index: 2, total: 4 })).toBe('shard-2-of-4');
  });
});

describe('split', () => {
  const ids = Array.from({ length: 4000 }, (_, i) => ({ id: (i * 2654435761 >>> 0).toString(16).padStart(12, '0').slice(-12) }));

  it('puts every cell in exactly one shard, the same one on every call', () => {
    for (const total of [1, 2, 3, 7]) {
      const seen = new Map<string, number>();
      for (let index = 1; index <= total; index++) {
        for (const c of cellsOfShard(ids, { index, total })) {
          expect(seen.has(c.id)).toBe(false);
          seen.set(c.id, index);
        }
      }
      expect(seen.size).toBe(ids.length);
      for (const c of ids.slice(0, 50)) expect(shardOf(c.id, total)).toBe(seen.get(c.id));
    }
  });

  it('balances 4000 cells over 4 shards within 10% of the mean', () => {
    const sizes = [1, 2, 3, 4].map((index) => cellsOfShard(ids, { index, total: 4 }).length);
    for (const n of sizes) expect(Math.abs(n - 1000)).toBeLessThan(100);
  });

  const s = scratch();
  afterAll(() => s.cleanup());

  it('does not move a cell when unrelated shots and seeds are added to the manifest', async () => {
    const base = await loadAndPlan(join(s.dir, 'lora-sweep.yaml'));
    const grown = join(s.dir, 'lora-sweep-grown.yaml');
    // Same manifest, plus a third seed for every shot and a whole new shot.
    let text = readFileSync(join(s.dir, 'lora-sweep.yaml'), 'utf8');
    text = text.replace('  seeds: 2 ', '  seeds: 3 ');
    text += `  - id: bow
    prompt: the dancer bows
    video: media/reference.mp4
    keyframes:
      - { image: media/first.png, at: start }
    loras:
      - { path: media/style.safetensors, scale: 0.7, transformer: both }
`;
    writeFileSync(grown, text);
    const more = await loadAndPlan(grown);
    expect(base.plan && more.plan, JSON.stringify([base.diagnostics, more.diagnostics])).toBeTruthy();
    const before = new Set(base.plan!.cells.map((c) => c.id));
    const added = more.plan!.cells.filter((c) => !before.has(c.id));
    expect(added.length).toBeGreaterThanOrEqual(7); // 6 third-seed cells + the new shot's
    expect(more.plan!.cells.filter((c) => before.has(c.id)).length).toBe(before.size);
    for (const total of [2, 3, 4]) {
      for (let index = 1; index <= total; index++) {
        const was = cellsOfShard(base.plan!.cells, { index, total }).map((c) => c.id);
        const now = new Set(cellsOfShard(more.plan!.cells, { index, total }).map((c) => c.id));
        for (const id of was) expect(now.has(id), `${id} left shard ${index}/${total}`).toBe(true);
      }
    }
  });
});
