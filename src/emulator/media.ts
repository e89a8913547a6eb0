// Media URLs in an input must resolve, as they must on fal: a data URI must decode, a URL on the
// emulator's own host must name a file it serves. Other http(s) URLs cannot be fetched offline
// and are accepted as they are (docs/emulator.md says so). A broken one fails the job with fal's
// `file_download_error` model error (https://fal.ai/docs/documentation/model-apis/errors).
import type { JsonObject, Json } from '../types.js';
import { endpointInfo } from '../endpoints/registry.js';
import type { FieldError } from './validate.js';

export interface MediaRef {
  loc: (string | number)[];
  value: string;
  /** LoRA paths may be Hugging Face repo ids rather than URLs. */
  lora: boolean;
}

/** The media strings in an input: the registry's `mediaFields`, or for unknown endpoints any data URI or own-host URL. */
export function mediaRefs(endpoint: string, input: JsonObject, ownOrigin: string): MediaRef[] {
  const info = endpointInfo(endpoint);
  const out: MediaRef[] = [];
  if (info) {
    for (const field of info.mediaFields) collect(input, field.split('.'), [], out, field.startsWith('loras'));
    return out;
  }
  const walk = (v: Json, loc: (string | number)[]) => {
    if (typeof v === 'string') {
      if (v.startsWith('data:') || v.startsWith(ownOrigin + '/')) out.push({ loc, value: v, lora: false });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...loc, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...loc, k]);
  };
  walk(input, []);
  return out;
}

function collect(node: Json | undefined, parts: string[], loc: (string | number)[], out: MediaRef[], lora: boolean): void {
  if (node === undefined || node === null) return;
  if (parts.length === 0) {
    if (typeof node === 'string') out.push({ loc, value: node, lora });
    return;
  }
  const [head, ...rest] = parts;
  const isArray = head!.endsWith('[]');
  const key = isArray ? head!.slice(0, -2) : head!;
  if (typeof node !== 'object' || Array.isArray(node)) return;
  const child = node[key];
  if (isArray) {
    if (Array.isArray(child)) child.forEach((item, i) => collect(item, rest, [...loc, key, i], out, lora));
  } else collect(child, rest, [...loc, key], out, lora);
}

const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s;

/** The first media reference that would not download on fal, as fal's error, or undefined. */
export function brokenMedia(refs: MediaRef[], ownOrigin: string, hasFile: (path: string) => boolean): FieldError | undefined {
  for (const ref of refs) {
    const problem = checkOne(ref, ownOrigin, hasFile);
    if (problem) {
      return {
        loc: ['body', ...ref.loc],
        msg: `Failed to download the file. Please check if the URL is accessible: ${problem}`,
        type: 'file_download_error',
        input: ref.value.length > 200 ? ref.value.slice(0, 200) + '...' : ref.value,
      };
    }
  }
  return undefined;
}

function checkOne(ref: MediaRef, ownOrigin: string, hasFile: (path: string) => boolean): string | undefined {
  const v = ref.value;
  if (v.startsWith('data:')) {
    const m = DATA_URI.exec(v);
    if (!m) return 'malformed data URI';
    const payload = m[4]!;
    if (m[3]) {
      const clean = payload.replace(/\s+/g, '');
      if (!clean || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) return 'data URI is not valid base64';
      if (Buffer.from(clean, 'base64').length === 0) return 'data URI is empty';
    } else if (!payload) return 'data URI is empty';
    return undefined;
  }
  let url: URL;
  try { url = new URL(v); } catch {
    // A bare string in a LoRA path can be a Hugging Face repo id; anything else is not a URL.
    return ref.lora ? undefined : 'not a URL';
  }
  if (url.origin === ownOrigin || (url.hostname === 'localhost' && url.port === new URL(ownOrigin).port)) {
    return hasFile(decodeURIComponent(url.pathname)) ? undefined : 'HTTP 404 from the emulator';
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
  return `unsupported URL scheme ${url.protocol}`;
}
