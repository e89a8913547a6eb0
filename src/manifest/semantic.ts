// Checks the schema cannot express: unique shot ids, one of image/video per keyframe, an endpoint
// for every shot, zip lists of equal length, axes swept twice, seeds that need a manifest seed.
import type { Diagnostic } from '../types.js';
import { fieldName } from './ajvIssues.js';
import type { Manifest, Sweep } from './model.js';
import type { ManifestSource } from './source.js';

/** `skip`: shots that already failed the manifest schema (their fields may have any type). */
export function checkSemantics(m: Manifest, src: ManifestSource, skip: ReadonlySet<number> = new Set()): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const firstById = new Map<string, number>();
  m.shots.forEach((shot, i) => {
    if (skip.has(i)) return;
    const first = firstById.get(shot.id);
    if (first !== undefined) {
      const at = src.locate(`/shots/${first}/id`);
      diags.push(src.diag('error', 'E_DUPLICATE_SHOT_ID', `/shots/${i}/id`, `duplicate shot id \`${shot.id}\` (first used by shots[${first}] at line ${at.line})`, `rename it, e.g. \`${shot.id}-2\``));
    } else firstById.set(shot.id, i);

    if (!shot.endpoint && !m.endpoint) {
      diags.push(src.diag('error', 'E_NO_ENDPOINT', `/shots/${i}`, `shot \`${shot.id}\` has no endpoint`, 'set `endpoint:` at the top of the manifest or on the shot'));
    }
    shot.keyframes?.forEach((kf, k) => {
      const p = `/shots/${i}/keyframes/${k}`;
      if (kf.image !== undefined && kf.video !== undefined) diags.push(src.diag('error', 'E_KEYFRAME_SHAPE', `${p}/video`, `keyframe ${fieldName(p)} has both \`image\` and \`video\``, 'give exactly one of them; use two keyframes for two conditions'));
      else if (kf.image === undefined && kf.video === undefined) diags.push(src.diag('error', 'E_KEYFRAME_SHAPE', p, `keyframe ${fieldName(p)} has neither \`image\` nor \`video\``, 'add `image: path/to/frame.png`'));
    });
    if (shot.sweep) {
      diags.push(...checkSweep(shot.sweep, `/shots/${i}/sweep`, m, src));
      if (m.sweep) {
        const outer = new Set(axesOf(m.sweep));
        for (const [axis, p] of axesWithPaths(shot.sweep, `/shots/${i}/sweep`)) {
          if (outer.has(axis)) diags.push(src.diag('error', 'E_SWEEP_AXIS_TWICE', p, `\`${axis}\` is swept both by the manifest-level sweep and by shot \`${shot.id}\``, 'sweep it in one place (a shot\'s `seeds` may replace the manifest\'s, other axes may not)', { key: true }));
        }
      }
    }
  });
  if (m.sweep) diags.push(...checkSweep(m.sweep, '/sweep', m, src));
  return diags;
}

function checkSweep(s: Sweep, base: string, m: Manifest, src: ManifestSource): Diagnostic[] {
  const diags: Diagnostic[] = [];
  if (typeof s.seeds === 'number' && m.seed === 'random') {
    diags.push(src.diag('error', 'E_SEEDS_NEED_SEED', `${base}/seeds`, '`seeds: <count>` derives seeds from the manifest seed, but the manifest says `seed: random`', 'give an integer `seed:` or list the seeds explicitly, e.g. `seeds: [1, 2, 3]`'));
  }
  if (s.zip) {
    const entries = Object.entries(s.zip);
    const n = entries[0]?.[1].length;
    for (const [k, v] of entries.slice(1)) {
      if (v.length !== n) diags.push(src.diag('error', 'E_ZIP_LENGTH', `${base}/zip/${k}`, `zip list \`${k}\` has ${v.length} values but \`${entries[0][0]}\` has ${n}`, 'zip lists vary together, so they must be the same length'));
    }
    const matrixAxes = new Set(Object.keys(s.matrix ?? {}).filter((k) => k !== 'include' && k !== 'exclude'));
    for (const [k] of entries) if (matrixAxes.has(k)) diags.push(src.diag('error', 'E_SWEEP_AXIS_TWICE', `${base}/zip/${k}`, `\`${k}\` is both a matrix axis and a zip list`, 'keep it in one of them', { key: true }));
  }
  // GitHub refuses an exclude key that is not an axis of its matrix; it could never match.
  const axes = Object.keys(s.matrix ?? {}).filter((k) => k !== 'include' && k !== 'exclude');
  ((s.matrix?.exclude as Record<string, unknown>[] | undefined) ?? []).forEach((ex, n) => {
    for (const k of Object.keys(ex)) {
      if (!axes.includes(k)) diags.push(src.diag('error', 'E_EXCLUDE_UNKNOWN_AXIS', `${base}/matrix/exclude/${n}/${k}`, `exclude key \`${k}\` is not an axis of this matrix, so the entry can never match`, axes.length ? `axes here: ${axes.join(', ')}` : 'an exclude needs matrix axes', { key: true }));
    }
  });
  const hasSeedAxis = s.matrix && 'seed' in s.matrix || s.zip && 'seed' in s.zip;
  if (hasSeedAxis && s.seeds !== undefined) diags.push(src.diag('error', 'E_SWEEP_AXIS_TWICE', `${base}/seeds`, '`seed` is swept both as an axis and by `seeds`', 'keep one of them', { key: true }));
  return diags;
}

/** Axis keys of a sweep, except seeds (a shot's `seeds` may replace the manifest's). */
function axesOf(s: Sweep): string[] {
  return axesWithPaths(s, '').map(([a]) => a);
}

function axesWithPaths(s: Sweep, base: string): [string, string][] {
  const out: [string, string][] = [];
  for (const k of Object.keys(s.matrix ?? {})) if (k !== 'include' && k !== 'exclude') out.push([k, `${base}/matrix/${k}`]);
  for (const k of Object.keys(s.zip ?? {})) out.push([k, `${base}/zip/${k}`]);
  return out;
}
