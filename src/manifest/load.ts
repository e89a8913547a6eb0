// Loading a manifest: YAML with source locations, the manifest schema, templates, semantic checks.
// Errors are data: every problem comes back as a Diagnostic, all at once.
import type { Diagnostic } from '../types.js';
import type { Manifest } from './model.js';
import { checkManifestSchema } from './schema.js';
import { checkSemantics } from './semantic.js';
import { ManifestSource } from './source.js';
import { applyTemplates } from './template.js';

export interface LoadedManifest {
  source?: ManifestSource;
  /** Set only when the manifest passed every check of this layer (templates applied). */
  manifest?: Manifest;
  diagnostics: Diagnostic[];
}

export function loadManifest(absPath: string, displayPath: string): LoadedManifest {
  const src = ManifestSource.read(displayPath, absPath);
  if (!(src instanceof ManifestSource)) return { diagnostics: [src] };
  const diagnostics = [...src.diagnostics];
  if (diagnostics.some((d) => d.severity === 'error')) return { source: src, diagnostics };
  if (src.value === null || src.value === undefined) {
    diagnostics.push({ severity: 'error', code: 'E_EMPTY_MANIFEST', message: 'the manifest is empty', file: displayPath, line: 1, column: 1, path: '', fix: 'start with `version: 1`, `name:`, `endpoint:` and `shots:` (see manifests/ for examples)' });
    return { source: src, diagnostics };
  }
  diagnostics.push(...checkManifestSchema(src.value, src));
  if (diagnostics.some((d) => d.severity === 'error')) return { source: src, diagnostics };
  const m = src.value as Manifest;
  diagnostics.push(...applyTemplates(m as unknown as Record<string, unknown>, m.vars ?? {}, src));
  diagnostics.push(...checkSemantics(m, src));
  if (diagnostics.some((d) => d.severity === 'error')) return { source: src, diagnostics };
  return { source: src, manifest: m, diagnostics };
}
