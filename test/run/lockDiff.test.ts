import { describe, expect, it } from 'vitest';
import { diffAgainstLock } from '../../src/run/lockDiff.js';
import type { Cell, LockedCell, Lockfile, Plan } from '../../src/types.js';

const cell = (id: string, shot: string, seed: number): Cell => ({
  id, shot, endpoint: 'fal-ai/ltx-video-lora/multiconditioning', input: { prompt: 'p', seed }, files: [], sweep: { seed }, seed,
  estimate: { usd: 0.2, basis: '' }, expected: { width: 832, height: 480, numFrames: 9, fps: 25 },
});
const locked = (c: Cell, status: LockedCell['status']): LockedCell => ({
  id: c.id, shot: c.shot, sweep: c.sweep, endpoint: c.endpoint, input: c.input, seed: c.seed, status, flags: [], estimateUsd: 0.2,
});
const plan = (cells: Cell[], sha = 'm1'): Plan => ({
  version: 1, tool: { name: 'shotlist', version: '0' }, manifest: { path: 'a.yaml', name: 'a', sha256: sha },
  settings: { maxCells: 100 }, cells, totals: { cells: cells.length, usd: 0 },
});
const lock = (cells: LockedCell[], sha = 'm1'): Lockfile => ({
  version: 1, tool: { name: 'shotlist', version: '0' }, client: { name: '@fal-ai/client', version: '1' },
  manifest: { path: 'a.yaml', sha256: sha }, target: 'emulator', cells: Object.fromEntries(cells.map((c) => [c.id, c])),
});

describe('diffAgainstLock', () => {
  const a = cell('aaaaaaaaaaaa', 'intro', 1);
  const b = cell('bbbbbbbbbbbb', 'intro', 2);
  const bEdited = { ...cell('cccccccccccc', 'intro', 2), input: { prompt: 'edited', seed: 2 } };
  const gone = cell('dddddddddddd', 'outro', 7);

  it('marks cached, new, stale (same shot and sweep, changed input), failed, and lists dropped cells', () => {
    const d = diffAgainstLock(plan([a, bEdited, cell('eeeeeeeeeeee', 'intro', 3), cell('ffffffffffff', 'intro', 4)]),
      lock([locked(a, 'succeeded'), locked(b, 'succeeded'), locked(gone, 'succeeded'), locked(cell('ffffffffffff', 'intro', 4), 'failed')]));
    expect(Object.fromEntries(d.status)).toEqual({ aaaaaaaaaaaa: 'cached', cccccccccccc: 'stale', eeeeeeeeeeee: 'new', ffffffffffff: 'failed' });
    expect(d.replaces.get('cccccccccccc')).toBe('bbbbbbbbbbbb');
    expect(d.dropped.map((c) => c.id)).toEqual(['bbbbbbbbbbbb', 'dddddddddddd']);
    expect(d.inSync).toBe(false);
  });

  it.each([
    ['everything cached', plan([a]), lock([locked(a, 'succeeded')]), true],
    ['no lockfile', plan([a]), undefined, false],
    ['manifest bytes changed', plan([a], 'm2'), lock([locked(a, 'succeeded')]), false],
    ['a cell dropped', plan([a]), lock([locked(a, 'succeeded'), locked(gone, 'succeeded')]), false],
  ])('inSync: %s -> %s', (_name, p, l, expected) => {
    expect(diffAgainstLock(p, l).inSync).toBe(expected);
  });
});
