// fal storage, emulated: `initiate` hands out an upload URL and the file URL it will be served
// at; the bytes arrive by PUT (or in 10 MB parts and a `complete` call for files over 90 MB, see
// @fal-ai/client src/storage.js). Uploaded files and job outputs live in one in-memory store.
import { randomBytes } from 'node:crypto';

export interface StoredFile {
  bytes: Buffer;
  contentType: string;
}

interface UploadSession {
  fileUrlPath: string;
  contentType: string;
  multipart: boolean;
  parts: Map<number, Buffer>;
  done: boolean;
}

export class FileStore {
  private readonly files = new Map<string, StoredFile>();
  private readonly sessions = new Map<string, UploadSession>();

  /** Path like `/files/<id>/<name>`. */
  get(path: string): StoredFile | undefined {
    return this.files.get(path);
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  put(path: string, file: StoredFile): void {
    this.files.set(path, file);
  }

  newFilePath(fileName: string): string {
    const safe = (fileName || 'file').replace(/[^A-Za-z0-9._-]+/g, '_').slice(-120) || 'file';
    return `/files/${randomBytes(6).toString('hex')}/${safe}`;
  }

  initiate(fileName: string, contentType: string, multipart: boolean): { token: string; fileUrlPath: string } {
    const token = randomBytes(12).toString('hex');
    const fileUrlPath = this.newFilePath(fileName);
    this.sessions.set(token, { fileUrlPath, contentType: contentType || 'application/octet-stream', multipart, parts: new Map(), done: false });
    return { token, fileUrlPath };
  }

  /** A single-request upload; returns false when the token is unknown. */
  putWhole(token: string, bytes: Buffer, contentType: string | undefined): boolean {
    const s = this.sessions.get(token);
    if (!s || s.multipart) return false;
    this.files.set(s.fileUrlPath, { bytes, contentType: s.contentType || contentType || 'application/octet-stream' });
    s.done = true;
    return true;
  }

  putPart(token: string, partNumber: number, bytes: Buffer): string | undefined {
    const s = this.sessions.get(token);
    if (!s || !s.multipart) return undefined;
    s.parts.set(partNumber, bytes);
    return `"${partNumber}-${bytes.length}-${token.slice(0, 8)}"`;
  }

  /** Assembles the parts in the order listed; an error message when something does not match. */
  complete(token: string, parts: { partNumber: number; etag: string }[]): string | undefined {
    const s = this.sessions.get(token);
    if (!s || !s.multipart) return 'unknown upload';
    const chunks: Buffer[] = [];
    for (const p of parts) {
      const b = s.parts.get(p.partNumber);
      if (!b) return `part ${p.partNumber} was never uploaded`;
      chunks.push(b);
    }
    if (chunks.length === 0) return 'no parts';
    this.files.set(s.fileUrlPath, { bytes: Buffer.concat(chunks), contentType: s.contentType });
    s.parts.clear();
    s.done = true;
    return undefined;
  }
}
