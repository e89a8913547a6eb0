import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/util/stableJson.js';
import { canonicalJson } from '../../src/plan/canonical.js';
import { ROOT } from './_helpers.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/manifest.schema.json'), 'utf8'));

/** Every property schema in the manifest schema, with its path. */
function properties(node: unknown, path: string, out: [string, Record<string, unknown>][]): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  for (const [k, v] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
    out.push([`${path}.${k}`, v as Record<string, unknown>]);
    properties(v, `${path}.${k}`, out);
  }
  for (const key of ['items', 'additionalProperties']) if (n[key] && typeof n[key] === 'object') properties(n[key], `${path}[${key}]`, out);
  for (const key of ['anyOf', 'oneOf']) (n[key] as unknown[] | undefined)?.forEach((b, i) => properties(b, `${path}|${i}`, out));
  for (const [k, v] of Object.entries((n.$defs as Record<string, unknown>) ?? {})) properties(v, `#${k}`, out);
}

describe('schemas/manifest.schema.json', () => {
  it('is JSON Schema 2020-12', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('describes every property', () => {
    const props: [string, Record<string, unknown>][] = [];
    properties(schema, '', props);
    expect(props.length).toBeGreaterThan(30);
    const missing = props.filter(([, p]) => typeof p.description !== 'string' || !(p.description as string).trim()).map(([path]) => path);
    expect(missing).toEqual([]);
  });
});

describe('canonical JSON for cell ids', () => {
  it.each([
    [{ b: 1, a: [3, { d: null, c: 'x' }], e: { z: true, y: 1.5 } }],
    [{ prompt: 'quote " and \\ and \u00e9 and \n', loras: [{ scale: -0.5, path: 'sha256:ab' }], seed: 0 }],
    [[1, 'two', { three: [] }, {}]],
    [{ skip: undefined, keep: 1 }],
  ])('is byte-identical to stableStringify: %j', (value) => {
    expect(canonicalJson(value)).toBe(stableStringify(value));
  });
});
