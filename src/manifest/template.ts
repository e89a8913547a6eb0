// `{{name}}` templating over every string of `defaults`, `shots` and `sweep`. Done once on the
// manifest (not per cell), in place; an unknown name is an error at the string that uses it.
import type { Diagnostic } from '../types.js';
import { didYouMean } from './didYouMean.js';
import { MAX_STRING_CHARS } from './guards.js';
import type { ManifestSource } from './source.js';
import { joinPointer } from './source.js';

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** One string after templating: the same limit as a string written out (guards.ts). */
export const MAX_TEMPLATED_CHARS = MAX_STRING_CHARS;
/** Everything templating adds: a long var used many times must not multiply into gigabytes. */
export const MAX_TEMPLATE_GROWTH = 16 * 1024 * 1024;
const MAX_UNKNOWN_REPORTS = 100;

export function applyTemplates(root: Record<string, unknown>, vars: Record<string, unknown>, src: ManifestSource): Diagnostic[] {
  const diags: Diagnostic[] = [];
  let growth = 0;
  let stopped = false;
  let unknown = 0;
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{{') || stopped) return value;
      let size = value.length;
      let tooBig = false;
      const reported = new Set<string>();
      const out = value.replace(TEMPLATE, (whole, name: string) => {
        if (Object.prototype.hasOwnProperty.call(vars, name)) {
          const v = String(vars[name]);
          size += v.length - whole.length;
          if (size > MAX_TEMPLATED_CHARS) tooBig = true;
          return tooBig ? '' : v;
        }
        // Each unknown name once per string, and a bounded number in all: a file of a million
        // `{{x}}` must not become a million located diagnostics.
        if (reported.has(name) || unknown >= MAX_UNKNOWN_REPORTS) return whole;
        reported.add(name);
        unknown++;
        const close = didYouMean(name, Object.keys(vars));
        const known = Object.keys(vars);
        diags.push(src.diag('error', 'E_UNKNOWN_VAR', joinPointer(path), `unknown var \`${name}\` in \`${whole}\``,
          close ? `did you mean \`{{${close}}}\`?` : known.length ? `define it under \`vars:\` (known: ${known.join(', ')})` : 'define it under `vars:` at the top of the manifest', { text: whole }));
        return whole;
      });
      if (tooBig) {
        diags.push(src.diag('error', 'E_TEMPLATE_TOO_LARGE', joinPointer(path), `this string grows past ${MAX_TEMPLATED_CHARS.toLocaleString('en-US')} characters once its {{vars}} are filled in`, 'use shorter vars, or fewer of them in one string'));
        return value;
      }
      growth += Math.max(0, out.length - value.length);
      if (growth > MAX_TEMPLATE_GROWTH) {
        stopped = true;
        diags.push(src.diag('error', 'E_TEMPLATE_TOO_LARGE', joinPointer(path), `filling in {{vars}} adds more than ${MAX_TEMPLATE_GROWTH / 1024 / 1024} MB to the manifest by here`, 'a long var is repeated in too many strings; shorten it'));
        return value;
      }
      return out;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], [...path, i]);
      return value;
    }
    if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) obj[k] = walk(obj[k], [...path, k]);
    }
    return value;
  };
  for (const key of ['defaults', 'sweep', 'shots']) if (key in root) root[key] = walk(root[key], [key]);
  return diags;
}
