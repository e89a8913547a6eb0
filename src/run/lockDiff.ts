// `shotlist plan` against the lockfile, like `terraform plan`: per cell whether a run would reuse
// it (cached), run it (new), replace an earlier result of the same shot and sweep whose input
// changed (stale), or leave an earlier failure (failed); plus the lockfile cells the manifest no
// longer has (dropped at the next run).
import type { LockedCell, Lockfile, Plan } from '../types.js';
import { stableStringify } from '../util/stableJson.js';

export type CellLockStatus = 'new' | 'cached' | 'stale' | 'failed' | 'pending';

export interface LockDiff {
  status: Map<string, CellLockStatus>;
  /** For stale cells: the lockfile cell id they replace. */
  replaces: Map<string, string>;
  dropped: LockedCell[];
  /** True when a run would change nothing (what `plan --frozen` checks). */
  inSync: boolean;
}

const slot = (shot: string, sweep: unknown) => `${shot}\u0000${stableStringify(sweep)}`;

export function diffAgainstLock(plan: Plan, lock: Lockfile | undefined): LockDiff {
  const cells = lock?.cells ?? {};
  const planIds = new Set(plan.cells.map((c) => c.id));
  const dropped = Object.values(cells).filter((c) => !planIds.has(c.id)).sort((a, b) => a.id.localeCompare(b.id));
  const droppedBySlot = new Map(dropped.map((c) => [slot(c.shot, c.sweep), c.id]));
  const status = new Map<string, CellLockStatus>();
  const replaces = new Map<string, string>();
  for (const cell of plan.cells) {
    const locked = cells[cell.id];
    if (locked?.status === 'succeeded') status.set(cell.id, 'cached');
    else if (locked?.status === 'failed' || locked?.status === 'cancelled') status.set(cell.id, 'failed');
    else if (locked?.status === 'pending') status.set(cell.id, 'pending');
    else {
      const old = droppedBySlot.get(slot(cell.shot, cell.sweep));
      status.set(cell.id, old ? 'stale' : 'new');
      if (old) replaces.set(cell.id, old);
    }
  }
  // A run would rewrite the lockfile when any cell is not cached, a cell is dropped, or the
  // manifest bytes changed (its sha256 is recorded).
  const inSync = !!lock && dropped.length === 0 && [...status.values()].every((s) => s === 'cached')
    && lock.manifest.sha256 === plan.manifest.sha256;
  return { status, replaces, dropped, inSync };
}
