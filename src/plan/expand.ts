// Expansion: every shot x its sweep -> cells, each validated against its endpoint's schema and
// the LTX rules. Problems point at the manifest node that produced the offending value; that
// origin is worked out only for cells that have a problem, so large plans stay fast.
import { estimateCost, expectedVideo } from '../endpoints/registry.js';
import type { Cell, Diagnostic, FileRef, Json, JsonObject } from '../types.js';
import { sha256Hex } from '../util/stableJson.js';
import { canonicalJson } from './canonical.js';
import { ajvIssues, CONFINE_FIX, endpointSchema, fieldName, getPointer, ltxRules, splitPointer, type Manifest, type ManifestSource } from '../manifest/index.js';
import type { Assignment } from './matrix.js';
import { mapShot, resolveAt, type MappedShot } from './mapShot.js';
import { FileHasher, isLocalPath, mediaPointers } from './files.js';
import { keyPointer, setKey, cloneJson } from './paths.js';
import { combinationAt, manifestFactors, materialisedMatrices, MAX_MATERIALISED, shotSweep, type ShotSweep } from './sweep.js';
import { deriveSeed, prng, sampleIndices } from './seeds.js';

export const DEFAULT_MAX_CELLS = 5000;
/** Whatever `limits.max_cells` or `--max-cells` say: a plan is held in memory (~1 KB a cell). */
export const HARD_MAX_CELLS = 1_000_000;
/** After this many distinct errors the rest are summarised: a broken default would repeat in every cell. */
const MAX_ERRORS = 200;

export interface ExpandResult { cells: Cell[]; diagnostics: Diagnostic[] }

/** For a manifest that already has errors: which shots to leave out, which strings hold an unknown `{{var}}`. */
export interface ExpandOptions { skipShots?: ReadonlySet<number>; tainted?: readonly string[] }

