// The fal client the run engine uses, for real fal or the emulator (same code path: the emulator is
// reached through `proxyUrl: {when: 'always'}`, fal's own mechanism for pointing the client elsewhere).
//
// Why a custom fetch: @fal-ai/client 1.10.1 hard-codes `retry: {maxRetries: 3}` for queue.submit
// (src/queue.js QUEUE_RETRY_CONFIG overrides any `retry` config), retrying 429/502/503/504 and
// network errors. A network error after fal accepted the request would then create a SECOND job,
// billed twice. Our fetch makes submit failures non-retryable for the client (plain errors carrying
// the facts) and `submitOnce` in submit.ts decides what is safe to retry.
import { createFalClient, type FalClient } from '@fal-ai/client';
import { BODY_GUARD, httpFetch, type BodyGuard } from './httpFetch.js';

export type RunTarget = 'fal' | 'emulator';

/** A submit that got no usable answer. `ambiguous`: the request may have reached fal (response lost). */
export class SubmitFailure extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: unknown,
    readonly retryAfterMs: number | undefined,
    readonly ambiguous: boolean,
  ) {
    super(message);
    this.name = 'SubmitFailure';
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

function destination(url: string, headers: unknown): string {
  let target: string | null = null;
  if (headers instanceof Headers) target = headers.get('x-fal-target-url');
  else if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers as Record<string, string>)) if (k.toLowerCase() === 'x-fal-target-url') target = v;
  }
  return target ?? url;
}

/** A queue submit is a POST to queue.fal.run/<endpoint> (status/result/cancel are under /requests/). */
export function isSubmit(method: string | undefined, url: string): boolean {
  if ((method ?? 'GET').toUpperCase() !== 'POST') return false;
  try {
    const u = new URL(url);
    return u.hostname === 'queue.fal.run' && !u.pathname.includes('/requests/');
  } catch {
    return false;
  }
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

// Network errors raised before any byte left: the request cannot have reached fal.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let i = 0; e && i < 5; i++, e = e.cause as typeof e) if (typeof e.code === 'string') return e.code;
  return undefined;
}

export function nonRetryingSubmitFetch(base: typeof fetch = fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!isSubmit(init?.method, destination(url, init?.headers))) return base(input, init);
    let response: Response;
    try {
      response = await base(input, init);
    } catch (err) {
      const code = errorCode(err);
      const message = `submit: network error${code ? ` (${code})` : ''}: ${(err as Error).message}`;
      throw new SubmitFailure(message, undefined, undefined, undefined, !(code && NOT_SENT.has(code)));
    }
    if (RETRYABLE_STATUS.has(response.status)) {
      const text = await response.text().catch(() => '');
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* keep text */ }
      throw new SubmitFailure(`submit: HTTP ${response.status}`, response.status, body, parseRetryAfter(response.headers.get('retry-after')), false);
    }
    return response;
  }) as typeof fetch;
}

/**
 * Limits on every API exchange with fal (or whatever answers in its place): a server that never
 * answers, trickles, sends a gigabyte of JSON or redirects elsewhere must not hang the run, fill
 * memory or receive our Authorization header somewhere else. docs/reliability.md.
 */
