// Local files are uploaded with fal.storage.upload once per content hash. The sha256 -> URL map is
// kept per target in `<out>/uploads.json` (not in the lockfile: emulator URLs die with the
// emulator, and fal's CDN URLs are an implementation detail of one machine's runs).
import type { FalClient } from '@fal-ai/client';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FileRef } from '../types.js';
import { sha256Hex, toStableFile } from '../util/stableJson.js';
import { backoffMs, sleep } from './backoff.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

type CacheFile = { version: 1; targets: Record<string, Record<string, string>> };

export class Uploader {
  private inflight = new Map<string, Promise<string>>();
  private dirty = false;

  private constructor(
    private readonly client: FalClient,
    private readonly cachePath: string,
    private readonly targetKey: string,
    private readonly cache: CacheFile,
    private readonly manifestDir: string,
    private readonly onUpload: (f: FileRef, url: string) => Promise<void>,
  ) {}

  static async open(client: FalClient, outDir: string, targetKey: string, manifestDir: string, onUpload: (f: FileRef, url: string) => Promise<void>): Promise<Uploader> {
    const cachePath = join(outDir, 'uploads.json');
    let cache: CacheFile = { version: 1, targets: {} };
    try {
      const parsed = JSON.parse(await readFile(cachePath, 'utf8')) as CacheFile;
      if (parsed.version === 1 && parsed.targets) cache = parsed;
    } catch { /* none yet */ }
    return new Uploader(client, cachePath, targetKey, cache, manifestDir, onUpload);
  }

  cached(sha256: string): string | undefined {
    return this.cache.targets[this.targetKey]?.[sha256];
  }

  /** The URL for a file, uploading it at most once per content hash. */
  url(file: FileRef): Promise<string> {
    const hit = this.cached(file.sha256);
    if (hit) return Promise.resolve(hit);
    let p = this.inflight.get(file.sha256);
    if (!p) {
      p = this.upload(file);
      this.inflight.set(file.sha256, p);
      p.catch(() => this.inflight.delete(file.sha256));
    }
    return p;
  }

  private async upload(file: FileRef): Promise<string> {
    const bytes = await readFile(resolve(this.manifestDir, file.path));
    const actual = sha256Hex(bytes);
    if (actual !== file.sha256) throw new Error(`${file.path} changed since the plan was made (sha256 ${actual.slice(0, 12)}, planned ${file.sha256.slice(0, 12)}); run again`);
    let lastErr: unknown;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        const url = await this.client.storage.upload(new Blob([bytes], { type: file.contentType }));
        (this.cache.targets[this.targetKey] ??= {})[file.sha256] = url;
        this.dirty = true;
        await this.onUpload(file, url);
        await this.save();
        return url;
      } catch (err) {
        lastErr = err;
        await sleep(backoffMs(attempt, 300, 5000));
      }
    }
    throw new Error(`upload of ${file.path} failed: ${(lastErr as Error)?.message ?? String(lastErr)}`);
  }

  private saving: Promise<void> = Promise.resolve();

  /** Serialised: concurrent uploads finishing together must not race on the temp file. */
  save(): Promise<void> {
    this.saving = this.saving.then(() => this.doSave());
    return this.saving;
  }

  private async doSave(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    await writeFileAtomic(this.cachePath, toStableFile(this.cache));
  }
}
