// Sweep keys (`loras[0].scale`, `resolution.width`) as paths into a request input.
import type { Json, JsonObject } from '../types.js';

const cache = new Map<string, string[]>();

/** `loras[0].scale` -> ['loras', '0', 'scale']. */
export function keySegments(key: string): string[] {
  let segs = cache.get(key);
  if (!segs) {
    segs = [];
    for (const part of key.split('.')) {
      const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
      if (!m) { segs.push(part); continue; }
      segs.push(m[1]);
      for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segs.push(idx[1]);
    }
    cache.set(key, segs);
  }
  return segs;
}

export function keyPointer(key: string): string {
  return keySegments(key).map((s) => '/' + s.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Sets a value at a sweep key; returns a reason when the path cannot exist in this input. */
export function setKey(input: JsonObject, key: string, value: Json): string | undefined {
  const segs = keySegments(key);
  let cur: Json = input;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    // `__proto__.x` would walk into Object.prototype; the loader refuses these keys, this is the second lock.
    if (seg === '__proto__' || seg === 'constructor' || seg === 'prototype') return `\`${seg}\` is not a field`;
    const last = i === segs.length - 1;
    const isIndex = /^\d+$/.test(seg);
    const here = segs.slice(0, i).join('.') || 'the input';
    if (Array.isArray(cur)) {
      if (!isIndex) return `${here} is a list, so \`${seg}\` needs an index like [0]`;
      const idx = Number(seg);
      if (idx >= cur.length) return `${here} has ${cur.length} item(s), so [${idx}] does not exist`;
      if (last) cur[idx] = value;
      else cur = cur[idx];
    } else if (cur !== null && typeof cur === 'object') {
      if (isIndex) return `${here} is not a list`;
      if (last) (cur as JsonObject)[seg] = value;
      else {
        if (!Object.prototype.hasOwnProperty.call(cur, seg) || (cur as JsonObject)[seg] === undefined) {
          if (/^\d+$/.test(segs[i + 1])) return `${[...segs.slice(0, i), seg].join('.')} is not set, so it has no item [${segs[i + 1]}]`;
          (cur as JsonObject)[seg] = {};
        }
        cur = (cur as JsonObject)[seg];
      }
    } else {
      return `${here} is ${JSON.stringify(cur)}, not an object`;
    }
  }
  return undefined;
}

/** Plain JSON deep copy (faster than structuredClone for small request inputs). */
export function cloneJson<T extends Json>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  const out: JsonObject = {};
  for (const k in v) out[k] = cloneJson((v as JsonObject)[k]);
  return out as T;
}

/** `defaults` then shot: objects merge deeply, arrays and scalars replace. */
export function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
      ? deepMerge(b as JsonObject, v as JsonObject)
      : cloneJson(v);
  }
  return out;
}
