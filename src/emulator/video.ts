// Output videos: real H.264 MP4s whose geometry is what the endpoint would return, coloured from
// seed + prompt so a sweep grid shows its cells apart. Encoded in worker threads, cached in
// memory and on disk by a content key (same geometry + look = same bytes, encoded once).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ENCODE_WORKER_SOURCE } from './_encodeWorker.js';

export interface VideoLook {
  width: number;
  height: number;
  frames: number;
  fps: number;
  /** YUV (BT.601) colours. */
  bg: [number, number, number];
  fg: [number, number, number];
  accent: [number, number, number];
  /** Number of marks along the top edge (1..8), from the seed. */
  marks: number;
}

/** Bump when the picture or encoder settings change, so stale disk caches are not served. */
const CACHE_VERSION = 'v2';

/**
 * `key` identifies the whole request (endpoint + canonical input), not only seed and prompt: a
 * sweep over a LoRA scale or a frame count must give a visibly different clip in every cell of
 * the contact sheet, as the real model would.
 */
export function lookFor(width: number, height: number, frames: number, fps: number, seed: number, key: string): VideoLook {
  const h = createHash('sha256').update(`${seed}\u0000${key}`).digest();
  const hue = (h.readUInt16BE(0) / 65536) * 360;
  const sat = 0.45 + (h[2]! / 255) * 0.4;
  return {
    width, height, frames, fps,
    bg: rgbToYuv(hsvToRgb(hue, sat, 0.55)),
    fg: rgbToYuv(hsvToRgb((hue + 180) % 360, 0.35, 0.95)),
    accent: rgbToYuv(hsvToRgb((hue + 90) % 360, 0.8, 0.9)),
    marks: 1 + (Math.abs(seed) % 8),
  };
}

function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : h < 180 ? [0, c, x] : h < 240 ? [0, x, c] : h < 300 ? [x, 0, c] : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

function rgbToYuv([r, g, b]: [number, number, number]): [number, number, number] {
  const clamp = (n: number) => Math.max(0, Math.min(255, Math.round(n)));
  return [
    clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b),
    clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b),
    clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b),
  ];
}

export function lookKey(look: VideoLook): string {
  return createHash('sha256').update(JSON.stringify([CACHE_VERSION, look])).digest('hex').slice(0, 24);
}

interface Pending { resolve: (b: Buffer) => void; reject: (e: Error) => void }

export class VideoEncoder {
  private readonly memory = new Map<string, Promise<Buffer>>();
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;
  /** Encodes actually run (cache misses), for benchmarks and tests. */
  encodes = 0;

  constructor(private readonly cacheDir: string | null = join(tmpdir(), 'shotlist-emulator-cache'), private readonly poolSize = Math.min(2, availableParallelism())) {}

  encode(look: VideoLook): Promise<Buffer> {
    const key = lookKey(look);
    let p = this.memory.get(key);
    if (!p) {
      p = this.fromDiskOrEncode(key, look);
      this.memory.set(key, p);
      p.catch(() => this.memory.delete(key));
    }
    return p;
  }

  private async fromDiskOrEncode(key: string, look: VideoLook): Promise<Buffer> {
    const file = this.cacheDir ? join(this.cacheDir, `${key}.mp4`) : null;
    if (file) {
      try { return await readFile(file); } catch { /* not cached yet */ }
    }
    const bytes = await this.runInWorker(look);
    if (file && this.cacheDir) {
      // Write then rename so a concurrent reader never sees half a file.
      try {
        await mkdir(this.cacheDir, { recursive: true });
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(tmp, bytes);
        await rename(tmp, file);
      } catch { /* a cache that cannot be written is only slower */ }
    }
    return bytes;
  }

  private runInWorker(look: VideoLook): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('emulator closed'));
    if (this.workers.length < this.poolSize && this.workers.every((w) => w.busy > 0)) this.spawn();
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    this.encodes++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (b) => { slot.busy--; resolve(b); },
        reject: (e) => { slot.busy--; reject(e); },
      });
      slot.worker.postMessage({ id, params: look });
    });
  }

  private spawn(): void {
    const encoderPath = createRequire(import.meta.url).resolve('h264-mp4-encoder');
    const worker = new Worker(ENCODE_WORKER_SOURCE, { eval: true, workerData: { encoderPath } });
    worker.unref();
    worker.on('message', (msg: { id: number; bytes?: Uint8Array; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.bytes) p.resolve(Buffer.from(msg.bytes.buffer, msg.bytes.byteOffset, msg.bytes.byteLength));
      else p.reject(new Error(`video encoding failed: ${msg.error}`));
    });
    worker.on('error', (err) => this.failAll(err));
    this.workers.push({ worker, busy: 0 });
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) { this.pending.delete(id); p.reject(err); }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new Error('emulator closed'));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
  }
}
