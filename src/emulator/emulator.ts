// The emulator: one node:http server on 127.0.0.1 answering fal's queue, storage and file routes
// closely enough that the unmodified @fal-ai/client cannot tell it from fal. See docs/emulator.md.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorOptions, EmulatorStats, JsonObject } from '../types.js';
import { expectedVideo } from '../endpoints/registry.js';
import { sha256Hex, stableStringify } from '../util/stableJson.js';
import { FaultPlan, parseFaults, hashUnit, API_FAULTS, SUBMIT_FAULTS, UPLOAD_FAULTS, DOWNLOAD_FAULTS, type FaultKind } from './faults.js';
import { StatsCollector } from './stats.js';
import { VideoEncoder, lookFor } from './video.js';
import { validateInput } from './validate.js';
import { brokenMedia, mediaRefs } from './media.js';
import { FileStore } from './storage.js';
import { JobQueue, type Job, type JobError } from './jobs.js';
import { jobMillis, parseDurationModel, type DurationModel } from './duration.js';
import { resultJson, scaled } from './output.js';
import { appMatches, appOf, routeOf, type Route } from './routes.js';
import { falKey, header, readBody, resetSocket, writeJson } from './_http.js';
import { serveFile } from './download.js';
import { Hostile, parseHostile } from './hostile.js';

const DEFAULT_TTL_MS = 60 * 60 * 1000;

/** What a job will do, decided at submit so it is a function of the seed and the request. */
interface JobPlan {
  fieldErrors: JsonObject[];
  fail: boolean;
  millis: number;
}

export class Emulator {
  readonly stats = new StatsCollector();
  readonly files = new FileStore();
  readonly encoder = new VideoEncoder();
  private readonly server: Server;
  private readonly faults: FaultPlan;
  private readonly queue: JobQueue;
  private readonly plans = new Map<string, JobPlan>();
  private readonly submitsByInput = new Map<string, number>();
  private readonly duration: DurationModel;
  private readonly seed: number;
  private readonly timeScale: number;
  private readonly videoScale: number;
  private readonly ttlMs: number;
  private readonly log: (line: string) => void;
  private readonly streams = new Set<ServerResponse>();
  private readonly hostile?: Hostile;
  /** Jobs whose submit answer the `lost-submit` fault ate (for the chaos suite's accounting). */
  private readonly lostSubmits = new Set<string>();
  url = '';