export function expandManifest(m: Manifest, src: ManifestSource, manifestDir: string, maxCells: number, maxCellsFromFlag: boolean, opts: ExpandOptions = {}): ExpandResult {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  let errors = 0;
  let suppressed = 0;
  const skip = opts.skipShots ?? new Set<number>();
  const tainted = opts.tainted ?? [];
  const add = (d: Diagnostic) => {
    // A string whose `{{var}}` is unknown was already reported; what it then breaks is noise.
    if (tainted.some((t) => d.path === t || d.path.startsWith(t + '/'))) return;
    const k = `${d.code}|${d.line}|${d.column}|${d.message}`;
    if (seen.has(k)) return;
    if (d.severity === 'error' && errors >= MAX_ERRORS) { suppressed++; return; }
    seen.add(k);
    if (d.severity === 'error') errors++;
    diagnostics.push(d);
  };

  for (const mm of materialisedMatrices(m, skip)) {
    if (mm.size > MAX_MATERIALISED) add(src.diag('error', 'E_TOO_MANY_CELLS', mm.src, `this matrix has ${mm.size.toLocaleString('en-US')} combinations before include/exclude; shotlist expands at most ${MAX_MATERIALISED.toLocaleString('en-US')} that way`, 'drop include/exclude (plain matrices are sampled lazily), or split the axes between the manifest and shot sweeps'));
  }
  if (errors) return { cells: [], diagnostics };

  const outer = manifestFactors(m);
  const sweeps: ShotSweep[] = m.shots.map((shot, i) => (skip.has(i) ? { factors: [], total: 0 } : shotSweep(m, shot, i, outer)));
  const counts = sweeps.map((s) => (s.sample ? Math.min(s.sample.n, s.total) : s.total));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total > HARD_MAX_CELLS && maxCells > HARD_MAX_CELLS) {
    add(src.diag('error', 'E_TOO_MANY_CELLS', m.limits?.max_cells !== undefined && !maxCellsFromFlag ? '/limits/max_cells' : '/shots', `the plan has ${total.toLocaleString('en-US')} cells; shotlist plans at most ${HARD_MAX_CELLS.toLocaleString('en-US')} in one manifest, whatever the limit says`, 'split the sweep across manifests, or draw fewer with `sweep: { sample: N }`'));
    return { cells: [], diagnostics };
  }
  if (total > maxCells) {
    const biggest = counts.indexOf(Math.max(...counts));
    const at = m.limits?.max_cells !== undefined && !maxCellsFromFlag ? '/limits/max_cells' : m.shots[biggest].sweep ? `/shots/${biggest}/sweep` : m.sweep ? '/sweep' : `/shots/${biggest}`;
    add(src.diag('error', 'E_TOO_MANY_CELLS', at, `the plan has ${total.toLocaleString('en-US')} cells, above the limit of ${maxCells.toLocaleString('en-US')} (shot \`${m.shots[biggest].id}\` alone has ${counts[biggest].toLocaleString('en-US')})`,
      `if you mean it, raise the limit: \`limits: { max_cells: ${total} }\` in the manifest or \`--max-cells ${total}\`; or draw fewer with \`sweep: { sample: N }\``));
    return { cells: [], diagnostics };
  }

  const manifestSeed = typeof m.seed === 'number' ? m.seed : 0;
  const files = new FileHasher(manifestDir);
  const cells: Cell[] = [];
  const byId = new Map<string, Cell>();
  const dupes = new Map<string, { count: number; first: string; second: number }>();
  const noSchema = new Set<string>();

  m.shots.forEach((shot, si) => {
    if (skip.has(si)) return;
    const mapped = mapShot(m, shot, si, src);
    mapped.diagnostics.forEach(add);
    if (mapped.diagnostics.some((d) => d.severity === 'error')) return;
    const schema = endpointSchema(mapped.endpoint, manifestDir, m.endpoint_schemas, src);
    schema.diagnostics.forEach(add);
    if (!schema.validate && !schema.diagnostics.length && !noSchema.has(mapped.endpoint)) {
      noSchema.add(mapped.endpoint);
      add(src.diag('warning', 'W_NO_SCHEMA', shot.endpoint ? `/shots/${si}/endpoint` : '/endpoint', `shotlist has no input schema for ${mapped.endpoint}; its inputs pass through unchecked and its cost is unknown`,
        `save fal's OpenAPI file beside the manifest and name it under \`endpoint_schemas:\` (https://fal.ai/api/openapi/queue/openapi.json?endpoint_id=${mapped.endpoint})`));
    }
    const sw = sweeps[si];
    if (sw.total === 0) {
      add(src.diag('warning', 'W_SHOT_NO_CELLS', shot.sweep ? `/shots/${si}/sweep` : `/shots/${si}`, `shot \`${shot.id}\` expands to no cells (its sweep excludes every combination)`));
      return;
    }
    const shotSeed = deriveSeed(manifestSeed, 'shot', shot.id);
    const emit = (index: number) => {
      const combo = sw.factors.length ? combinationAt(sw.factors, index) : [];
      const cell = buildCell(m, src, mapped, combo, shotSeed, files, schema.validate, add);
      if (!cell) return;
      const first = byId.get(cell.id);
      if (first) {
        const k = `${first.shot}|${si}`;
        const d = dupes.get(k);
        if (d) d.count++;
        else dupes.set(k, { count: 1, first: first.shot, second: si });
        return;
      }
      byId.set(cell.id, cell);
      cells.push(cell);
    };
    if (sw.sample && sw.sample.n < sw.total) {
      for (const i of sampleIndices(sw.total, sw.sample.n, prng(deriveSeed(manifestSeed, 'sample', shot.id)))) emit(i);
    } else {
      for (let i = 0; i < sw.total; i++) emit(i);
    }
  });

  for (const d of dupes.values()) {
    const shot = m.shots[d.second];
    const same = d.first === shot.id;
    add(src.diag('warning', 'W_DUPLICATE_CELL', same ? (shot.sweep ? `/shots/${d.second}/sweep` : `/shots/${d.second}`) : `/shots/${d.second}/id`,
      same ? `${d.count} cell(s) of shot \`${shot.id}\` send exactly the same request as another cell of it; each is planned once`
        : `${d.count} cell(s) of shot \`${shot.id}\` send exactly the same request as shot \`${d.first}\`; they are planned once, not paid twice`,
      same ? 'check include entries and sweep values for repeats' : 'change something (prompt, seed, a parameter) or delete the copy'));
  }
  if (suppressed) diagnostics.push({ severity: 'error', code: 'E_TOO_MANY_ERRORS', message: `${suppressed} more error(s) not shown`, file: src.file, line: 0, column: 0, path: '' });
  return { cells, diagnostics };
}

