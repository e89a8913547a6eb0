// Small formatting and escaping helpers shared by the report renderers.
import type { Json } from '../types.js';
import { stableStringify } from '../util/stableJson.js';

/** Text or attribute value for HTML: every manifest or server string goes through here. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * XML 1.0 text/attribute value: escaped, and with the characters XML cannot carry at all (C0
 * controls other than tab/newline/CR, lone surrogates, U+FFFE/U+FFFF) replaced by U+FFFD, so a
 * server message with a stray control byte cannot make junit.xml ill-formed.
 */
export function escapeXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c]);
}
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * One Markdown table cell: no line breaks, `|` escaped (GFM splits cells on it even inside code),
 * and Markdown/HTML punctuation backslash-escaped so a prompt cannot inject links, images or tags.
 */
export function escapeMarkdownCell(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_[\]{}()<>#+!|~]/g, (c) => '\\' + c);
}

/** A relative path as a URL: each segment percent-encoded (`#`, `?`, `%`, spaces in file names). */
export function pathToHref(path: string): string {
  return path.split('/').map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s))).join('/');
}

/** How a swept value is shown: numbers and strings as themselves, anything else as compact JSON. */
export function formatValue(value: Json | undefined): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return stableStringify(value);
}

/** Swept values as `seed=1, loras[0].scale=0.5` (keys sorted). */
export function formatSweep(sweep: Record<string, Json>): string {
  return Object.keys(sweep).sort().map((k) => `${k}=${formatValue(sweep[k])}`).join(', ');
}

/** 3723000 -> `1h 2m 3s`; 1500 -> `1.5s`; null -> `—`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [h ? `${h}h` : '', h || m ? `${m}m` : '', `${s % 60}s`].filter(Boolean);
  return parts.join(' ');
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** Money sums without float dust: the price table has at most 7 decimals. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** Orders axis values: numbers ascending, then strings, then everything else by its JSON. */
export function compareValues(a: Json | undefined, b: Json | undefined): number {
  const rank = (v: Json | undefined) => (v === undefined ? 3 : typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'string' ? a : stableStringify(a);
  const sb = typeof b === 'string' ? b : stableStringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
