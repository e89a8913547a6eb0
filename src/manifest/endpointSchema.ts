// Layer 2: every expanded request against its endpoint's input schema. Known endpoints use
// schemas/endpoints/*.json (written from the seed pages); any other endpoint can bring fal's
// per-endpoint OpenAPI file (https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=<id>),
// saved beside the manifest and named in `endpoint_schemas`; its `<Name>Input` component is used.
import { readFileSync, statSync } from 'node:fs';
import { confine, CONFINE_FIX } from './confine.js';
import type { ValidateFunction } from 'ajv';
import { endpointInfo } from '../endpoints/registry.js';
import type { Diagnostic } from '../types.js';
import { ajv } from './ajv.js';
import type { ManifestSource } from './source.js';

const ENDPOINT_SCHEMA_DIR = new URL('../../schemas/endpoints/', import.meta.url);
const cache = new Map<string, ValidateFunction>();

export interface EndpointSchema { validate?: ValidateFunction; diagnostics: Diagnostic[] }

export function endpointSchema(endpoint: string, manifestDir: string, schemas: Record<string, string> | undefined, src: ManifestSource): EndpointSchema {
  const own = schemas?.[endpoint];
  if (own !== undefined) {
    const c = confine(manifestDir, own);
    if (c.outside) {
      const at = `/endpoint_schemas/${endpoint.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      return { diagnostics: [src.diag('error', 'E_PATH_OUTSIDE', at, `OpenAPI file \`${own}\` is outside the manifest's folder${c.via === 'symlink' ? ' (through a symlink)' : ''}`, CONFINE_FIX)] };
    }
    return openApiSchema(endpoint, c.real ?? c.abs, own, src);
  }
  const info = endpointInfo(endpoint);
  if (!info) return { diagnostics: [] };
  const key = `builtin:${info.schema}`;
  let v = cache.get(key);
  if (!v) {
    const schema = JSON.parse(readFileSync(new URL(info.schema, ENDPOINT_SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
    v = ajv().getSchema(schema.$id as string) ?? ajv().compile(schema);
    cache.set(key, v);
  }
  return { validate: v, diagnostics: [] };
}

function openApiSchema(endpoint: string, abs: string, given: string, src: ManifestSource): EndpointSchema {
  const key = `openapi:${abs}`;
  const hit = cache.get(key);
  if (hit) return { validate: hit, diagnostics: [] };
  const at = `/endpoint_schemas/${endpoint.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const fail = (msg: string, fix?: string): EndpointSchema => ({ diagnostics: [src.diag('error', 'E_ENDPOINT_SCHEMA', at, msg, fix)] });
  let doc: { components?: { schemas?: Record<string, unknown> }; paths?: Record<string, Record<string, unknown>> };
  try {
    // fal's OpenAPI files are tens of KB; a huge one is a mistake or an attack.
    const st = statSync(abs);
    if (!st.isFile()) return fail(`OpenAPI file \`${given}\` is not a regular file`);
    if (st.size > 8 * 1024 * 1024) return fail(`OpenAPI file \`${given}\` is larger than 8 MB`);
    doc = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `OpenAPI file \`${given}\` for ${endpoint} does not exist` : `OpenAPI file \`${given}\` is not valid JSON: ${(err as Error).message}`,
      `save it with: curl -o ${given} 'https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=${endpoint}'`);
  }
  const components = doc.components?.schemas ?? {};
  const name = inputComponent(doc);
  if (!name || !components[name]) {
    const inputs = Object.keys(components).filter((n) => n.endsWith('Input'));
    return fail(`OpenAPI file \`${given}\` has no \`<Name>Input\` component${inputs.length ? ` (found ${inputs.join(', ')})` : ''}`);
  }
  try {
    const schema = { $id: `shotlist:openapi:${abs}`, $ref: `#/components/schemas/${name}`, components: { schemas: nullableToType(components) } };
    const v = ajv().compile(schema);
    cache.set(key, v);
    return { validate: v, diagnostics: [] };
  } catch (err) {
    return fail(`OpenAPI schema \`${name}\` in \`${given}\` cannot be compiled: ${(err as Error).message}`);
  }
}

/** The component the POST request body refers to, else the only one named `*Input`. */
function inputComponent(doc: { components?: { schemas?: Record<string, unknown> }; paths?: Record<string, Record<string, unknown>> }): string | undefined {
  for (const ops of Object.values(doc.paths ?? {})) {
    const post = ops.post as { requestBody?: { content?: Record<string, { schema?: { $ref?: string } }> } } | undefined;
    const ref = post?.requestBody?.content?.['application/json']?.schema?.$ref;
    if (ref?.startsWith('#/components/schemas/')) return ref.slice('#/components/schemas/'.length);
  }
  const inputs = Object.keys(doc.components?.schemas ?? {}).filter((n) => n.endsWith('Input'));
  return inputs.length === 1 ? inputs[0] : undefined;
}

/** OpenAPI 3.0 `nullable: true` -> JSON Schema `type: [T, 'null']`. */
function nullableToType<T>(value: T): T {
  if (Array.isArray(value)) return value.map(nullableToType) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = nullableToType(v);
    if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
    return out as T;
  }
  return value;
}