  constructor(private readonly opts: EmulatorOptions = {}) {
    this.seed = opts.seed ?? 0;
    this.timeScale = opts.timeScale ?? 1;
    this.videoScale = opts.videoScale ?? 1;
    const spec = parseFaults(opts.faults);
    this.faults = new FaultPlan(spec, this.seed);
    this.ttlMs = spec.expireMs ?? opts.resultTtlMs ?? DEFAULT_TTL_MS;
    this.duration = parseDurationModel(opts.duration);
    this.log = opts.log ?? (() => {});
    const hostile = parseHostile(opts.hostile);
    if (hostile) this.hostile = new Hostile(hostile);
    for (const [name, v] of [['concurrency', opts.concurrency], ['timeScale', opts.timeScale], ['videoScale', opts.videoScale]] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`${name} must be a number >= 0, got ${v}`);
    }
    if (opts.concurrency !== undefined && (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)) throw new Error(`concurrency must be a whole number >= 1, got ${opts.concurrency}`);
    if (opts.videoScale !== undefined && (opts.videoScale <= 0 || opts.videoScale > 1)) throw new Error(`videoScale must be in (0, 1], got ${opts.videoScale}`);
    this.queue = new JobQueue(
      opts.concurrency ?? 2,
      (job, done) => this.runJob(job, done),
      (n) => this.stats.inProgress(n),
      (job) => this.stats.bump(job.error ? 'failed' : 'completed'),
    );
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        this.log(`emulator error: ${err.message}`);
        if (!res.headersSent) writeJson(res, 500, { detail: 'emulator internal error' });
        else res.destroy();
      });
    });
    // Long-poll streams and slow downloads must not be cut by node's default timeouts.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    await this.hostile?.start();
  }

  snapshot(): EmulatorStats {
    return this.stats.snapshot();
  }

  async close(): Promise<void> {
    this.queue.stopAll();
    for (const s of this.streams) s.end();
    await this.hostile?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.encoder.close();
  }

  // -------------------------------------------------------------------------------------------
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = Date.now();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const { route, proxied } = routeOf(method, path, header(req, 'x-fal-target-url'));
    const target = header(req, 'x-fal-target-url');
    const query = new URL(target ?? req.url ?? '/', 'http://x').searchParams;
    const done = (status: number | string) => {
      if (route.name !== 'stats' && route.name !== 'reset-stats') this.stats.request(route.name, status);
      this.log(`${method} ${route.name} ${describe(route)} ${status} ${Date.now() - t0}ms`);
    };

    if (this.hostile && path === '/_emulator/hostile') {
      writeJson(res, 200, this.hostile.report());
      return;
    }

    if (method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET,POST,PUT,OPTIONS', 'access-control-allow-headers': '*' });
      res.end();
      return;
    }

    switch (route.name) {
      case 'index':
        writeJson(res, 200, { name: 'shotlist fal emulator', queue: `${this.url}/<endpoint id>`, stats: `${this.url}/_emulator/stats`, docs: 'docs/emulator.md' });
        return;
      case 'stats':
        writeJson(res, 200, this.stats.snapshot());
        return;
      case 'jobs':
        writeJson(res, 200, { jobs: this.jobTimings() });
        return;
      case 'reset-stats':
        this.stats.reset();
        writeJson(res, 200, { ok: true });
        return;
      case 'unknown':
        writeJson(res, 404, { detail: `Not Found: ${route.why}` });
        done(404);
        return;
      case 'file': {
        if (this.hostile && await this.hostile.file(req, res, route.path)) { done(`hostile ${this.hostile.kind}`); return; }
        const fault = this.faults.decide('file', route.path, DOWNLOAD_FAULTS);
        if (fault) this.stats.fault(fault);
        if (await this.injectHttpFault(req, res, fault, done)) return;
        const status = await serveFile(req, res, this.files.get(route.path), fault === 'slow' ? this.faults.spec.slowMs : 0, fault === 'truncate');
        done(fault === 'slow' || fault === 'truncate' ? `${status} ${fault}` : status);
        return;
      }
      case 'upload':
      case 'upload-part':
      case 'upload-complete':
        return this.handleUpload(req, res, route, done);
      default:
    }

    // Queue and storage API routes: authenticated, faultable.
    const key = falKey(req);
    if (!key) {
      await readBody(req).catch(() => Buffer.alloc(0));
      writeJson(res, 401, { detail: 'Authentication required: send `Authorization: Key <your fal key>`' });
      done(401);
      return;
    }
    const body = await readBody(req);
    const identity = this.identityOf(route, body);
    const fault = this.faults.decide(route.name, identity, route.name === 'submit' ? SUBMIT_FAULTS : API_FAULTS);
    if (fault) this.stats.fault(fault);
    if (fault === 'lost-submit' && route.name === 'submit') {
      // The job exists on the server; the client never hears about it and (by its retry policy) submits again.
      const lost = this.submit(route.endpoint, body, key, proxied);
      if ('job' in lost) this.lostSubmits.add(lost.job.id);
      resetSocket(req);
      done('lost-submit');
      return;
    }
    if (await this.injectHttpFault(req, res, fault, done)) return;

    switch (route.name) {
      case 'submit':
      case 'run': {
        const r = this.submit(route.endpoint, body, key, proxied);
        if ('error' in r) { writeJson(res, r.status, r.error); done(r.status); return; }
        if (route.name === 'run') return this.respondWhenDone(res, r.job, done);
        const job = r.job;
        writeJson(res, 200, { ...this.urls(job, proxied), status: 'IN_QUEUE', request_id: job.id, queue_position: this.queue.position(job) }, { 'x-fal-request-id': job.id });
        done(200);
        return;
      }
      case 'status':
      case 'stream':
      case 'result':
      case 'cancel': {
        const job = this.findJob(route.requestId, route.app);
        if (!job) {
          if (route.name === 'cancel') writeJson(res, 404, { status: 'NOT_FOUND' });
          else writeJson(res, 404, { detail: `Request ${route.requestId} not found` });
          done(404);
          return;
        }
        if (this.hostile && await this.hostile.api(req, res, route.name, job.input.seed)) { done(`hostile ${this.hostile.kind}`); return; }
        if (route.name === 'status') {
          const s = this.statusBody(job, proxied, query.get('logs') === '1');
          writeJson(res, job.status === 'COMPLETED' ? 200 : 202, s, { 'x-fal-request-id': job.id });
          done(job.status === 'COMPLETED' ? 200 : 202);
          return;
        }
        if (route.name === 'stream') return this.stream(req, res, job, proxied, query.get('logs') === '1', done);
        if (route.name === 'result') return this.respondWhenDone(res, job, done, true);
        this.stats.bump('cancels');
        const outcome = this.queue.cancel(job);
        if (outcome === 'ALREADY_COMPLETED') { writeJson(res, 400, { status: outcome }); done(400); }
        else { writeJson(res, 202, { status: outcome }); done(202); }
        return;
      }
      case 'initiate':
      case 'initiate-multipart': {
        let input: { content_type?: string; file_name?: string } = {};
        try { input = JSON.parse(body.toString('utf8') || '{}'); } catch { /* fal would 422; treat as empty */ }
        const { token, fileUrlPath } = this.files.initiate(input.file_name ?? 'upload.bin', input.content_type ?? 'application/octet-stream', route.name === 'initiate-multipart');
        writeJson(res, 200, { upload_url: `${this.url}/_upload/${token}`, file_url: `${this.url}${fileUrlPath}` });
        done(200);
        return;
      }
    }
  }

  /** Per-job timestamps (ms since the epoch, this machine's clock) for benchmarks: GET /_emulator/jobs. */
  private jobTimings(): JsonObject[] {
    return [...this.queue.jobs.values()].map((j) => ({
      requestId: j.id, endpoint: j.endpoint, inputHash: j.inputHash, createdAt: j.createdAt,
      startedAt: j.startedAt ?? null, completedAt: j.completedAt ?? null,
      plannedMs: this.plans.get(j.id)?.millis ?? null, failed: Boolean(j.error),
      // The request as content (upload URLs replaced by file hashes): what "the same cell" means
      // across re-uploads; and whether the client ever heard of this job.
      contentKey: j.contentKey, lostSubmit: this.lostSubmits.has(j.id),
    }));
  }

  /** What a fault decision is keyed on, so retries of the same thing count as attempts 0, 1, 2... */
  private identityOf(route: Route, body: Buffer): string {
    switch (route.name) {
      case 'submit':
      case 'run': {
        // By content (uploaded files by their bytes), so a fault spec picks the same requests on
        // every emulator instance for the same seed.
        const input = parseJson(body);
        return input && typeof input === 'object' && !Array.isArray(input)
          ? this.contentKey(route.endpoint, input as JsonObject)
          : inputHash(route.endpoint, input);
      }
      case 'status':
      case 'stream':
      case 'result':
      case 'cancel':
        return route.requestId;
      default:
        return sha256Hex(body).slice(0, 16);
    }
  }

  /** Sends an injected 429/5xx or resets; true when the request was consumed by the fault. */
  private async injectHttpFault(req: IncomingMessage, res: ServerResponse, fault: FaultKind | undefined, done: (s: number | string) => void): Promise<boolean> {
    if (!fault) return false;
    if (fault === 'reset') { resetSocket(req); done('reset'); return true; }
    if (fault === '429') {
      writeJson(res, 429, { detail: 'Too many requests, slow down (emulated)' }, { 'retry-after': String(this.faults.spec.retryAfterS) });
      done(429);
      return true;
    }
    if (fault === '500' || fault === '502' || fault === '503') {
      const errorType = { '500': 'internal_server_error', '502': 'runner_disconnected', '503': 'runner_unavailable' }[fault];
      writeJson(res, Number(fault), { detail: `Emulated ${fault}`, error_type: errorType }, { 'x-fal-error-type': errorType });
      done(Number(fault));
      return true;
    }
    return false;
  }

  private submit(endpoint: string, body: Buffer, key: string, proxied: boolean): { job: Job } | { status: number; error: JsonObject } {
    let input: unknown;
    try { input = JSON.parse(body.toString('utf8') || '{}'); } catch (err) {
      return { status: 422, error: { detail: [{ loc: ['body'], msg: `JSON decode error: ${(err as Error).message}`, type: 'json_invalid' }] } };
    }
    const hash = inputHash(endpoint, input);
    const n = this.submitsByInput.get(hash) ?? 0;
    this.submitsByInput.set(hash, n + 1);
    this.stats.submission(hash);
    const obj = (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as JsonObject;
    const content = this.contentKey(endpoint, obj);
    const id = requestIdFor(this.seed, content, n);
    // fal queues first and validates on the runner: an invalid input still gets a request id, and
    // the 422 comes back from the result call (https://github.com/TanStack/ai/pull/396).
    const fieldErrors = validateInput(endpoint, input) as unknown as JsonObject[];
    if (fieldErrors.length === 0) {
      const broken = brokenMedia(mediaRefs(endpoint, obj, this.url), this.url, (p) => this.files.has(p));
      if (broken) fieldErrors.push(broken as unknown as JsonObject);
    }
    const video = expectedVideo(endpoint, obj);
    const fail = this.faults.decideOnce('fail', id);
    // Counted with the other faults, so a run's figures show how many jobs were made to fail.
    if (fail) this.stats.fault('fail');
    this.plans.set(id, {
      fieldErrors,
      fail,
      millis: jobMillis(this.duration, video, this.seed, id, content) * this.timeScale,
    });
    const job: Job = {
      id, endpoint, key, input: obj, inputHash: hash, contentKey: content, status: 'IN_QUEUE', createdAt: Date.now(), logs: [],
      cancelled: false, expiryCounted: false, timers: [], listeners: new Set(),
    };
    void proxied;
    this.queue.add(job);
    return { job };
  }

  private runJob(job: Job, done: (o: { result?: JsonObject; error?: JobError }) => void): void {
    const plan = this.plans.get(job.id)!;
    const after = (ms: number, fn: () => void) => job.timers.push(setTimeout(fn, Math.max(0, ms)));
    if (plan.fieldErrors.length > 0) {
      const type = String(plan.fieldErrors[0]!.type);
      // Validation happens as the runner starts: a short, fixed slice of the job's time.
      after(Math.min(plan.millis, 200 * this.timeScale), () => done({ error: { status: 422, errorType: type, body: { detail: plan.fieldErrors } } }));
      return;
    }
    if (plan.fail) {
      after(plan.millis / 2, () => done({
        error: { status: 500, errorType: 'internal_server_error', body: { detail: [{ loc: ['body'], msg: 'Unexpected error during generation (emulated failure)', type: 'internal_server_error' }] } },
      }));
      return;
    }
    const expected = expectedVideo(job.endpoint, job.input);
    const encoded = scaled(expected, this.videoScale);
    const seedUsed = typeof job.input.seed === 'number' ? job.input.seed : Math.floor(hashUnit(this.seed, 'seed', job.id) * 2 ** 31);
    const prompt = typeof job.input.prompt === 'string' ? job.input.prompt : '';
    this.queue.log(job, `Generating ${expected.numFrames} frames at ${expected.width}x${expected.height}, ${expected.fps} fps, seed ${seedUsed}`);
    for (const pct of [25, 50, 75]) after((plan.millis * pct) / 100, () => this.queue.log(job, `${pct}% of denoising steps done`));
    const timer = new Promise<void>((r) => after(plan.millis, r));
    const bytes = this.encoder.encode(lookFor(encoded.width, encoded.height, encoded.numFrames, Math.max(1, Math.round(encoded.fps)), seedUsed, job.contentKey));
    Promise.all([bytes, timer]).then(([b]) => {
      if (job.status === 'COMPLETED') return;
      const fileName = `${job.id.replace(/-/g, '').slice(0, 12)}.mp4`;
      const path = `/files/${job.id.slice(0, 8)}/${fileName}`;
      this.files.put(path, { bytes: b, contentType: 'video/mp4' });
      done({ result: resultJson(job.endpoint, job.input, { url: `${this.url}${path}`, fileName, size: b.length, video: encoded }, seedUsed) });
    }, (err: Error) => {
      done({ error: { status: 500, errorType: 'internal_server_error', body: { detail: `emulator could not encode the video: ${err.message}` } } });
    });
  }

  private findJob(id: string, app: string): Job | undefined {
    const job = this.queue.jobs.get(id);
    if (!job || !appMatches(job.endpoint, app)) return undefined;
    if (job.completedAt !== undefined && Date.now() - job.completedAt > this.ttlMs) {
      if (!job.expiryCounted) { job.expiryCounted = true; this.stats.bump('expired'); }
      return undefined;
    }
    return job;
  }

  private readonly contentHashes = new Map<string, string>();

  /**
   * What a job's behaviour is derived from (request id, fault decisions, duration, picture): the
   * request with every URL of a file this emulator serves replaced by that file's content hash.
   * Upload URLs differ between emulator instances; the same request with the same files must
   * behave the same for the same seed anywhere (shards on different runners, a restart).
   */
  private contentKey(endpoint: string, input: JsonObject): string {
    const own = `${this.url}/files/`;
    const swap = (v: unknown): unknown => {
      if (typeof v === 'string' && v.startsWith(own)) {
        const path = v.slice(this.url.length);
        let hash = this.contentHashes.get(path);
        if (hash === undefined) {
          const file = this.files.get(path);
          hash = file ? `sha256:${sha256Hex(file.bytes)}` : v;
          this.contentHashes.set(path, hash);
        }
        return hash;
      }
      if (Array.isArray(v)) return v.map(swap);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]));
      return v;
    };
    return sha256Hex(`${endpoint}\n${stableStringify(swap(input))}`);
  }

  private urls(job: Job, proxied: boolean): { response_url: string; status_url: string; cancel_url: string } {
    // The client rebuilds these itself; curl users follow them, so direct calls point back here.
    const base = `${proxied ? 'https://queue.fal.run' : this.url}/${appOf(job.endpoint)}/requests/${job.id}`;
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
  }

  private statusBody(job: Job, proxied: boolean, logs: boolean): JsonObject {
    const body: JsonObject = { status: job.status, request_id: job.id, ...this.urls(job, proxied) };
    if (job.status === 'IN_QUEUE') body.queue_position = this.queue.position(job);
    body.logs = logs ? (job.logs as unknown as JsonObject[]) : null;
    if (job.status === 'COMPLETED' && job.startedAt !== undefined) {
      body.metrics = { inference_time: ((job.completedAt ?? Date.now()) - job.startedAt) / 1000 };
    }
    return body;
  }

  /** Result (and the synchronous fal.run route): the output, or fal's error shape for a failed job. */
  private respondWhenDone(res: ServerResponse, job: Job, done: (s: number) => void, onlyIfDone = false): void {
    const send = () => {
      const headers = { 'x-fal-request-id': job.id };
      if (job.error) {
        writeJson(res, job.error.status, job.error.body, { ...headers, 'x-fal-error-type': job.error.errorType, 'x-fal-retryable': 'false' });
        done(job.error.status);
      } else {
        writeJson(res, 200, this.hostile && job.result ? this.hostile.rewriteResult(job.result) : job.result, headers);
        done(200);
      }
    };
    if (job.status === 'COMPLETED') return send();
    if (onlyIfDone) {
      // fal answers a result call for an unfinished request with its status (202).
      writeJson(res, 202, { status: job.status, request_id: job.id }, { 'x-fal-request-id': job.id });
      done(202);
      return;
    }
    const listener = () => { if (job.status === 'COMPLETED') { job.listeners.delete(listener); send(); } };
    job.listeners.add(listener);
    res.on('close', () => job.listeners.delete(listener));
  }

  /** Server-sent events, one `data:` line of the status JSON per change; closes after COMPLETED. */
  private stream(req: IncomingMessage, res: ServerResponse, job: Job, proxied: boolean, logs: boolean, done: (s: number) => void): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-fal-request-id': job.id, 'access-control-allow-origin': '*' });
    done(200);
    this.streams.add(res);
    let sentLogs = 0;
    let last = '';
    const push = (force: boolean) => {
      const body = this.statusBody(job, proxied, false);
      // Each event carries only the logs since the previous one; the client accumulates them.
      if (logs) body.logs = job.logs.slice(sentLogs) as unknown as JsonObject[];
      const text = JSON.stringify(body);
      if (!force && text === last) return;
      last = text;
      sentLogs = job.logs.length;
      res.write(`data: ${text}\n\n`);
      if (job.status === 'COMPLETED') finish();
    };
    const listener = () => push(false);
    const heartbeat = setInterval(() => push(true), 5000);
    const finish = () => {
      clearInterval(heartbeat);
      job.listeners.delete(listener);
      this.streams.delete(res);
      res.end();
    };
    job.listeners.add(listener);
    req.on('close', finish);
    push(true);
  }

  private async handleUpload(req: IncomingMessage, res: ServerResponse, route: Extract<Route, { token: string }>, done: (s: number | string) => void): Promise<void> {
    const body = await readBody(req);
    // Keyed on the bytes, not the upload token (random per initiate): the same file meets the
    // same faults on every instance with the same seed.
    const identity = route.name === 'upload-part' ? `${sha256Hex(body)}/${route.part}` : sha256Hex(body);
    const fault = this.faults.decide(route.name, identity, UPLOAD_FAULTS);
    if (fault) this.stats.fault(fault);
    if (await this.injectHttpFault(req, res, fault, done)) return;
    if (route.name === 'upload') {
      if (!this.files.putWhole(route.token, body, header(req, 'content-type'))) { writeJson(res, 404, { detail: 'unknown upload URL' }); done(404); return; }
      this.stats.bump('uploads');
      res.writeHead(200, { 'access-control-allow-origin': '*', 'content-length': 0 });
      res.end();
      done(200);
      return;
    }
    if (route.name === 'upload-part') {
      const etag = this.files.putPart(route.token, route.part, body);
      if (!etag) { writeJson(res, 404, { detail: 'unknown upload URL' }); done(404); return; }
      writeJson(res, 200, { partNumber: route.part, etag }, { etag });
      done(200);
      return;
    }
    let parts: { partNumber: number; etag: string }[] = [];
    try { parts = (JSON.parse(body.toString('utf8')) as { parts: typeof parts }).parts ?? []; } catch { /* reported below */ }
    const problem = this.files.complete(route.token, parts);
    if (problem) { writeJson(res, 400, { detail: problem }); done(400); return; }
    this.stats.bump('uploads');
    writeJson(res, 200, { ok: true });
    done(200);
  }
}

function parseJson(body: Buffer): unknown {
  try { return JSON.parse(body.toString('utf8') || '{}'); } catch { return body.toString('utf8'); }
}

/** sha256 of endpoint + canonical JSON input: the key of `submissionsByInput`. */
export function inputHash(endpoint: string, input: unknown): string {
  return sha256Hex(`${endpoint}\n${stableStringify(input)}`);
}

/** A UUID-shaped request id that is a function of the seed, the input and how often it was sent. */
function requestIdFor(seed: number, hash: string, n: number): string {
  const h = sha256Hex(`${seed}\u0000${hash}\u0000${n}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function describe(route: Route): string {
  if ('endpoint' in route) return route.endpoint;
  if ('requestId' in route) return route.requestId;
  if (route.name === 'file') return route.path;
  return '';
}
