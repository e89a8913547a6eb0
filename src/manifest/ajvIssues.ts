// Ajv errors -> one readable issue per problem: unknown keys with "did you mean", anyOf/oneOf
// collapsed to what the value could have been, ranges and enums quoted. Shared by the manifest
// schema layer and the endpoint input schema layer.
import type { ErrorObject } from 'ajv';
import { didYouMean } from './didYouMean.js';
import { splitPointer } from './source.js';

export interface Issue {
  /** JSON pointer into the validated value. */
  pointer: string;
  /** Point at the key of the entry rather than its value. */
  key?: boolean;
  code: string;
  message: string;
  fix?: string;
}

/** `/shots/0/input/num_frames` -> `shots[0].input.num_frames`. */
export function fieldName(pointer: string, base = ''): string {
  let out = base;
  for (const seg of splitPointer(pointer)) out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

export function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(schemaType: unknown, v: unknown): boolean {
  if (schemaType === undefined) return true;
  const types = Array.isArray(schemaType) ? schemaType : [schemaType];
  const t = typeOf(v);
  return types.some((s) => s === t || (s === 'number' && t === 'integer'));
}

function summarize(s: Record<string, unknown>): string {
  if ('const' in s) return `\`${String(s.const)}\``;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((e) => `\`${String(e)}\``).join(', ')}`;
  const t = Array.isArray(s.type) ? s.type.join(' or ') : String(s.type ?? 'value');
  const parts: string[] = [];
  if (typeof s.minimum === 'number') parts.push(`>= ${s.minimum}`);
  if (typeof s.maximum === 'number') parts.push(`<= ${s.maximum}`);
  return `${t === 'integer' ? 'an integer' : t === 'array' ? 'a list' : t === 'object' ? 'an object' : `a ${t}`}${parts.length ? ` ${parts.join(', ')}` : ''}`;
}

export interface IssueOptions {
  /** Human name of a pointer for messages. */
  name: (pointer: string) => string;
  /** Extra text for unknown keys, e.g. ` for fal-ai/ltx-video-lora/multiconditioning`. */
  where?: (pointer: string) => string;
  /** Better words for a failed `pattern` at this pointer. */
  patternHint?: (pointer: string, value: unknown, propertyName?: string) => { message: string; fix?: string } | undefined;
}

export function ajvIssues(errors: ErrorObject[] | null | undefined, opts: IssueOptions): Issue[] {
  if (!errors?.length) return [];
  let errs = [...errors];
  // Collapse anyOf/oneOf: keep the one branch whose type fits the value, else one summary error.
  const unions = errs.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const summaries: ErrorObject[] = [];
  for (const u of unions) {
    const branches = (u.schema as Record<string, unknown>[]) ?? [];
    const fitting = branches.map((b, i) => ({ b, i })).filter(({ b }) => typeMatches(b.type, u.data) && !('const' in b) && !Array.isArray(b.enum));
    const prefix = u.schemaPath + '/';
    if (fitting.length === 1) {
      const keep = prefix + fitting[0].i + '/';
      errs = errs.filter((e) => e === u ? false : !e.schemaPath.startsWith(prefix) || e.schemaPath.startsWith(keep));
    } else {
      errs = errs.filter((e) => e !== u && !e.schemaPath.startsWith(prefix));
      summaries.push(u);
    }
  }
  errs.push(...summaries);

  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    const p = e.instancePath;
    const name = opts.name(p);
    let issue: Issue | undefined;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const props = Object.keys(((e.parentSchema as Record<string, unknown>)?.properties as object) ?? {});
        const close = didYouMean(key, props);
        issue = {
          pointer: `${p}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, key: true, code: 'E_UNKNOWN_KEY',
          message: `unknown key \`${key}\` in ${name}${opts.where?.(p) ?? ''}`,
          fix: close ? `did you mean \`${close}\`?` : props.length ? `allowed keys: ${props.join(', ')}` : undefined,
        };
        break;
      }
      case 'required': {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        issue = { pointer: p, code: 'E_MISSING_FIELD', message: `${name} is missing required field \`${missing}\`${opts.where?.(p) ?? ''}` };
        break;
      }
      case 'type':
        issue = { pointer: p, code: 'E_WRONG_TYPE', message: `${name} must be ${summarize(e.parentSchema as Record<string, unknown>)}, got ${typeOf(e.data)} ${show(e.data)}` };
        break;
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        const close = typeof e.data === 'string' ? didYouMean(e.data, allowed.map(String)) : undefined;
        issue = { pointer: p, code: 'E_INVALID_VALUE', message: `${name} ${show(e.data)} is not one of ${allowed.map((a) => show(a)).join(', ')}`, fix: close ? `did you mean ${show(close)}?` : undefined };
        break;
      }
      case 'const':
        issue = { pointer: p, code: 'E_INVALID_VALUE', message: `${name} must be ${show((e.params as { allowedValue: unknown }).allowedValue)}, got ${show(e.data)}` };
        break;
      case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': {
        const { comparison, limit } = e.params as { comparison: string; limit: number };
        issue = { pointer: p, code: 'E_OUT_OF_RANGE', message: `${name} ${show(e.data)} is out of range: must be ${comparison} ${limit}` };
        break;
      }
      case 'minItems': case 'maxItems': {
        const { limit } = e.params as { limit: number };
        issue = { pointer: p, code: e.keyword === 'minItems' ? 'E_TOO_FEW_ITEMS' : 'E_TOO_MANY_ITEMS', message: `${name} has ${(e.data as unknown[]).length} item(s); ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${limit} allowed` };
        break;
      }
      case 'minProperties':
        issue = { pointer: p, code: 'E_EMPTY', message: `${name} must not be empty` };
        break;
      case 'minLength':
        issue = { pointer: p, code: 'E_EMPTY', message: `${name} must not be empty` };
        break;
      case 'pattern': {
        const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
        const hint = opts.patternHint?.(p, e.data, propertyName);
        if (propertyName !== undefined) {
          issue = { pointer: `${p}/${propertyName}`, key: true, code: 'E_INVALID_KEY', message: hint?.message ?? `key \`${propertyName}\` in ${name} is not valid`, fix: hint?.fix };
        } else {
          issue = { pointer: p, code: 'E_INVALID_VALUE', message: hint?.message ?? `${name} ${show(e.data)} does not match ${(e.params as { pattern: string }).pattern}`, fix: hint?.fix };
        }
        break;
      }
      case 'propertyNames':
        continue; // reported by the inner `pattern` error
      case 'anyOf': case 'oneOf': {
        const branches = (e.schema as Record<string, unknown>[]) ?? [];
        issue = { pointer: p, code: typeof e.data === 'object' || !branches.some((b) => typeMatches(b.type, e.data)) ? 'E_WRONG_TYPE' : 'E_INVALID_VALUE', message: `${name} ${show(e.data)} is not valid: expected ${branches.map(summarize).join(' or ')}` };
        break;
      }
      default:
        issue = { pointer: p, code: 'E_INVALID_VALUE', message: `${name} ${e.message ?? 'is not valid'}` };
    }
    const k = `${issue.pointer}|${issue.code}|${issue.message}`;
    if (!seen.has(k)) { seen.add(k); issues.push(issue); }
  }
  return issues;
}