function buildCell(m: Manifest, src: ManifestSource, mapped: MappedShot, combo: Assignment[], shotSeed: number, files: FileHasher,
  validate: ReturnType<typeof endpointSchema>['validate'], add: (d: Diagnostic) => void): Cell | undefined {
  const input = cloneJson(mapped.base);
  const sweep: JsonObject = {};
  const set = new Set<string>();
  let ok = true;
  for (const a of combo) {
    const why = setKey(input, a.key, cloneJson(a.value));
    if (why) {
      add(src.diag('error', 'E_SWEEP_PATH', a.src, `sweep key \`${a.key}\` cannot be set on shot \`${mapped.shot.id}\`: ${why}`, a.key.startsWith('loras[') ? 'give the shot that many `loras:`' : undefined));
      ok = false;
      continue;
    }
    sweep[a.key] = a.value;
    set.add(keyPointer(a.key));
  }
  if (!ok) return undefined;
  for (const s of mapped.symbolic) {
    if (set.has(s.pointer)) continue;
    const n = typeof input.number_of_frames === 'number' ? input.number_of_frames : 89;
    const segs = splitPointer(s.pointer);
    ((input[segs[0]] as JsonObject[])[Number(segs[1])])[segs[2]] = resolveAt(s.at, n);
  }
  // Seeds: explicit (defaults, input, a sweep) wins; `seed: random` sends none; else the shot's
  // derived seed, shared by all its cells so a sweep compares like with like.
  let seed: number | null;
  if (typeof input.seed === 'number') seed = input.seed;
  else if (m.seed === 'random' || input.seed === null) { delete input.seed; seed = null; }
  else { input.seed = shotSeed; seed = shotSeed; }

  const origin = (pointer: string) => originOf(pointer, combo, mapped);
  let bad = false;
  if (validate && !validate(input)) {
    const where = ` for ${mapped.endpoint}`;
    for (const issue of ajvIssues(validate.errors, { name: (p) => (p ? `\`${fieldName(p)}\`` : 'the input'), where: () => where })) {
      let fix = issue.fix;
      if (issue.code === 'E_MISSING_FIELD') fix ??= missingFix(issue.message);
      const at = origin(issue.pointer);
      add(src.diag('error', issue.code, at.path, `shot \`${mapped.shot.id}\`: ${issue.message}`, fix, { key: issue.key && at.exact }));
      bad = true;
    }
  }
  if (mapped.family) {
    for (const r of ltxRules(mapped.family, mapped.endpoint, input)) {
      add(src.diag(r.severity, r.code, origin(r.pointer).path, `shot \`${mapped.shot.id}\`: ${r.message}`, r.fix));
      if (r.severity === 'error') bad = true;
    }
  }

  const refs: FileRef[] = [];
  const hashed: [string, string][] = [];
  for (const pointer of mediaPointers(mapped.endpoint, input)) {
    const v = getPointer(input, pointer) as string;
    if (!isLocalPath(v)) {
      // fal fetches http(s) and reads data: URIs; `file:` and friends would name a file on this
      // machine that is never uploaded (and a hostile manifest's way of probing for one).
      if (!/^(https?|data):/i.test(v)) {
        add(src.diag('error', 'E_URL_SCHEME', origin(pointer).path, `\`${v.slice(0, 80)}\` uses a URL scheme fal cannot fetch`, 'give an https:// URL, a data: URI, or a path inside the manifest\'s folder'));
        bad = true;
      }
      continue;
    }
    const f = files.get(v);
    if ('error' in f) {
      if (f.error === 'outside' || f.error === 'symlink-outside') {
        add(src.diag('error', 'E_PATH_OUTSIDE', origin(pointer).path, `file \`${v}\` is outside the manifest's folder${f.error === 'symlink-outside' ? ' (through a symlink)' : ''}`, CONFINE_FIX));
        bad = true;
        continue;
      }
      const why = f.error === 'missing' ? 'not found' : f.error === 'directory' ? 'is a directory' : f.error === 'not-a-file' ? 'is not a regular file' : 'cannot be read';
      add(src.diag('error', 'E_FILE_NOT_FOUND', origin(pointer).path, `file \`${v}\` ${why} (looked for ${f.abs})`, 'paths are relative to the manifest\'s folder; URLs and data: URIs pass through'));
      bad = true;
      continue;
    }
    setPointer(input, pointer, f.path);
    refs.push({ pointer, path: f.path, sha256: f.sha256, size: f.size, contentType: f.contentType });
    hashed.push([pointer, `sha256:${f.sha256}`]);
  }
  if (bad) return undefined;

  // Cell id: endpoint + canonical input, local files as their content hash.
  for (const [p, h] of hashed) setPointer(input, p, h);
  const id = sha256Hex(canonicalJson({ endpoint: mapped.endpoint, input })).slice(0, 12);
  for (const r of refs) setPointer(input, r.pointer, r.path);
  const expected = expectedVideo(mapped.endpoint, input);
  return { id, shot: mapped.shot.id, endpoint: mapped.endpoint, input, files: refs, sweep, seed, estimate: estimateCost(mapped.endpoint, expected), expected };
}

