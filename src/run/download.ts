// Downloading an output the moment its job completes (fal keeps results for a while only).
// Streamed to a temp file in the destination folder while hashing, then renamed into place, so a
// crash never leaves a half file under the final name. A truncated, stalled or failed transfer is
// retried from the start: the result URL stays valid after the job is done.
import { createHash } from 'node:crypto';
import { close, fsync, open, write } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import type { CellError } from '../types.js';
import { backoffMs, sleep } from './backoff.js';
import type { VideoRef } from './await.js';
import { httpFetch } from './httpFetch.js';

export interface DownloadOptions {
  /** Refuse bodies above this many bytes (default 2 GiB, `SHOTLIST_MAX_DOWNLOAD_BYTES`); fal's `file_size` caps it further. */
  maxBytes?: number;
  /** Abort when no byte arrives for this long (default 60 s, `SHOTLIST_DOWNLOAD_IDLE_MS`). */
  idleTimeoutMs?: number;
  /** Abort an attempt that takes longer than this in all (default 30 min, `SHOTLIST_DOWNLOAD_TIMEOUT_MS`). */
  timeoutMs?: number;
  attempts?: number;
  signal?: AbortSignal;
}

export type DownloadOutcome =
  | { ok: true; sha256: string; size: number; contentType: string; flags: string[]; attempts: number; bytes?: Buffer }
  | { ok: false; error: CellError; attempts: number; local?: boolean };

const fsOpen = promisify(open);
const fsWrite = promisify(write);
const fsFsync = promisify(fsync);
const fsClose = promisify(close);

async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.byteLength;) off += (await fsWrite(fd, bytes, off, bytes.byteLength - off)).bytesWritten;
}

// The limits a hostile or broken server runs into (docs/reliability.md). Environment overrides
// exist for tests and unusual outputs; the defaults suit LTX clips of any length.
function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
const MAX_REDIRECTS = 5;

class DownloadProblem extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number, readonly local = false) {
    super(message);
  }
}

/** This machine could not write (disk full, read-only, no permission): not the server's fault, and retrying now will not help. */
export const LOCAL_WRITE_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR', 'EIO', 'EMFILE', 'ENFILE']);

/** Outputs up to this size are also kept in memory for the probe (no second read from disk). */
export const KEEP_IN_MEMORY_BYTES = 16 * 1024 * 1024;

// Folders already created by this process: one mkdir per shot folder, not one per cell.
const madeDirs = new Set<string>();

export async function downloadTo(ref: VideoRef, dest: string, opts: DownloadOptions = {}): Promise<DownloadOutcome> {
  const attempts = opts.attempts ?? 4;
  const dir = dirname(dest);
  if (!madeDirs.has(dir)) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!code || !(LOCAL_WRITE_ERRORS.has(code) || code === 'EEXIST')) throw err; // EEXIST: a file where the folder goes
      return { ok: false, error: { kind: 'download', message: `cannot write ${dest}: ${(err as Error).message}` }, attempts: 0, local: true };
    }
    madeDirs.add(dir);
  }
  let last: DownloadProblem | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const got = await downloadOnce(ref, dest, opts);
      return { ok: true, ...got, attempts: attempt };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      last = err instanceof DownloadProblem ? err
        : code && LOCAL_WRITE_ERRORS.has(code) ? new DownloadProblem(`cannot write ${dest}: ${(err as Error).message}`, false, undefined, true)
        : new DownloadProblem((err as Error).message, true);
      if (!last.retryable || opts.signal?.aborted) break;
      if (attempt < attempts && !(await sleep(backoffMs(attempt - 1, 200, 5000), opts.signal))) break;
    }
  }
  return { ok: false, error: { kind: 'download', message: last?.message ?? 'download failed', status: last?.status }, attempts, ...(last?.local ? { local: true } : {}) };
}

