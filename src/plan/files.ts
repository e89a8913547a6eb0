// Local files referenced by a request (keyframes, reference videos, LoRAs): found at the
// endpoint's media fields, resolved against the manifest's folder, hashed once per plan.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { extname, relative, sep } from 'node:path';
import { endpointInfo } from '../endpoints/registry.js';
import { confine } from '../manifest/index.js';
import type { JsonObject } from '../types.js';

/** URLs (any scheme, `https:`, `data:`...) pass through unchanged; everything else is a local path. */
export function isLocalPath(v: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(v) || /^[A-Za-z]:[\\/]/.test(v);
}

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4', '.mov': 'video/quicktime', '.webm': 'video/webm', '.mkv': 'video/x-matroska',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif',
  '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.safetensors': 'application/octet-stream', '.json': 'application/json',
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Input pointers holding media for this endpoint (registry `mediaFields`, or a naming heuristic). */
export function mediaPointers(endpoint: string, input: JsonObject): string[] {
  const out: string[] = [];
  const fields = endpointInfo(endpoint)?.mediaFields;
  if (fields) {
    for (const f of fields) {
      const [head, tail] = f.split('[].');
      const v = input[head];
      if (tail === undefined) { if (typeof v === 'string') out.push(`/${head}`); continue; }
      if (Array.isArray(v)) v.forEach((item, i) => {
        if (item && typeof item === 'object' && typeof (item as JsonObject)[tail] === 'string') out.push(`/${head}/${i}/${tail}`);
      });
    }
    return out;
  }
  // Unknown endpoint: fal names file inputs `*_url`, `*_urls` and LoRA `path`.
  const walk = (v: unknown, p: string, key: string, parentKey: string) => {
    if (typeof v === 'string') {
      if (/_url$/.test(key) || /_urls$/.test(parentKey) || (key === 'path' && /lora/i.test(parentKey))) out.push(p);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}/${i}`, key, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${p}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, k, key);
  };
  walk(input, '', '', '');
  return out;
}

export interface FileInfo { path: string; abs: string; sha256: string; size: number; contentType: string }
export type FileResult = FileInfo | { error: 'missing' | 'directory' | 'unreadable' | 'outside' | 'symlink-outside' | 'not-a-file'; abs: string; path: string };

export class FileHasher {
  private cache = new Map<string, FileResult>();
  constructor(private manifestDir: string) {}

  get(given: string): FileResult {
    let hit = this.cache.get(given);
    if (!hit) { hit = this.load(given); this.cache.set(given, hit); }
    return hit;
  }

  private load(given: string): FileResult {
    let c: ReturnType<typeof confine>;
    try {
      c = confine(this.manifestDir, given);
    } catch {
      return { error: 'unreadable', abs: given, path: given };
    }
    const abs = c.abs;
    const path = relative(this.manifestDir, abs).split(sep).join('/');
    if (c.outside) return { error: c.via === 'symlink' ? 'symlink-outside' : 'outside', abs, path };
    let fd: number;
    try {
      // The resolved path, so the file hashed is the file that was checked to be inside.
      // Non-blocking: opening a FIFO for reading would otherwise wait forever for a writer.
      fd = openSync(c.real ?? abs, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      return { error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable', abs, path };
    }
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) return { error: 'directory', abs, path };
      // A FIFO or a device would block or never end.
      if (!st.isFile()) return { error: 'not-a-file', abs, path };
      // Streamed in 1 MB chunks: LoRAs can be gigabytes.
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(1 << 20);
      let n: number;
      while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
      return { path, abs, sha256: hash.digest('hex'), size: st.size, contentType: contentType(abs) };
    } catch {
      return { error: 'unreadable', abs, path };
    } finally {
      closeSync(fd);
    }
  }
}
