// The fal client the run engine uses, for real fal or the emulator (same code path: the emulator is
// reached through `proxyUrl: {when: 'always'}`, fal's own mechanism for pointing the client elsewhere).
//
// Why a custom fetch: @fal-ai/client 1.10.1 hard-codes `retry: {maxRetries: 3}` for queue.submit
// (src/queue.js QUEUE_RETRY_CONFIG overrides any `retry` config), retrying 429/502/503/504 and
// network errors. A network error after fal accepted the request would then create a SECOND job,
// billed twice. Our fetch makes submit failures non-retryable for the client (plain errors carrying
// the facts) and `submitOnce` in submit.ts decides what is safe to retry.
import { createFalClient, type FalClient } from '@fal-ai/client';

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
      fetch: nonRetryingSubmitFetch(),
      suppressLocalCredentialsWarning: true,
    } as Parameters<typeof createFalClient>[0]);
  }
  return createFalClient({ credentials: opts.credentials, fetch: nonRetryingSubmitFetch() });
}
