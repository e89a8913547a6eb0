// Hostile-input guards on the YAML tree, checked before it becomes a JS value: a manifest can come
// from a pull request, so it must not be able to exhaust memory or the stack, build cycles, or
// reach Object.prototype through a key. Each problem is a located diagnostic (docs/reliability.md).
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/** Deeper than any real manifest (about 8 levels); far below what would blow the stack in ajv or the planner. */
export const MAX_DEPTH = 64;
/** A manifest is a few hundred KB even with 1,000 shots; refuse before parsing anything larger. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Values after alias expansion: a billion-laughs document is refused long before it is built. */
export const MAX_EXPANDED_NODES = 1_000_000;
/** Keys that reach Object.prototype when assigned with `obj[key] = ...` (sweep keys, deep merges). */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface GuardIssue { code: string; offset: number; message: string; fix: string }

type Ranged = { range?: [number, number, number] | null };
const at = (n: unknown): number => (n as Ranged | null)?.range?.[0] ?? 0;

/**
 * Walks the YAML AST once, iteratively (a recursive walk is itself a stack bomb), and returns the
 * first problem it finds of each kind. Sizes count aliases as what they expand to, memoised per
 * anchored node, so the walk stays linear in the text while the guard sees the expanded size.
 */
export function guardDocument(doc: Document.Parsed): GuardIssue[] {
  const issues: GuardIssue[] = [];
  const seen = new Set<string>();
  const report = (i: GuardIssue) => { if (!seen.has(i.code)) { seen.add(i.code); issues.push(i); } };
  const sizes = new Map<unknown, number>();

  // Post-order over (node, depth); ancestors on the current path detect alias cycles.
  type Frame = { node: unknown; depth: number; children?: unknown[]; next: number; size: number };
  const onPath = new Set<unknown>();
  const stack: Frame[] = [];
  const push = (node: unknown, depth: number) => { stack.push({ node, depth, next: 0, size: 1 }); };
  if (doc.contents) push(doc.contents, 1);
  let total = 0;
  while (stack.length) {
    const f = stack[stack.length - 1];
    if (!f.children) {
      const n = f.node;
      if (f.depth > MAX_DEPTH) {
        report({ code: 'E_TOO_DEEP', offset: at(n), message: `the manifest nests deeper than ${MAX_DEPTH} levels here`, fix: 'flatten it; a manifest needs a handful of levels' });
        stack.pop();
        continue;
      }
      if (isAlias(n)) {
        const target = n.resolve(doc);
        if (!target) {
          report({ code: 'E_YAML_SYNTAX', offset: at(n), message: `alias \`*${n.source}\` has no anchor \`&${n.source}\` before it`, fix: 'define the anchor first, or fix the alias name' });
          f.size = 1;
        } else if (onPath.has(target)) {
          report({ code: 'E_YAML_ALIAS_CYCLE', offset: at(n), message: `alias \`*${n.source}\` refers to a node that contains it, which would never end`, fix: 'an alias may only repeat a node defined before and outside it' });
          f.size = 1;
        } else f.size = target ? (sizes.get(target) ?? 1) : 1;
        stack.pop();
        addToParent(f.size);
        continue;
      }
      onPath.add(n);
      f.children = [];
      if (isMap(n)) {
        for (const p of n.items) {
          if (!isPair(p)) continue;
          if (isScalar(p.key) && String(p.key.value).split(/[.[\]]/).some((seg) => FORBIDDEN_KEYS.has(seg))) {
            report({ code: 'E_FORBIDDEN_KEY', offset: at(p.key), message: `key \`${String(p.key.value)}\` is not allowed anywhere in a manifest (it could reach Object.prototype)`, fix: 'no fal input or manifest field has this name; remove it' });
          }
          if (p.key && !isScalar(p.key)) f.children.push(p.key);
          if (p.value) f.children.push(p.value);
        }
      } else if (isSeq(n)) {
        for (const item of n.items) if (item) f.children.push(item);
      }
    }
    if (f.next < f.children.length) {
      push(f.children[f.next++], f.depth + 1);
      continue;
    }
    stack.pop();
    onPath.delete(f.node);
    sizes.set(f.node, f.size);
    addToParent(f.size);
  }
  if (total > MAX_EXPANDED_NODES) {
    const alias = firstAlias(doc);
    report({ code: 'E_YAML_TOO_LARGE', offset: alias ?? 0, message: `anchors and aliases expand this manifest to ${total.toLocaleString('en-US')} values (the limit is ${MAX_EXPANDED_NODES.toLocaleString('en-US')})`, fix: 'this is what a "billion laughs" document looks like; repeat blocks with fewer, smaller aliases' });
  }
  return issues;

  function addToParent(size: number) {
    const parent = stack[stack.length - 1];
    if (parent) parent.size = Math.min(Number.MAX_SAFE_INTEGER, parent.size + size);
    else total = size;
  }
}

function firstAlias(doc: Document.Parsed): number | undefined {
  const todo: unknown[] = [doc.contents];
  while (todo.length) {
    const n = todo.pop();
    if (isAlias(n)) return at(n);
    if (isMap(n)) for (const p of [...n.items].reverse()) { if (isPair(p)) todo.push(p.value, p.key); }
    else if (isSeq(n)) for (const i of [...n.items].reverse()) todo.push(i);
  }
  return undefined;
}

/** One string: room for a data: URI of a small image, far beyond any prompt. */
export const MAX_STRING_CHARS = 4 * 1024 * 1024;

export interface ValueIssue { pointer: string; code: string; message: string; fix: string }

/**
 * The loaded value must be plain JSON: YAML can also produce NaN and infinities (`.nan`, `1e400`),
 * byte arrays (`!!binary`), sets and maps (`!!set`, `!!omap`) and dates, which would reach fal as
 * something other than what the manifest seemed to say. Iterative, like the AST walk.
 */
export function guardValue(value: unknown): ValueIssue[] {
  const issues: ValueIssue[] = [];
  const todo: [unknown, string][] = [[value, '']];
  while (todo.length && issues.length < 20) {
    const [v, p] = todo.pop()!;
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ pointer: p, code: 'E_NOT_FINITE', message: `${String(v)} is not a number fal can receive (JSON has no NaN or infinity)`, fix: 'write a finite number' });
      continue;
    }
    if (typeof v === 'string') {
      if (v.length > MAX_STRING_CHARS) issues.push({ pointer: p, code: 'E_STRING_TOO_LONG', message: `this string is ${v.length.toLocaleString('en-US')} characters long (the limit is ${MAX_STRING_CHARS.toLocaleString('en-US')})`, fix: 'a prompt is a few hundred characters; put media in files beside the manifest' });
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) todo.push([v[i], `${p}/${i}`]);
      continue;
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const keys = Object.keys(v as object);
      for (let i = keys.length - 1; i >= 0; i--) todo.push([(v as Record<string, unknown>)[keys[i]], `${p}/${keys[i].replace(/~/g, '~0').replace(/\//g, '~1')}`]);
      continue;
    }
    const what = v instanceof Uint8Array ? 'binary data (`!!binary`)' : v instanceof Set ? 'a set (`!!set`)' : v instanceof Map ? 'an ordered map (`!!omap`/`!!pairs`)' : v instanceof Date ? 'a timestamp' : `a ${typeof v}`;
    issues.push({ pointer: p, code: 'E_YAML_TYPE', message: `${what} is not plain JSON`, fix: 'remove the YAML tag; shotlist sends JSON to fal' });
  }
  return issues;
}

export type { Node };
