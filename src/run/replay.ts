// Rebuilding what happened from the journal, so a run restarted after a crash, `kill -9` or Ctrl-C
// re-attaches to jobs already paid for instead of submitting them again.
import type { CellError, JournalEvent, JsonObject } from '../types.js';

export type JournalPhase = 'submitted' | 'completed' | 'downloaded' | 'failed' | 'cancelled' | 'lost';

export interface CellJournalState {
  phase: JournalPhase;
  requestId?: string;
  /** How many times the cell has been submitted so far (all runs against this target). */
  submissions: number;
  output?: JsonObject;
  downloaded?: { file: string; sha256: string; size: number };
  error?: CellError;
}

export interface Replayed {
  cells: Map<string, CellJournalState>;
  /** Number of runs recorded (next run id is `r${runs + 1}`). */
  runs: number;
}

/** Folds the events of runs against `target` (jobs on fal cannot be re-attached on the emulator, and vice versa). */
export function replayJournal(events: JournalEvent[], target: 'fal' | 'emulator'): Replayed {
  const runTarget = new Map<string, string>();
  const cells = new Map<string, CellJournalState>();
  let runs = 0;
  for (const ev of events) {
    if (ev.type === 'run-start') {
      runs++;
      runTarget.set(ev.run, ev.target);
      continue;
    }
    if (runTarget.get(ev.run) !== target) continue;
    if (!('cell' in ev)) continue;
    const prev = cells.get(ev.cell);
    const submissions = prev?.submissions ?? 0;
    switch (ev.type) {
      case 'submitted':
        cells.set(ev.cell, { phase: 'submitted', requestId: ev.requestId, submissions: submissions + 1 });
        break;
      case 'started':
        break;
      case 'completed':
        cells.set(ev.cell, { ...prev, phase: 'completed', requestId: ev.requestId, submissions, output: ev.output });
        break;
      case 'downloaded':
        cells.set(ev.cell, { ...prev, phase: 'downloaded', requestId: ev.requestId, submissions, downloaded: { file: ev.file, sha256: ev.sha256, size: ev.size } });
        break;
      case 'failed':
        cells.set(ev.cell, { ...prev, phase: 'failed', requestId: ev.requestId ?? prev?.requestId, submissions, error: ev.error });
        break;
      case 'cancelled':
        cells.set(ev.cell, { ...prev, phase: 'cancelled', submissions });
        break;
      case 'lost':
        cells.set(ev.cell, { phase: 'lost', submissions });
        break;
    }
  }
  return { cells, runs };
}

/** In flight: submitted (maybe completed) but not yet downloaded, failed, cancelled or lost. */
export function inFlight(s: CellJournalState | undefined): boolean {
  return s?.phase === 'submitted' || s?.phase === 'completed';
}
