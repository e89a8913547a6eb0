// Slots: the engine's job/download permits. A finished job frees its fal slot before its download.
import { describe, expect, it } from 'vitest';
import { CellSlots, Slots } from '../../src/run/slots.js';

describe('Slots', () => {
  it('never hands out more permits than its size, and releasing twice frees one', async () => {
    const s = new Slots(2);
    const a = await s.acquire();
    await s.acquire();
    let third = false;
    const p = s.acquire().then((r) => { third = true; return r; });
    await Promise.resolve();
    expect(third).toBe(false);
    a();
    a();
    const r3 = await p;
    expect(third).toBe(true);
    let fourth = false;
    void s.acquire().then(() => { fourth = true; });
    await new Promise((r) => setTimeout(r, 5));
    expect(fourth).toBe(false); // the double release of `a` did not create a permit
    r3();
    await new Promise((r) => setTimeout(r, 5));
    expect(fourth).toBe(true);
  });

  it('a cell whose job is done lets the next cell start its job while it waits to download', async () => {
    const jobs = new Slots(1);
    const post = new Slots(1);
    const first = new CellSlots(jobs, post);
    const second = new CellSlots(jobs, post);
    await first.startJob();
    let secondStarted = false;
    const s2 = second.startJob().then(() => { secondStarted = true; });
    await first.jobDone(); // holds the download permit now
    await s2;
    expect(secondStarted).toBe(true);
    let secondDownloading = false;
    const d2 = second.jobDone().then(() => { secondDownloading = true; });
    await new Promise((r) => setTimeout(r, 5));
    expect(secondDownloading).toBe(false); // one download at a time
    first.release();
    await d2;
    expect(secondDownloading).toBe(true);
    second.release();
  });
});
