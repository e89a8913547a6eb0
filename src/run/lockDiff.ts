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

/** The lines `shotlist plan` prints under its table: counts, what a run would replace and drop. */
export function renderLockDiff(diff: LockDiff, lockName: string, hasLock: boolean): string {
  if (!hasLock) return `no lockfile (${lockName}) yet: every cell is new`;
  const counts = new Map<string, number>();
  for (const s of diff.status.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  const parts = ['cached', 'new', 'stale', 'failed', 'pending'].filter((s) => counts.get(s)).map((s) => `${counts.get(s)} ${s}`);
  const lines = [`against ${lockName}: ${parts.join(', ') || 'no cells'}${diff.dropped.length ? `, ${diff.dropped.length} to drop` : ''}`];
  for (const [id, old] of diff.replaces) lines.push(`  ~ ${id} replaces ${old} (same shot and sweep, input changed)`);
  for (const c of diff.dropped) {
    if (![...diff.replaces.values()].includes(c.id)) lines.push(`  - ${c.id} ${c.shot} ${stableStringify(c.sweep)} is no longer in the manifest`);
  }
  if (counts.get('failed')) lines.push('  failed cells run again only with `shotlist run --retry-failed`');
  lines.push(diff.inSync ? 'the lockfile is up to date: `shotlist run` would send nothing' : '`shotlist run` would update the lockfile');
  return lines.join('\n');
}