function setPointer(input: JsonObject, pointer: string, value: Json): void {
  const segs = splitPointer(pointer);
  let cur: Json = input;
  for (let i = 0; i < segs.length - 1; i++) cur = (cur as JsonObject)[segs[i]];
  (cur as JsonObject)[segs[segs.length - 1]] = value;
}

function missingFix(message: string): string | undefined {
  const field = /`([^`]+)`/.exec(message.slice(message.indexOf('required field')))?.[1];
  const hints: Record<string, string> = { video_url: 'give the shot a reference `video:`', prompt: 'give the shot a `prompt:`', loras: 'give the shot `loras:` (this endpoint requires at least the list)' };
  return field ? hints[field] ?? `set \`${field}\` under the shot's \`input:\` or in \`defaults:\`` : undefined;
}

/** The manifest node that produced the value at an input pointer: a sweep value, a shot field, the shot's input, a default, else the shot. */
function originOf(pointer: string, combo: Assignment[], mapped: MappedShot): { path: string; exact: boolean } {
  for (let i = combo.length - 1; i >= 0; i--) {
    const kp = keyPointer(combo[i].key);
    if (pointer === kp || pointer.startsWith(kp + '/')) return { path: combo[i].src, exact: false };
  }
  let best: string | undefined;
  for (const k of mapped.origins.keys()) if ((pointer === k || pointer.startsWith(k + '/')) && (!best || k.length > best.length)) best = k;
  if (best) return { path: mapped.origins.get(best)! + pointer.slice(best.length), exact: true };
  const sp = `/shots/${mapped.index}`;
  const segs = splitPointer(pointer);
  const inInput = deepest(mapped.shot.input, segs);
  if (inInput) return { path: `${sp}/input${inInput.path}`, exact: inInput.full };
  const inDefaults = deepest(mapped.defaults, segs);
  if (inDefaults) return { path: `/defaults${inDefaults.path}`, exact: inDefaults.full };
  return { path: sp, exact: false };
}

function deepest(obj: unknown, segs: string[]): { path: string; full: boolean } | undefined {
  if (!obj || typeof obj !== 'object' || !segs.length || !(segs[0] in (obj as object))) return undefined;
  let cur: unknown = obj;
  let path = '';
  let n = 0;
  for (const s of segs) {
    if (!cur || typeof cur !== 'object' || !(s in (cur as object))) break;
    cur = (cur as Record<string, unknown>)[s];
    path += '/' + s.replace(/~/g, '~0').replace(/\//g, '~1');
    n++;
  }
  return { path, full: n === segs.length };
}
