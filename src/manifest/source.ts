// A parsed manifest that remembers where every value came from, so a diagnostic about any JSON
// path (schema, endpoint schema, LTX rule) can name the line and column of the YAML node.
// Locations are resolved lazily by walking the YAML AST: a 100,000-cell plan pays nothing for them.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { guardDocument, MAX_MANIFEST_BYTES } from './guards.js';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, Json, Severity } from '../types.js';

export interface Location { line: number; column: number }

export class ManifestSource {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;
  readonly value: unknown;
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly file: string, readonly text: string) {
    // merge: YAML 1.1 `<<: *anchor` merge keys, which people use to share blocks between shots.
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
    const lines = new Set<number>();
    for (const err of this.doc.errors) {
      const [line, column] = this.pos(err.pos[0]);
      // One syntax error per line: the parser's follow-on complaints about the same line are noise.
      if (lines.has(line)) continue;
      lines.add(line);
      const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const d: Diagnostic = { severity: 'error', code: err.code === 'DUPLICATE_KEY' ? 'E_DUPLICATE_KEY' : 'E_YAML_SYNTAX', message: first, file, line, column, path: '' };
      // The parser's stack gave out: say what that means instead of the engine's words.
      if (/call stack/i.test(first)) Object.assign(d, { code: 'E_TOO_DEEP', message: 'the manifest nests too deeply for the YAML parser', fix: 'flatten it; a manifest needs a handful of levels' });
      const lineText = text.split(/\r?\n/)[line - 1] ?? '';
      if (/flow map/.test(first) && /[\w\]]\[\d*\]?/.test(lineText)) d.fix = 'inside `{ }` a key with brackets must be quoted: `"loras[0].scale": 1.0`, or use block style (one key per line)';
      else if (err.code === 'DUPLICATE_KEY') d.fix = 'remove or rename one of the two keys';
      else if (err.code === 'TAB_AS_INDENT') d.fix = 'indent with spaces, not tabs';
      this.diagnostics.push(d);
    }
    for (const w of this.doc.warnings) {
      const [line, column] = this.pos(w.pos[0]);
      this.diagnostics.push({ severity: 'warning', code: 'W_YAML', message: w.message.split('\n')[0], file, line, column, path: '' });
    }
    if (!this.diagnostics.some((d) => d.severity === 'error')) {
      for (const g of guardDocument(this.doc)) {
        const [line, column] = this.pos(g.offset);
        this.diagnostics.push({ severity: 'error', code: g.code, message: g.message, file, line, column, path: '', fix: g.fix });
      }
    }
    this.value = undefined;
    if (!this.diagnostics.some((d) => d.severity === 'error')) {
      try {
        this.value = this.doc.toJS({ maxAliasCount: 10000 });
      } catch (err) {
        // yaml's own alias-expansion guard, behind ours; anything else here is also the document's fault.
        const [line, column] = this.pos(0);
        this.diagnostics.push({ severity: 'error', code: 'E_YAML_TOO_LARGE', message: `the YAML cannot be loaded: ${(err as Error).message}`, file, line, column, path: '' });
      }
    }
  }

  static read(file: string, absPath: string): ManifestSource | Diagnostic {
    const fail = (code: string, why: string): Diagnostic => ({ severity: 'error', code, message: `cannot read manifest ${file}: ${why}`, file, line: 0, column: 0, path: '' });
    let fd: number;
    try {
      fd = openSync(absPath, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return fail('E_MANIFEST_UNREADABLE', code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message);
    }
    try {
      // Checked on the open descriptor: /dev/zero, a FIFO or a 10 GB file must not be read whole.
      const st = fstatSync(fd);
      if (st.isDirectory()) return fail('E_MANIFEST_UNREADABLE', 'is a directory');
      if (!st.isFile()) return fail('E_MANIFEST_UNREADABLE', 'is not a regular file');
      if (st.size > MAX_MANIFEST_BYTES) return fail('E_MANIFEST_TOO_LARGE', `${st.size.toLocaleString('en-US')} bytes, above the limit of ${MAX_MANIFEST_BYTES.toLocaleString('en-US')}`);
      const buf = Buffer.alloc(st.size);
      let n = 0;
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, n);
        if (r === 0) break;
        n += r;
      }
      return new ManifestSource(file, buf.subarray(0, n).toString('utf8'));
    } catch (err) {
      return fail('E_MANIFEST_UNREADABLE', (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : (err as Error).message);
    } finally {
      closeSync(fd);
    }
  }

  private pos(offset: number): [number, number] {
    const p = this.lineCounter.linePos(offset);
    return [p.line, p.col];
  }

  /**
   * Line and column of the node at a JSON pointer (`/shots/0/input/num_frames`). `key: true`
   * points at the key of a map entry instead of its value (unknown keys). Falls back to the
   * deepest node that exists, so a missing field points at the object that lacks it.
   */
  locate(pointer: string, opts: { key?: boolean } = {}): Location {
    let node: unknown = this.doc.contents;
    let best: { range?: [number, number, number] | null } | undefined = node as Node;
    const segs = splitPointer(pointer);
    for (let i = 0; i < segs.length; i++) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const seg = segs[i];
      const last = i === segs.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
        if (!pair) break;
        if (last && opts.key && pair.key) { best = pair.key as Node; node = undefined; break; }
        node = pair.value;
        best = (pair.value as Node | null) ?? (pair.key as Node);
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) break;
        node = item;
        best = item as Node;
      } else break;
    }
    const start = best?.range?.[0];
    if (start === undefined) return { line: 1, column: 1 };
    const [line, column] = this.pos(start);
    return { line, column };
  }

  /** Where `needle` appears inside the scalar at `pointer` (a `{{var}}` in a prompt), else the scalar. */
  locateText(pointer: string, needle: string): Location {
    const at = this.locate(pointer);
    const start = this.lineCounter.lineStarts[at.line - 1] + at.column - 1;
    const end = this.text.indexOf('\n', start);
    const idx = this.text.slice(start, end < 0 ? undefined : end).indexOf(needle);
    if (idx < 0) return at;
    const [line, column] = this.pos(start + idx);
    return { line, column };
  }

  diag(severity: Severity, code: string, path: string, message: string, fix?: string, opts: { key?: boolean; text?: string } = {}): Diagnostic {
    const { line, column } = opts.text ? this.locateText(path, opts.text) : this.locate(path, opts);
    const d: Diagnostic = { severity, code, message, file: this.file, line, column, path };
    if (fix) d.fix = fix;
    return d;
  }
}

const pointerCache = new Map<string, string[]>();

/** Pointer segments; memoised because a large plan asks for the same few pointers per cell. Do not mutate the result. */
export function splitPointer(pointer: string): string[] {
  let segs = pointerCache.get(pointer);
  if (!segs) {
    segs = !pointer || pointer === '/' ? [] : pointer.slice(1).split('/').map((s) => (s.includes('~') ? s.replace(/~1/g, '/').replace(/~0/g, '~') : s));
    if (pointerCache.size < 10000) pointerCache.set(pointer, segs);
  }
  return segs;
}

export function joinPointer(segs: (string | number)[]): string {
  return segs.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Value at a JSON pointer in plain JSON, or undefined. */
export function getPointer(value: unknown, pointer: string): Json | undefined {
  let cur: unknown = value;
  for (const seg of splitPointer(pointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur as Json | undefined;
}
