// The queue: jobs per key, at most `concurrency` IN_PROGRESS per key (fal's model: only
// IN_PROGRESS requests count, the rest wait IN_QUEUE), each running for its simulated duration
// while its video encodes, then COMPLETED with a result or with fal's error shape.
import type { JsonObject, Json } from '../types.js';

export type JobStatus = 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';

export interface JobLog {
  message: string;
  level: 'INFO' | 'ERROR';
  source: 'USER';
  timestamp: string;
}

export interface JobError {
  status: number;
  body: JsonObject;
  /** fal's `error_type`, also sent as `X-Fal-Error-Type`. */
  errorType: string;
}

export interface Job {
  id: string;
  endpoint: string;
  key: string;
  input: JsonObject;
  inputHash: string;
  /** The request by content (uploaded files by their sha256): what the job's id, faults and picture derive from. */
  contentKey: string;
  status: JobStatus;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  logs: JobLog[];
  result?: JsonObject;
  error?: JobError;
  cancelled: boolean;
  expiryCounted: boolean;
  timers: NodeJS.Timeout[];
  listeners: Set<() => void>;
}

export type Runner = (job: Job, done: (outcome: { result?: JsonObject; error?: JobError }) => void) => void;

export class JobQueue {
  readonly jobs = new Map<string, Job>();
  private readonly waiting = new Map<string, Job[]>();
  private readonly running = new Map<string, number>();
  private totalRunning = 0;

  constructor(
    private readonly concurrency: number,
    private readonly run: Runner,
    private readonly onInProgress: (total: number) => void,
    private readonly onFinished: (job: Job) => void,
  ) {}

  add(job: Job): void {
    this.jobs.set(job.id, job);
    const q = this.waiting.get(job.key) ?? [];
    q.push(job);
    this.waiting.set(job.key, q);
    this.log(job, 'Request queued');
    // Start on the next tick so the submit response always reports IN_QUEUE first, as on fal.
    setImmediate(() => this.schedule(job.key));
  }

  /** 0-based position among the key's waiting jobs. */
  position(job: Job): number {
    return (this.waiting.get(job.key) ?? []).indexOf(job);
  }

  log(job: Job, message: string, level: JobLog['level'] = 'INFO'): void {
    job.logs.push({ message, level, source: 'USER', timestamp: new Date().toISOString() });
    this.notify(job);
  }

  notify(job: Job): void {
    for (const l of [...job.listeners]) l();
  }

  private schedule(key: string): void {
    const q = this.waiting.get(key) ?? [];
    while (q.length > 0 && (this.running.get(key) ?? 0) < this.concurrency) {
      const job = q.shift()!;
      this.running.set(key, (this.running.get(key) ?? 0) + 1);
      this.totalRunning++;
      this.onInProgress(this.totalRunning);
      job.status = 'IN_PROGRESS';
      job.startedAt = Date.now();
      this.log(job, 'Runner assigned, generating');
      this.run(job, (outcome) => this.finish(job, outcome));
    }
    // Everyone behind moved up a place.
    for (const j of q) this.notify(j);
  }

  private finish(job: Job, outcome: { result?: JsonObject; error?: JobError }): void {
    if (job.status === 'COMPLETED') return;
    this.release(job);
    job.result = outcome.result;
    job.error = outcome.error;
    job.status = 'COMPLETED';
    job.completedAt = Date.now();
    this.log(job, outcome.error ? `Request failed: ${summarize(outcome.error.body)}` : 'Request completed', outcome.error ? 'ERROR' : 'INFO');
    this.onFinished(job);
    this.schedule(job.key);
  }

  private release(job: Job): void {
    for (const t of job.timers) clearTimeout(t);
    job.timers = [];
    if (job.status === 'IN_PROGRESS') {
      this.running.set(job.key, (this.running.get(job.key) ?? 1) - 1);
      this.totalRunning--;
    }
  }

  /** fal's cancel: a queued job is removed, a running one is told to stop (ours always does). */
  cancel(job: Job): 'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED' {
    if (job.status === 'COMPLETED') return 'ALREADY_COMPLETED';
    const q = this.waiting.get(job.key) ?? [];
    const i = q.indexOf(job);
    if (i >= 0) q.splice(i, 1);
    this.release(job);
    job.cancelled = true;
    job.status = 'COMPLETED';
    job.completedAt = Date.now();
    job.error = {
      status: 400,
      errorType: 'request_cancelled',
      body: { detail: 'Request was cancelled', error_type: 'request_cancelled' },
    };
    this.log(job, 'Request cancelled');
    this.schedule(job.key);
    return 'CANCELLATION_REQUESTED';
  }

  /** Stops every timer (emulator shutdown). */
  stopAll(): void {
    for (const job of this.jobs.values()) {
      for (const t of job.timers) clearTimeout(t);
      job.timers = [];
      job.listeners.clear();
    }
  }
}

function summarize(body: JsonObject): string {
  const d = body.detail as Json;
  if (typeof d === 'string') return d;
  if (Array.isArray(d) && d[0] && typeof d[0] === 'object' && !Array.isArray(d[0])) return String((d[0] as JsonObject).msg ?? '');
  return 'error';
}
