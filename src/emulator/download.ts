// Serving stored files (uploads and outputs) the way a CDN does: Content-Length, byte ranges
// (Chromium's <video> asks for them), and the `slow` and `truncate` faults.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoredFile } from './storage.js';
import { sleep, writeJson } from './_http.js';

export async function serveFile(req: IncomingMessage, res: ServerResponse, file: StoredFile | undefined, slowMs: number, truncate: boolean): Promise<number> {
  if (!file) {
    writeJson(res, 404, { detail: 'File not found' });
    return 404;
  }
  const total = file.bytes.length;
  let start = 0;
  let end = total - 1;
  let status = 200;
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range && (range[1] || range[2])) {
    if (range[1]) { start = Number(range[1]); if (range[2]) end = Math.min(end, Number(range[2])); }
    else { start = Math.max(0, total - Number(range[2])); }
    if (start > end || start >= total) {
      res.writeHead(416, { 'content-range': `bytes */${total}` });
      res.end();
      return 416;
    }
    status = 206;
  }
  const body = file.bytes.subarray(start, end + 1);
  const headers: Record<string, string | number> = {
    'content-type': file.contentType,
    'content-length': body.length,
    'accept-ranges': 'bytes',
    'access-control-allow-origin': '*',
    'cache-control': 'public, max-age=3600',
  };
  if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${total}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD') { res.end(); return status; }
  if (truncate) {
    // Announce the full length, send half, drop the connection: what a cut CDN transfer looks like.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    return status;
  }
  if (slowMs > 0) {
    const pieces = 10;
    const size = Math.ceil(body.length / pieces) || 1;
    for (let off = 0; off < body.length; off += size) {
      if (res.destroyed) return status;
      res.write(body.subarray(off, off + size));
      await sleep(slowMs / pieces);
    }
    res.end();
    return status;
  }
  res.end(body);
  return status;
}
