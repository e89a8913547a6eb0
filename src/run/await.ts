// Waiting for a submitted job and fetching its result. Completion is noticed through fal's status
// stream (server-sent events, `queue.streamStatus`) so a finished job is seen within milliseconds,
// not after a 500 ms poll tick; if the stream breaks we fall back to one status call and reconnect.
// A request fal no longer knows (404/410 on status or result: expired, or never existed) is `lost`:
// the only case in which the engine submits the cell again.
import { ApiError, type FalClient } from '@fal-ai/client';
import type { CellError, JsonObject } from '../types.js';
import { backoffMs, sleep } from './backoff.js';
import { cellErrorFrom, messageOf } from './submit.js';

export type AwaitOutcome =
  | { kind: 'completed'; data: JsonObject; requestId: string }
  | { kind: 'failed'; error: CellError }
  | { kind: 'lost'; reason: string }
  | { kind: 'aborted' };

const GONE = new Set([404, 410]);

function isGone(err: unknown): boolean {
  return err instanceof ApiError && GONE.has(err.status);
}

export interface AwaitOptions {
  signal?: AbortSignal;
  onStarted?: () => void;
  /** Give up after this many consecutive transport failures (each with backoff). */
  maxFailures?: number;
}

export async function awaitCompletion(client: FalClient, endpoint: string, requestId: string, opts: AwaitOptions = {}): Promise<AwaitOutcome> {
  let failures = 0;
  let started = false;
  const noteStatus = (s: { status?: string }) => {
    if (!started && (s.status === 'IN_PROGRESS' || s.status === 'COMPLETED')) {
      started = true;
      opts.onStarted?.();
    }
  };
  for (;;) {
    if (opts.signal?.aborted) return { kind: 'aborted' };
    let done = false;
    try {
      const stream = await client.queue.streamStatus(endpoint, { requestId, logs: false });
      const onAbort = () => stream.abort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      stream.on('data', (d: unknown) => noteStatus(d as { status?: string }));
      try {
        const last = (await stream.done()) as { status?: string } | undefined;
        done = last?.status === 'COMPLETED';
        if (last) noteStatus(last);
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
    } catch (err) {
      if (isGone(err)) return { kind: 'lost', reason: `status ${(err as ApiError<unknown>).status}: fal no longer has request ${requestId}` };
      // The stream broke (reset, 5xx): ask once directly (the client retries status itself).
      try {
        const s = (await client.queue.status(endpoint, { requestId, logs: false })) as { status?: string };
        noteStatus(s);
        done = s.status === 'COMPLETED';
      } catch (err2) {
        if (isGone(err2)) return { kind: 'lost', reason: `status ${(err2 as ApiError<unknown>).status}: fal no longer has request ${requestId}` };
        if (++failures >= (opts.maxFailures ?? 8)) return { kind: 'failed', error: cellErrorFrom(err2) };
      }
    }
    if (opts.signal?.aborted) return { kind: 'aborted' };
    if (done) break;
    if (!(await sleep(backoffMs(Math.min(failures, 6), 50, 2000), opts.signal))) return { kind: 'aborted' };
  }
  return fetchResult(client, endpoint, requestId, opts);
}

export async function fetchResult(client: FalClient, endpoint: string, requestId: string, opts: AwaitOptions = {}): Promise<AwaitOutcome> {
  let serverErrors = 0;
  for (let failures = 0; ; failures++) {
    try {
      const res = await client.queue.result(endpoint, { requestId });
      const data = res.data as JsonObject;
      // Some failures arrive as a 200 carrying `error` (what the Python client checks).
      if (data && typeof data === 'object' && ('error' in data) && !findVideo(data)) {
        return { kind: 'failed', error: { kind: 'job', message: messageOf(data) ?? 'job failed', detail: data } };
      }
      return { kind: 'completed', data, requestId };
    } catch (err) {
      if (isGone(err)) return { kind: 'lost', reason: `result ${(err as ApiError<unknown>).status}: fal no longer has the result of ${requestId}` };
      if (err instanceof ApiError && err.status < 500 && err.status !== 429) {
        return { kind: 'failed', error: { ...cellErrorFrom(err, 'job'), kind: err.status === 422 ? 'validation' : 'job' } };
      }
      if (err instanceof ApiError && err.status === 500 && ++serverErrors >= 5) {
        // A job that failed on fal answers its result call with a 500 and fal's error body, every
        // time; a passing 500 does not repeat. Five in a row: the job failed.
        return { kind: 'failed', error: { ...cellErrorFrom(err), kind: 'job' } };
      }
      if (failures + 1 >= (opts.maxFailures ?? 10)) return { kind: 'failed', error: cellErrorFrom(err) };
      if (!(await sleep(backoffMs(failures, 200, 5000), opts.signal))) return { kind: 'aborted' };
    }
  }
}

export interface VideoRef {
  url: string;
  contentType?: string;
  fileSize?: number;
  fileName?: string;
}

/** The output video in a result: `{video: {url, content_type, file_size}}` on both LTX endpoints. */
export function findVideo(data: unknown): VideoRef | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const d = data as Record<string, unknown>;
  const candidates = [d.video, ...(Array.isArray(d.videos) ? d.videos : [])];
  for (const c of candidates) {
    if (c && typeof c === 'object' && typeof (c as { url?: unknown }).url === 'string') {
      const v = c as { url: string; content_type?: unknown; file_size?: unknown; file_name?: unknown };
      return {
        url: v.url,
        contentType: typeof v.content_type === 'string' ? v.content_type : undefined,
        fileSize: typeof v.file_size === 'number' ? v.file_size : undefined,
        fileName: typeof v.file_name === 'string' ? v.file_name : undefined,
      };
    }
  }
  return undefined;
}
