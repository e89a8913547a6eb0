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

export interface DownloadOptions {
  /** Refuse bodies above this many bytes (default 4 GiB). */
  maxBytes?: number;
  /** Abort when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  attempts?: number;
  signal?: AbortSignal;
}

export type DownloadOutcome =
  | { ok: true; sha256: string; size: number; contentType: string; flags: string[]; attempts: number; bytes?: Buffer }
  | { ok: false; error: CellError; attempts: number };

const fsOpen = promisify(open);
const fsWrite = promisify(write);
const fsFsync = promisify(fsync);
const fsClose = promisify(close);

async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.byteLength;) off += (await fsWrite(fd, bytes, off, bytes.byteLength - off)).bytesWritten;
}

class DownloadProblem extends Error {
  constructor(message: string, readonly retryable: boolean, readonly status?: number) {
    super(message);
  }
}

/** Outputs up to this size are also kept in memory for the probe (no second read from disk). */
export const KEEP_IN_MEMORY_BYTES = 16 * 1024 * 1024;

// Folders already created by this process: one mkdir per shot folder, not one per cell.
const madeDirs = new Set<string>();

export async function downloadTo(ref: VideoRef, dest: string, opts: DownloadOptions = {}): Promise<DownloadOutcome> {
  const attempts = opts.attempts ?? 4;
  const dir = dirname(dest);
  if (!madeDirs.has(dir)) {
    await mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  let last: DownloadProblem | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const got = await downloadOnce(ref, dest, opts);
      return { ok: true, ...got, attempts: attempt };
    } catch (err) {
      last = err instanceof DownloadProblem ? err : new DownloadProblem((err as Error).message, true);
      if (!last.retryable || opts.signal?.aborted) break;
      if (attempt < attempts && !(await sleep(backoffMs(attempt - 1, 200, 5000), opts.signal))) break;
    }
  }
  return { ok: false, error: { kind: 'download', message: last?.message ?? 'download failed', status: last?.status }, attempts };
}

async function downloadOnce(ref: VideoRef, dest: string, opts: DownloadOptions) {
  const maxBytes = opts.maxBytes ?? 4 * 1024 ** 3;
  const idle = opts.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let timer = setTimeout(() => controller.abort(), idle);
  const bump = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idle);
  };
  const tmp = `${dest}.${process.pid}.part`;
  let renamed = false;
  try {
    let res: Response;
    try {
      res = await fetch(ref.url, { signal: controller.signal });
    } catch (err) {
      throw new DownloadProblem(`download ${ref.url}: ${(err as Error).message}`, true);
    }
    if (!res.ok || !res.body) {
      throw new DownloadProblem(`download ${ref.url}: HTTP ${res.status}`, res.status >= 500 || res.status === 429, res.status);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) throw new DownloadProblem(`download ${ref.url}: ${declared} bytes is above the ${maxBytes}-byte cap`, false);
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
          throw new DownloadProblem(`download ${ref.url}: connection broke after ${size} bytes (${(err as Error).message})`, true);
        }
        if (chunk.done) break;
        bump();
        size += chunk.value.byteLength;
        if (size > maxBytes) throw new DownloadProblem(`download ${ref.url}: more than the ${maxBytes}-byte cap`, false);
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
    opts.signal?.removeEventListener('abort', onAbort);
    if (!renamed) await rm(tmp, { force: true });
  }
}
