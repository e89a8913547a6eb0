// Input validation against the same JSON Schemas the manifest validator uses
// (schemas/endpoints/*.json), reported the way fal (FastAPI/pydantic) reports it:
// 422 {detail: [{loc: ["body", ...path], msg, type}]}.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Json } from '../types.js';
import { endpointInfo } from '../endpoints/registry.js';

export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: Json;
}

// src/emulator/ and dist/emulator/ are both two levels below the package root.
const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/endpoints/', import.meta.url));

const require = createRequire(import.meta.url);
type AjvCtor = new (opts: object) => { compile(schema: object): ValidateFunction };
let ajv: InstanceType<AjvCtor> | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaFile: string): ValidateFunction {
  let v = compiled.get(schemaFile);
  if (!v) {
    if (!ajv) {
      const Ajv2020 = (require('ajv/dist/2020') as { default: AjvCtor }).default;
      const addFormats = (require('ajv-formats') as { default: (a: unknown) => void }).default;
      ajv = new Ajv2020({ allErrors: true, strict: false });
      addFormats(ajv);
    }
    v = ajv.compile(JSON.parse(readFileSync(SCHEMA_DIR + schemaFile, 'utf8')) as object);
    compiled.set(schemaFile, v);
  }
  return v;
}

/** Field errors for this input, empty when valid. Unknown endpoints accept any JSON object. */
export function validateInput(endpoint: string, input: unknown): FieldError[] {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type', input: (input ?? null) as Json }];
  }
  const info = endpointInfo(endpoint);
  if (!info) return [];
  const validate = validatorFor(info.schema);
  if (validate(input)) return [];
  return dedupe((validate.errors ?? []).map((e) => toFieldError(e, input)));
}

function toFieldError(e: ErrorObject, root: unknown): FieldError {
  const loc: (string | number)[] = ['body', ...e.instancePath.split('/').slice(1).map(unescape)];
  const value = at(root, loc.slice(1));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { loc: [...loc, String(p.missingProperty)], msg: 'Field required', type: 'missing' };
    case 'additionalProperties':
      return { loc: [...loc, String(p.additionalProperty)], msg: 'Extra inputs are not permitted', type: 'extra_forbidden', input: at(root, [...loc.slice(1), String(p.additionalProperty)]) };
    case 'type': {
      const t = String(p.type).split(',')[0];
      const names: Record<string, [string, string]> = {
        integer: ['int_type', 'Input should be a valid integer'],
        number: ['float_type', 'Input should be a valid number'],
        string: ['string_type', 'Input should be a valid string'],
        boolean: ['bool_type', 'Input should be a valid boolean'],
        array: ['list_type', 'Input should be a valid list'],
        object: ['dict_type', 'Input should be a valid dictionary'],
      };
      const [type, msg] = names[t!] ?? ['type_error', `Input should be of type ${t}`];
      return { loc, msg, type, input: value };
    }
    case 'enum':
      return { loc, msg: `Input should be ${(p.allowedValues as unknown[]).map((v) => `'${String(v)}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`, type: 'literal_error', input: value };
    case 'minimum':
      return { loc, msg: `Input should be greater than or equal to ${p.limit}`, type: 'greater_than_equal', input: value };
    case 'exclusiveMinimum':
      return { loc, msg: `Input should be greater than ${p.limit}`, type: 'greater_than', input: value };
    case 'maximum':
      return { loc, msg: `Input should be less than or equal to ${p.limit}`, type: 'less_than_equal', input: value };
    case 'exclusiveMaximum':
      return { loc, msg: `Input should be less than ${p.limit}`, type: 'less_than', input: value };
    case 'maxItems':
      return { loc, msg: `List should have at most ${p.limit} items`, type: 'too_long', input: value };
    case 'minItems':
      return { loc, msg: `List should have at least ${p.limit} items`, type: 'too_short', input: value };
    case 'minLength':
      return { loc, msg: `String should have at least ${p.limit} characters`, type: 'string_too_short', input: value };
    default:
      return { loc, msg: e.message ?? 'Invalid value', type: 'value_error', input: value };
  }
}

function unescape(seg: string): string | number {
  const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^\d+$/.test(s) ? Number(s) : s;
}

function at(root: unknown, path: (string | number)[]): Json | undefined {
  let cur: unknown = root;
  for (const k of path) {
    if (cur && typeof cur === 'object') cur = (cur as Record<string | number, unknown>)[k];
    else return undefined;
  }
  return cur as Json | undefined;
}

// anyOf/oneOf branches can report the same location several times; fal reports each once.
function dedupe(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = JSON.stringify([e.loc, e.type]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
