// Submitting one cell to the fal queue without ever creating a second job for it by accident.
// The client cannot retry (see falClient.ts); we retry here, and only when it is safe:
// - 429 / 5xx answers: fal answered and did not enqueue, so a retry creates no duplicate
//   (Retry-After honoured, else exponential backoff with jitter).
// - network errors before the request left (connection refused, DNS): safe.
// - network errors after the request left (reset, socket closed before the answer): AMBIGUOUS.
//   fal may have accepted the job and we never learnt its request id. No API lists a key's
//   requests, so the job cannot be found again: this is the one window that cannot be closed.
//   We retry (the cell still needs its output) and flag the cell: it may have been billed twice.
// 422 and other 4xx: recorded on the cell as they came, never retried.
import { ApiError, ValidationError, type FalClient } from '@fal-ai/client';
import type { CellError, Json, JsonObject } from '../types.js';
import { backoffMs, sleep } from './backoff.js';
import { SubmitFailure } from './falClient.js';

export interface SubmitOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each retry, for progress/logging. */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

export type SubmitOutcome =
  | { ok: true; requestId: string; attempts: number; flags: string[] }
  | { ok: false; error: CellError; attempts: number; flags: string[]; aborted?: boolean };

export function cellErrorFrom(err: unknown, kindFor422 = 'validation'): CellError {
  if (err instanceof SubmitFailure) {
    return { kind: err.status ? 'http' : 'network', message: err.message, status: err.status, detail: (err.body ?? undefined) as Json | undefined };
  }
  if (err instanceof ValidationError) {
    return { kind: kindFor422, message: messageOf(err.body) ?? err.message, status: err.status, detail: err.body as Json };
  }
  if (err instanceof ApiError) {
    return { kind: 'http', message: messageOf(err.body) ?? err.message, status: err.status, detail: (err.body ?? undefined) as Json | undefined };
  }
  return { kind: 'network', message: (err as Error)?.message ?? String(err) };
}

/** fal's `message` is often just the status text; the useful part is in body.detail. */
export function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return typeof body === 'string' && body ? body : undefined;
  const b = body as { detail?: unknown; error?: unknown; message?: unknown };
  if (typeof b.detail === 'string') return b.detail;
  if (Array.isArray(b.detail)) {
    return b.detail
      .map((d: { loc?: unknown[]; msg?: string }) => {
        // loc ['body'] (the whole request) names no field: no prefix rather than a bare ': '.
        const field = Array.isArray(d.loc) ? d.loc.filter((x) => x !== 'body').join('.') : '';
        return `${field ? `${field}: ` : ''}${d.msg ?? JSON.stringify(d)}`;
      })
      .join('; ');
  }
  if (typeof b.error === 'string') return b.error;
  if (typeof b.message === 'string') return b.message;
  return undefined;
}

export async function submitCell(client: FalClient, endpoint: string, input: JsonObject, opts: SubmitOptions = {}): Promise<SubmitOutcome> {
  const maxAttempts = opts.maxAttempts ?? 6;
  const flags: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      // x-fal-no-retry is NOT set: fal's server-side retries of a runner failure happen inside one
      // request id and are not billed twice.
      const res = await client.queue.submit(endpoint, { input });
      return { ok: true, requestId: res.request_id, attempts: attempt, flags };
    } catch (err) {
      const retryable = err instanceof SubmitFailure;
      if (err instanceof SubmitFailure && err.ambiguous) {
        flags.push(`submit: response lost after sending (${err.message}); fal may have accepted and billed an extra job that shotlist cannot see`);
      }
      if (!retryable || attempt >= maxAttempts || opts.signal?.aborted) {
        return { ok: false, error: cellErrorFrom(err), attempts: attempt, flags, aborted: opts.signal?.aborted };
      }
      const delay = err.retryAfterMs ?? backoffMs(attempt - 1, opts.baseDelayMs ?? 500, opts.maxDelayMs ?? 30_000);
      opts.onRetry?.(attempt, err.message, delay);
      if (!(await sleep(delay, opts.signal))) {
        return { ok: false, error: cellErrorFrom(err), attempts: attempt, flags, aborted: true };
      }
    }
  }
}
