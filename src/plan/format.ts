// Compiler-style diagnostics: `file:line:col: error E_CODE message`, the fix, and the source line
// with a caret under the node.
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../types.js';

const C = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function formatDiagnostics(diags: Diagnostic[], opts: { color?: boolean } = {}): string {
  const paint = (c: keyof typeof C, s: string) => (opts.color ? C[c] + s + C.reset : s);
  const texts = new Map<string, string[] | undefined>();
  const lines = (file: string) => {
    if (!texts.has(file)) {
      try { texts.set(file, readFileSync(file, 'utf8').split(/\r?\n/)); } catch { texts.set(file, undefined); }
    }
    return texts.get(file);
  };
  const sorted = [...diags].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  const out: string[] = [];
  // 3,000 broken shots are 3,000 diagnostics; the first few hundred say what is wrong.
  const shown = sorted.slice(0, MAX_SHOWN);
  for (const d of shown) {
    const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
    const sev = d.severity === 'error' ? paint('red', 'error') : paint('yellow', 'warning');
    out.push(`${paint('bold', clean(where))}: ${sev} ${paint('dim', d.code)} ${clean(d.message)}`);
    if (d.fix) out.push(`  ${paint('cyan', 'fix:')} ${clean(d.fix)}`);
    const src = d.line > 0 ? lines(d.file)?.[d.line - 1] : undefined;
    if (src !== undefined) {
      const num = String(d.line);
      const token = /^[^\s,:\]}]*/.exec(src.slice(d.column - 1, d.column + 200))?.[0] ?? '';
      // A hostile or minified line can be megabytes long: show a window around the column.
      const { text, col } = excerpt(src, d.column);
      out.push(`  ${paint('dim', num + ' |')} ${text}`);
      out.push(`  ${' '.repeat(num.length)} ${paint('dim', '|')} ${' '.repeat(Math.max(0, col - 1))}${paint(d.severity === 'error' ? 'red' : 'yellow', '^' + '~'.repeat(Math.max(0, Math.min(token.length, 60) - 1)))}`);
    }
  }
  if (sorted.length > shown.length) out.push(`… ${sorted.length - shown.length} more not shown`);
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  if (diags.length) out.push(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
  return out.join('\n');
}

const WINDOW = 120;
const MAX_SHOWN = 200;
// Terminal escapes, bidi overrides, zero-width characters and NULs from a manifest must not
// rewrite the user's terminal or hide what the message says.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const MAX_MESSAGE = 500;

function clean(s: string): string {
  const t = s.replace(UNSAFE, '\ufffd');
  return t.length > MAX_MESSAGE ? t.slice(0, MAX_MESSAGE - 1) + '…' : t;
}

/** The source line cut to about WINDOW characters around `column`, control characters made visible; `col` is the caret's column in it. */
export function excerpt(line: string, column: number): { text: string; col: number } {
  let start = 0;
  let end = line.length;
  if (line.length > WINDOW) {
    start = Math.max(0, Math.min(column - 1 - WINDOW / 4, line.length - WINDOW));
    end = start + WINDOW;
  }
  const pre = start > 0 ? '…' : '';
  const post = end < line.length ? '…' : '';
  const safe = line.slice(start, end).replace(UNSAFE, '\ufffd');
  return { text: pre + safe + post, col: column - start + pre.length };
}