/** http(s) only: a result is data from a server, and `file:` (or anything else) must not make us read this machine. */
function checkUrl(url: string, what: string): URL {
  let u: URL;
  try { u = new URL(url); } catch { throw new DownloadProblem(`download: ${what} \`${url.slice(0, 200)}\` is not a URL`, false); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new DownloadProblem(`download: refusing ${what} \`${url.slice(0, 200)}\`: only http(s) URLs are downloaded`, false);
  return u;
}

async function downloadOnce(ref: VideoRef, dest: string, opts: DownloadOptions) {
  // What fal said the file weighs caps it when it said so: more bytes than that are not our video.
  const maxBytes = Math.min(opts.maxBytes ?? envNumber('SHOTLIST_MAX_DOWNLOAD_BYTES', 2 * 1024 ** 3), ref.fileSize ?? Infinity);
  const idle = opts.idleTimeoutMs ?? envNumber('SHOTLIST_DOWNLOAD_IDLE_MS', 60_000);
  const total = opts.timeoutMs ?? envNumber('SHOTLIST_DOWNLOAD_TIMEOUT_MS', 30 * 60_000);
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let why = '';
  const stop = (reason: string) => () => { why = reason; controller.abort(); };
  let timer = setTimeout(stop(`no data for ${idle} ms`), idle);
  const deadline = setTimeout(stop(`not done after ${total} ms`), total);
  const bump = () => {
    clearTimeout(timer);
    timer = setTimeout(stop(`no data for ${idle} ms`), idle);
  };
  const tmp = `${dest}.${process.pid}.part`;
  let renamed = false;
  try {
    let res: Response;
    let url = checkUrl(ref.url, 'output URL');
    for (let hop = 0; ; hop++) {
      try {
        res = await httpFetch(url, { signal: controller.signal, redirect: 'manual' });
      } catch (err) {
        throw new DownloadProblem(`download ${ref.url}: ${why || (err as Error).message}`, true);
      }
      if (res.status < 300 || res.status >= 400 || res.status === 304) break;
      // Redirects are followed by hand: to https anywhere (CDNs do that), never to another scheme,
      // and plain http only within the same origin.
      await res.body?.cancel().catch(() => undefined);
      const location = res.headers.get('location');
      if (!location || hop >= MAX_REDIRECTS) throw new DownloadProblem(`download ${ref.url}: ${location ? 'too many redirects' : `HTTP ${res.status} without a Location`}`, false, res.status);
      const next = checkUrl(new URL(location, url).href, 'redirect to');
      if (next.protocol !== 'https:' && next.origin !== url.origin) throw new DownloadProblem(`download ${ref.url}: refusing a redirect to another host over plain http (${next.origin})`, false, res.status);
      url = next;
    }
    if (!res.ok || !res.body) {
      throw new DownloadProblem(`download ${ref.url}: HTTP ${res.status}`, res.status >= 500 || res.status === 429, res.status);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) throw new DownloadProblem(`download ${ref.url}: the server announces ${declared} bytes, above the cap of ${maxBytes}${ref.fileSize !== undefined ? ' (fal\'s file_size)' : ''}`, false);
    const contentType = (res.headers.get('content-type') ?? ref.contentType ?? 'application/octet-stream').split(';')[0].trim();
    const hash = createHash('sha256');
    let size = 0;
    // Small outputs (most of them) are gathered in memory and written with one write; a larger
    // one streams to the file from the moment it passes KEEP_IN_MEMORY_BYTES. Plain fds rather
    // than fs/promises FileHandles: a FileHandle costs more main-thread time than the write.
    let kept: Uint8Array[] | undefined = [];
    let fd: number | undefined;
    try {
      const reader = res.body.getReader();
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          throw new DownloadProblem(`download ${ref.url}: ${why ? `${why} (after ${size} bytes)` : `connection broke after ${size} bytes (${(err as Error).message})`}`, true);
        }
        if (chunk.done) break;
        bump();
        size += chunk.value.byteLength;
        if (size > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new DownloadProblem(`download ${ref.url}: more than the cap of ${maxBytes} bytes${ref.fileSize !== undefined ? ' (fal\'s file_size)' : ''}`, false);
        }
        hash.update(chunk.value);
        if (kept && size <= KEEP_IN_MEMORY_BYTES) {
          kept.push(chunk.value);
          continue;
        }
        fd ??= await fsOpen(tmp, 'w');
        if (kept) {
          for (const k of kept) await writeAll(fd, k);
          kept = undefined;
        }
        await writeAll(fd, chunk.value);
      }
      fd ??= await fsOpen(tmp, 'w');
      if (kept) await writeAll(fd, Buffer.concat(kept, size));
      await fsFsync(fd);
    } finally {
      if (fd !== undefined) await fsClose(fd);
    }
    if (Number.isFinite(declared) && size !== declared) throw new DownloadProblem(`download ${ref.url}: truncated, got ${size} of ${declared} bytes`, true);
    if (ref.fileSize !== undefined && ref.fileSize !== size) throw new DownloadProblem(`download ${ref.url}: got ${size} bytes, fal reported file_size ${ref.fileSize}`, true);
    const flags: string[] = [];
    if (ref.contentType && ref.contentType !== contentType) flags.push(`content type: fal reported ${ref.contentType}, server sent ${contentType}`);
    if (!/^video\//.test(ref.contentType ?? contentType)) flags.push(`content type ${ref.contentType ?? contentType} is not a video`);
    await rename(tmp, dest);
    renamed = true;
    return { sha256: hash.digest('hex'), size, contentType: ref.contentType ?? contentType, flags, bytes: kept ? Buffer.concat(kept, size) : undefined };
  } finally {
    clearTimeout(timer);
    clearTimeout(deadline);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!renamed) await rm(tmp, { force: true });
  }
}
