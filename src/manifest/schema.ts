// Layer 1: the manifest against schemas/manifest.schema.json.
import { readFileSync } from 'node:fs';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../types.js';
import { ajv } from './ajv.js';
import { ajvIssues, fieldName } from './ajvIssues.js';
import type { ManifestSource } from './source.js';

export const MANIFEST_SCHEMA_URL = new URL('../../schemas/manifest.schema.json', import.meta.url);

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!validate) {
    const schema = JSON.parse(readFileSync(MANIFEST_SCHEMA_URL, 'utf8')) as Record<string, unknown>;
    validate = ajv().getSchema(schema.$id as string) ?? ajv().compile(schema);
  }
  return validate;
}

function patternHint(pointer: string, value: unknown, propertyName?: string): { message: string; fix?: string } | undefined {
  if (propertyName !== undefined) {
    if (/\/sweep\/(matrix|zip)(\/include\/\d+|\/exclude\/\d+)?$/.test(pointer)) {
      const fixed = propertyName.replace(/\.(\d+)(?=\.|$|\[)/g, '[$1]');
      return { message: `sweep key \`${propertyName}\` is not a field path`, fix: fixed !== propertyName ? `write \`${fixed}\`` : 'use dotted field names with [n] for list items, e.g. `loras[0].scale`' };
    }
    if (pointer === '/vars') return { message: `var name \`${propertyName}\` is not valid`, fix: 'use letters, digits and _ (not starting with a digit)' };
    if (pointer === '/endpoint_schemas') return { message: `\`${propertyName}\` is not a fal endpoint id`, fix: 'write it as owner/app[/sub-path], e.g. `fal-ai/flux/dev`' };
    return undefined;
  }
  if (pointer === '/name') return { message: `name ${JSON.stringify(value)} is not safe as a folder name`, fix: 'use letters, digits, `.`, `_` and `-` (up to 64), e.g. ' + '`' + String(value).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) + '`' };
  if (/^\/shots\/\d+\/id$/.test(pointer)) return { message: `shot id ${JSON.stringify(value)} is not safe as a file name`, fix: 'use letters, digits, `.`, `_` and `-` (up to 64), e.g. ' + '`' + String(value).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64) + '`' };
  if (/(^|\/)endpoint$/.test(pointer)) return { message: `endpoint ${JSON.stringify(value)} is not a fal endpoint id`, fix: 'write it as owner/app[/sub-path], e.g. `fal-ai/ltx-video-lora/multiconditioning`' };
  return undefined;
}

export function checkManifestSchema(value: unknown, src: ManifestSource): Diagnostic[] {
  const v = validator();
  if (v(value)) return [];
  return ajvIssues(v.errors, { name: (p) => (p ? fieldName(p) : 'the manifest'), patternHint })
    .map((i) => src.diag('error', i.code, i.pointer, i.message, i.fix, { key: i.key }));
}
