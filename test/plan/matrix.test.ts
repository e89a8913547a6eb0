// GitHub Actions matrix semantics, checked against the examples in GitHub's docs
// ("Running variations of jobs in a workflow": expanding, adding, excluding, include-only).
import { describe, expect, it } from 'vitest';
import { matrixCombinations, sampleIndices, prng } from '../../src/plan/index.js';

describe('matrix (GitHub Actions semantics)', () => {
  it('orders the product with the first axis varying slowest', () => {
    expect(matrixCombinations({ version: [10, 12, 14], os: ['ubuntu-latest', 'windows-latest'] })).toEqual([
      { version: 10, os: 'ubuntu-latest' }, { version: 10, os: 'windows-latest' },
      { version: 12, os: 'ubuntu-latest' }, { version: 12, os: 'windows-latest' },
      { version: 14, os: 'ubuntu-latest' }, { version: 14, os: 'windows-latest' },
    ]);
  });

  it('docs example: include merges where it overwrites no original value, else adds a combination', () => {
    const out = matrixCombinations({
      fruit: ['apple', 'pear'],
      animal: ['cat', 'dog'],
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    });
    expect(out).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
  });

  it('docs example: expanding one configuration with an extra value', () => {
    const out = matrixCombinations({ os: ['windows-latest', 'ubuntu-latest'], node: [14, 16], include: [{ os: 'windows-latest', node: 16, npm: 6 }] });
    expect(out).toHaveLength(4);
    expect(out.filter((c) => c.npm === 6)).toEqual([{ os: 'windows-latest', node: 16, npm: 6 }]);
  });

  it('docs example: adding a configuration (10 jobs)', () => {
    const out = matrixCombinations({ os: ['macos-latest', 'windows-latest', 'ubuntu-latest'], version: [12, 14, 16], include: [{ os: 'windows-latest', version: 17 }] });
    expect(out).toHaveLength(10);
    expect(out[9]).toEqual({ os: 'windows-latest', version: 17 });
  });

  it('docs example: exclude removes partial matches (12 -> 9 jobs)', () => {
    const out = matrixCombinations({
      os: ['macos-latest', 'windows-latest'], version: [12, 14, 16], environment: ['staging', 'production'],
      exclude: [{ os: 'macos-latest', version: 12, environment: 'production' }, { os: 'windows-latest', version: 16 }],
    });
    expect(out).toHaveLength(9);
    expect(out).not.toContainEqual({ os: 'macos-latest', version: 12, environment: 'production' });
    expect(out.filter((c) => c.os === 'windows-latest' && c.version === 16)).toEqual([]);
    expect(out).toContainEqual({ os: 'macos-latest', version: 12, environment: 'staging' });
  });

  it('docs example: a matrix with only include runs just those entries', () => {
    const inc = [{ site: 'production', datacenter: 'site-a' }, { site: 'staging', datacenter: 'site-b' }];
    expect(matrixCombinations({ include: inc })).toEqual(inc);
  });

  it('applies exclude before include, so include can add back an excluded combination', () => {
    const out = matrixCombinations({ a: [1, 2], b: ['x', 'y'], exclude: [{ a: 2 }], include: [{ a: 2, b: 'y' }] });
    expect(out).toEqual([{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'y' }]);
  });

  it('compares object values deeply (resolution presets as objects)', () => {
    const out = matrixCombinations({ resolution: [{ width: 512, height: 320 }, { width: 768, height: 448 }], exclude: [{ resolution: { height: 320, width: 512 } }] });
    expect(out).toEqual([{ resolution: { width: 768, height: 448 } }]);
  });
});

describe('sampling', () => {
  it('draws distinct ascending indices, the same for the same seed', () => {
    const a = sampleIndices(1_000_000_000, 5, prng(42));
    expect(a).toEqual(sampleIndices(1_000_000_000, 5, prng(42)));
    expect(new Set(a).size).toBe(5);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a.every((i) => i >= 0 && i < 1_000_000_000)).toBe(true);
    expect(sampleIndices(1_000_000_000, 5, prng(43))).not.toEqual(a);
  });

  it('returns everything when asked for more than there is', () => {
    expect(sampleIndices(4, 10, prng(1))).toEqual([0, 1, 2, 3]);
  });

  it('is roughly uniform', () => {
    const hits = new Array(10).fill(0);
    for (let s = 0; s < 2000; s++) for (const i of sampleIndices(10, 1, prng(s))) hits[i]++;
    for (const h of hits) expect(h).toBeGreaterThan(120);
  });
});
