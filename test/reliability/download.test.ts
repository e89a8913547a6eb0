// downloadTo when this machine cannot write: the outcome says `local` (not the server's fault,
// not worth a retry, and the engine must not mark the paid job failed), and no .part is left.
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadTo } from '../../src/run/download.js';

let server: Server;
let url = '';
let hits = 0;
const BODY = Buffer.alloc(256 * 1024, 7);
beforeAll(async () => {
  server = createServer((_req, res) => { hits++; res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': BODY.length }); res.end(BODY); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v.mp4`;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

describe('downloadTo on a machine that cannot write', () => {
  it('a folder that cannot be created (a file in the way): local, no attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shotlist-dl-'));
    try {
      writeFileSync(join(dir, 'shot'), 'a file');
      const r = await downloadTo({ url, fileSize: BODY.length }, join(dir, 'shot', 'x.mp4'));
      expect(r.ok).toBe(false);
      expect(!r.ok && r.local).toBe(true);
      expect(!r.ok && r.error.message).toMatch(/cannot write .*(EEXIST|ENOTDIR)/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('a full disk: local, one attempt, no .part left', async (ctx) => {
    const dir = mkdtempSync(join(tmpdir(), 'shotlist-dlfull-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) { rmSync(dir, { recursive: true, force: true }); ctx.skip(); return; }
    try {
      mkdirSync(join(dir, 'shot'));
      hits = 0;
      const r = await downloadTo({ url, fileSize: BODY.length }, join(dir, 'shot', 'x.mp4'));
      expect(r.ok).toBe(false);
      expect(!r.ok && r.local).toBe(true);
      expect(hits, JSON.stringify(r)).toBe(1); // not retried: the disk will not empty itself
      expect(!r.ok && r.error.message).toMatch(/ENOSPC/);
      expect(readdirSync(join(dir, 'shot'))).toEqual([]);
    } finally {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
