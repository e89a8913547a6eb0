// Loading a manifest: YAML with source locations, the manifest schema, templates, semantic checks.
// Errors are data: every problem comes back as a Diagnostic, all at once. A problem confined to
// one shot (or to one templated string) does not hide the rest: the loader hands back a
// `partial` manifest that the planner still expands, skipping only what is broken, so
// `shotlist validate` lists the other shots' endpoint, file and LTX problems in the same pass.
import type { Diagnostic } from '../types.js';
import type { Manifest } from './model.js';
import { guardValue } from './guards.js';
import { checkManifestSchema } from './schema.js';
import { checkSemantics } from './semantic.js';
import { ManifestSource, splitPointer } from './source.js';
import { applyTemplates } from './template.js';

export interface PartialManifest {
  manifest: Manifest;
  /** Shots with their own errors: not expanded (their fields may not even have the right types). */
  skipShots: Set<number>;
  /** Pointers of strings with an unknown `{{var}}`: later problems found there are follow-ons, not news. */
  tainted: string[];
}

export interface LoadedManifest {
  source?: ManifestSource;
  /** Set only when the manifest passed every check of this layer (templates applied). */
  manifest?: Manifest;
  /** Set when there are errors, but all of them sit inside shots or templated strings: expand it for more diagnostics, never run it. */
  partial?: PartialManifest;
  diagnostics: Diagnostic[];
}

const isError = (d: Diagnostic) => d.severity === 'error';

/** The shot index an error belongs to, or -1 when it is not inside one shot. */
function shotOf(d: Diagnostic): number {
  const segs = splitPointer(d.path);
  return segs[0] === 'shots' && segs.length >= 2 && /^\d+$/.test(segs[1]) ? Number(segs[1]) : -1;
}

export function loadManifest(absPath: string, displayPath: string): LoadedManifest {
  const src = ManifestSource.read(displayPath, absPath);
  if (!(src instanceof ManifestSource)) return { diagnostics: [src] };
  const diagnostics = [...src.diagnostics];
  if (diagnostics.some(isError)) return { source: src, diagnostics };
  if (src.value === null || src.value === undefined) {
    diagnostics.push({ severity: 'error', code: 'E_EMPTY_MANIFEST', message: 'the manifest is empty', file: displayPath, line: 1, column: 1, path: '', fix: 'start with `version: 1`, `name:`, `endpoint:` and `shots:` (see manifests/ for examples)' });
    return { source: src, diagnostics };
  }
  for (const g of guardValue(src.value)) diagnostics.push(src.diag('error', g.code, g.pointer, g.message, g.fix));
  if (diagnostics.some(isError)) return { source: src, diagnostics };
  const skipShots = new Set<number>();
  const schemaDiags = checkManifestSchema(src.value, src);
  diagnostics.push(...schemaDiags);
  for (const d of schemaDiags.filter(isError)) {
    const i = shotOf(d);
    // An error outside the shots (top level, defaults, sweep) leaves nothing safe to expand.
    if (i < 0) return { source: src, diagnostics };
    skipShots.add(i);
  }
  const m = src.value as Manifest;
  const templateDiags = applyTemplates(m as unknown as Record<string, unknown>, m.vars ?? {}, src);
  diagnostics.push(...templateDiags);
  const semanticDiags = checkSemantics(m, src, skipShots);
  diagnostics.push(...semanticDiags);
  if (!diagnostics.some(isError)) return { source: src, manifest: m, diagnostics };
  for (const d of semanticDiags.filter(isError)) {
    const i = shotOf(d);
    if (i < 0) return { source: src, diagnostics };
    skipShots.add(i);
  }
  return { source: src, diagnostics, partial: { manifest: m, skipShots, tainted: templateDiags.filter(isError).map((d) => d.path) } };
}