export interface HttpLimits {
  /** Time to the response headers (default 60 s, `SHOTLIST_HTTP_TIMEOUT_MS`). */
  headersTimeoutMs: number;
  /** Silence inside a response body (default 120 s; the status stream has heartbeats). */
  idleTimeoutMs: number;
  /** Bytes in one response body (default 32 MiB, `SHOTLIST_MAX_RESPONSE_BYTES`); results are a few KB. */
  maxBodyBytes: number;
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export function httpLimitsFromEnv(): HttpLimits {
  const headersTimeoutMs = envNumber('SHOTLIST_HTTP_TIMEOUT_MS', 60_000);
  return { headersTimeoutMs, idleTimeoutMs: Math.max(headersTimeoutMs, envNumber('SHOTLIST_HTTP_IDLE_MS', 120_000)), maxBodyBytes: envNumber('SHOTLIST_MAX_RESPONSE_BYTES', 32 * 1024 * 1024) };
}

/** Named TimeoutError on purpose: @fal-ai/client never retries it, so our own loops decide (and stay bounded). */
class HttpLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

const NULL_BODY = new Set([101, 204, 205, 304]);

function bodySize(body: unknown): number {
  if (body === undefined || body === null) return 0;
  if (typeof body === 'string') return body.length;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  return Infinity; // a stream or form: size unknown
}

export function guardedFetch(base: typeof fetch = httpFetch, limits: HttpLimits = httpLimitsFromEnv()): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    let url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const controller = new AbortController();
    const outer = init?.signal;
    const onOuter = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    outer?.addEventListener('abort', onOuter, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (ms: number, why: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new HttpLimitError(`${why} (${url.slice(0, 120)})`)), ms);
    };
    const disarm = () => { clearTimeout(timer); outer?.removeEventListener('abort', onOuter); };
    // An upload (a LoRA can be gigabytes) is answered only once its body is sent: no deadline on
    // the answer for a large body; every other call must answer within the limit.
    if (bodySize(init?.body) <= 1024 * 1024) arm(limits.headersTimeoutMs, `no response within ${limits.headersTimeoutMs} ms`);
    let response: Response;
    // With httpFetch the body limits are enforced on its node stream (no web stream around it,
    // one per request: that wrapper was a good part of the garbage a long run made).
    const guarded = base === httpFetch;
    let hopState = { closed: false, final: false };
    try {
      for (let hop = 0; ; hop++) {
        const state = { closed: false, final: false };
        hopState = state;
        const guard: BodyGuard | undefined = guarded ? {
          idleTimeoutMs: limits.idleTimeoutMs, maxBodyBytes: limits.maxBodyBytes,
          fail: (message) => new HttpLimitError(`${message} (${url.slice(0, 120)})`),
          done: () => { state.closed = true; if (state.final) disarm(); },
        } : undefined;
        response = await base(url, { ...init, signal: controller.signal, redirect: 'manual', ...(guard ? { [BODY_GUARD]: guard } : {}) });
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) break;
        await response.body?.cancel().catch(() => undefined);
        // The Authorization header must never follow a redirect to another origin.
        const next = new URL(location, url);
        if (next.origin !== new URL(url).origin || hop >= 5) throw new HttpLimitError(`refusing a redirect from ${new URL(url).origin} to ${next.origin}`);
        url = next.href;
      }
    } catch (err) {
      disarm();
      throw err;
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
      disarm();
      await response.body?.cancel().catch(() => undefined);
      throw new HttpLimitError(`response of ${declared} bytes is above the cap of ${limits.maxBodyBytes} (${url.slice(0, 120)})`);
    }
    if (!response.body || NULL_BODY.has(response.status)) { disarm(); return response; }
    if (guarded) {
      clearTimeout(timer); // the body's idle limit is httpFetch's now; an outer abort still reaches it
      hopState.final = true;
      if (hopState.closed) disarm();
      return response;
    }
    const reader = response.body.getReader();
    let size = 0;
    arm(limits.idleTimeoutMs, `no data for ${limits.idleTimeoutMs} ms`);
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        try {
          const { done, value } = await reader.read();
          if (done) { disarm(); c.close(); return; }
          size += value.byteLength;
          if (size > limits.maxBodyBytes) {
            disarm();
            await reader.cancel().catch(() => undefined);
            c.error(new HttpLimitError(`response above the cap of ${limits.maxBodyBytes} bytes (${url.slice(0, 120)})`));
            return;
          }
          arm(limits.idleTimeoutMs, `no data for ${limits.idleTimeoutMs} ms`);
          c.enqueue(value);
        } catch (err) {
          disarm();
          c.error(controller.signal.reason instanceof HttpLimitError ? controller.signal.reason : err);
        }
      },
      cancel(reason) { disarm(); return reader.cancel(reason); },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;
}

export interface RunClientOptions {
  target: RunTarget;
  /** Emulator base proxy URL (target `emulator`). */
  proxyUrl?: string;
  /** FAL_KEY (target `fal`); never logged or written anywhere. */
  credentials?: string;
}

export function createRunClient(opts: RunClientOptions): FalClient {
  if (opts.target === 'emulator') {
    if (!opts.proxyUrl) throw new Error('emulator target needs proxyUrl');
    return createFalClient({
      credentials: 'emulator',
      proxyUrl: { url: opts.proxyUrl, when: 'always' },
      fetch: nonRetryingSubmitFetch(guardedFetch()),
      suppressLocalCredentialsWarning: true,
    } as Parameters<typeof createFalClient>[0]);
  }
  return createFalClient({ credentials: opts.credentials, fetch: nonRetryingSubmitFetch(guardedFetch()) });
}
