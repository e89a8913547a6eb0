// Chaos in CI: scripts/chaos.js at a small size (the soak, scripts/soak.js, runs it with >= 20
// kills; docs/reliability.md has its figures). An emulator process with every fault kind on, the
// run SIGKILLed at random moments and restarted until done; every check of the chaos module must
// pass, and the figures are printed.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module shared with scripts/soak.js
import { chaos } from '../../scripts/chaos.js';

interface Figures {
  cells: number; kills: number; runs: number; succeeded: number; failed: number; outputsVerified: number; submissions: number;
  duplicates: number; duplicatesBy: Record<string, number>; lostOutputs: number; faultsInjected: Record<string, number>; tempFilesLeft: number;
}


describe('chaos: faults everywhere and kill -9 at random moments', () => {
  it('every cell settles with its reason, outputs match the lockfile, duplicates are all accounted for', async () => {
    const { figures, problems } = (await chaos({ cells: 150, kills: 5, seed: 7, killAfterMs: [300, 1800] })) as { figures: Figures; problems: string[] };
    console.log(`chaos figures: ${JSON.stringify(figures)}`);
    expect(problems).toEqual([]);
    expect(figures.kills).toBe(5);
    expect(figures.succeeded + figures.failed).toBe(figures.cells);
    expect(figures.outputsVerified).toBe(figures.succeeded);
    expect(figures.lostOutputs).toBe(0);
    expect(figures.tempFilesLeft).toBe(0);
    expect(figures.duplicatesBy.unexplained).toBe(0);
    // The faults really happened: most kinds fired at least once on 150 cells.
    const fired = Object.entries(figures.faultsInjected).filter(([, n]) => n > 0).map(([k]) => k);
    expect(fired.length, fired.join(',')).toBeGreaterThanOrEqual(6);
  }, 170_000);
});
