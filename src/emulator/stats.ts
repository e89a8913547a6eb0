// Counters a test can assert on (GET /_emulator/stats). Shape: EmulatorStats in src/types.ts.
import type { EmulatorStats } from '../types.js';

export function emptyStats(): EmulatorStats {
  return {
    submissionsByInput: {},
    submissions: 0,
    peakInProgress: 0,
    requests: {},
    cancels: 0,
    uploads: 0,
    completed: 0,
    failed: 0,
    expired: 0,
    faults: {},
  };
}

export class StatsCollector {
  private s = emptyStats();

  request(route: string, status: number | string): void {
    const key = `${route} ${status}`;
    this.s.requests[key] = (this.s.requests[key] ?? 0) + 1;
  }

  fault(kind: string): void {
    this.s.faults[kind] = (this.s.faults[kind] ?? 0) + 1;
  }

  submission(inputHash: string): void {
    this.s.submissions++;
    this.s.submissionsByInput[inputHash] = (this.s.submissionsByInput[inputHash] ?? 0) + 1;
  }

  inProgress(now: number): void {
    if (now > this.s.peakInProgress) this.s.peakInProgress = now;
  }

  bump(field: 'cancels' | 'uploads' | 'completed' | 'failed' | 'expired'): void {
    this.s[field]++;
  }

  snapshot(): EmulatorStats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = emptyStats();
  }
}
