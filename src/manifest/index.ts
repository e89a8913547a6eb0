export { loadManifest, type LoadedManifest } from './load.js';
export type { Manifest, Shot, Sweep, Keyframe, Lora, KeyframeAt } from './model.js';
export { ManifestSource, getPointer, joinPointer, splitPointer, type Location } from './source.js';
export { endpointSchema } from './endpointSchema.js';
export { ltxRules, type RuleIssue } from './ltxRules.js';
export { ajvIssues, fieldName, show, type Issue } from './ajvIssues.js';
export { didYouMean } from './didYouMean.js';
export { MANIFEST_SCHEMA_URL } from './schema.js';
