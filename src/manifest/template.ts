// `{{name}}` templating over every string of `defaults`, `shots` and `sweep`. Done once on the
// manifest (not per cell), in place; an unknown name is an error at the string that uses it.
import type { Diagnostic } from '../types.js';
import { didYouMean } from './didYouMean.js';
import type { ManifestSource } from './source.js';
import { joinPointer } from './source.js';

const TEMPLATE = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function applyTemplates(root: Record<string, unknown>, vars: Record<string, unknown>, src: ManifestSource): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('{{')) return value;
      return value.replace(TEMPLATE, (whole, name: string) => {
        if (Object.prototype.hasOwnProperty.call(vars, name)) return String(vars[name]);
        const close = didYouMean(name, Object.keys(vars));
        const known = Object.keys(vars);
        diags.push(src.diag('error', 'E_UNKNOWN_VAR', joinPointer(path), `unknown var \`${name}\` in \`${whole}\``,
          close ? `did you mean \`{{${close}}}\`?` : known.length ? `define it under \`vars:\` (known: ${known.join(', ')})` : 'define it under `vars:` at the top of the manifest', { text: whole }));
        return whole;
      });
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
