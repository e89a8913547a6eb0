// Table-driven: every invalid manifest must fail with a diagnostic of the right code, pointing at
// the exact line and column marked `@@` in the YAML (the marker is stripped before loading).
import { afterAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/index.js';
import { cleanup, LTX23, LTXV, marked, writeManifest } from './_helpers.js';

afterAll(cleanup);

const H23 = `version: 1\nname: t\nendpoint: ${LTX23}\nseed: 1\n`;
const HV = `version: 1\nname: t\nendpoint: ${LTXV}\nseed: 1\n`;
/** A valid LTX-2.3 shot; `more` is appended at shot indentation. */
const shot23 = (more = '', id = 'a') => `  - id: ${id}\n    prompt: p\n    video: media/reference.mp4\n    loras: [{ path: media/style.safetensors }]\n${more}`;
const shotV = (more = '', id = 'a') => `  - id: ${id}\n    prompt: p\n${more}`;

const cases: [string, string, string][] = [
  ['YAML syntax error: unclosed flow list', 'E_YAML_SYNTAX', `${H23}shots: [\n  { id: a }\n@@`],
  ['YAML tab indentation', 'E_YAML_SYNTAX', `${H23}shots:\n  - id: a\n@@\tprompt: x\n`],
  ['YAML duplicate key', 'E_DUPLICATE_KEY', `${H23}@@seed: 2\nshots:\n${shot23()}`],
  ['unquoted brackets in a flow map key', 'E_YAML_SYNTAX', `${H23}shots:\n${shot23(`    sweep:\n      matrix:\n        exclude: [{ loras@@[0].scale: 1 }]\n`)}`],
  ['empty manifest', 'E_EMPTY_MANIFEST', `@@# nothing here\n`],
  ['wrong version', 'E_INVALID_VALUE', `version: @@2\nname: t\nendpoint: ${LTX23}\nshots:\n${shot23()}`],
  ['missing name', 'E_MISSING_FIELD', `@@version: 1\nendpoint: ${LTX23}\nshots:\n${shot23()}`],
  ['name not safe as a folder', 'E_INVALID_VALUE', `version: 1\nname: @@my shots/v1\nendpoint: ${LTX23}\nshots:\n${shot23()}`],
  ['unknown top-level key (typo)', 'E_UNKNOWN_KEY', `${H23}@@shot:\n${shot23()}`],
  ['seed of the wrong type', 'E_INVALID_VALUE', `version: 1\nname: t\nendpoint: ${LTX23}\nseed: @@lucky\nshots:\n${shot23()}`],
  ['concurrency below 1', 'E_OUT_OF_RANGE', `${H23}concurrency: @@0\nshots:\n${shot23()}`],
  ['unknown key in budget', 'E_UNKNOWN_KEY', `${H23}budget: { @@max_cost: 3 }\nshots:\n${shot23()}`],
  ['no shots', 'E_TOO_FEW_ITEMS', `${H23}shots: @@[]\n`],
  ['shot id with a slash', 'E_INVALID_VALUE', `${H23}shots:\n  - id: @@a/b\n    prompt: p\n`],
  ['duplicate shot id', 'E_DUPLICATE_SHOT_ID', `${H23}shots:\n${shot23()}  - id: @@a\n    prompt: q\n`],
  ['unknown shot key (typo)', 'E_UNKNOWN_KEY', `${H23}shots:\n${shot23('    @@promt: hello\n')}`],
  ['prompt of the wrong type', 'E_WRONG_TYPE', `${H23}shots:\n  - id: a\n    prompt: @@[1, 2]\n`],
  ['keyframe at an unknown position', 'E_INVALID_VALUE', `${H23}shots:\n${shot23('    keyframes:\n      - { image: media/first.png, at: @@middle }\n')}`],
  ['keyframe with image and video', 'E_KEYFRAME_SHAPE', `${H23}shots:\n${shot23('    keyframes:\n      - image: media/first.png\n        video: @@media/reference.mp4\n        at: start\n')}`],
  ['keyframe with neither image nor video', 'E_KEYFRAME_SHAPE', `${H23}shots:\n${shot23('    keyframes:\n      - @@{ at: start }\n')}`],
  ['LoRA without a path', 'E_MISSING_FIELD', `${H23}shots:\n  - id: a\n    prompt: p\n    loras:\n      - @@{ scale: 1 }\n`],
  ['matrix axis that is not a list', 'E_WRONG_TYPE', `${H23}shots:\n${shot23('    sweep:\n      matrix:\n        num_frames: @@25\n')}`],
  ['sweep key written with a dot index', 'E_INVALID_KEY', `${H23}shots:\n${shot23('    sweep:\n      matrix:\n        @@loras.0.scale: [0.5, 1]\n')}`],
  ['zip lists of different lengths', 'E_ZIP_LENGTH', `${H23}shots:\n${shot23('    sweep:\n      zip:\n        guidance_scale: [1, 2]\n        num_inference_steps: @@[10, 20, 30]\n')}`],
  ['unknown template var', 'E_UNKNOWN_VAR', `${H23}vars: { subject: a cat }\nshots:\n  - id: a\n    prompt: "a @@{{subjet}} runs"\n    video: media/reference.mp4\n    loras: []\n`],
  ['seed count with seed: random', 'E_SEEDS_NEED_SEED', `version: 1\nname: t\nendpoint: ${LTX23}\nseed: random\nsweep:\n  seeds: @@3\nshots:\n${shot23()}`],
  ['axis swept at manifest and shot level', 'E_SWEEP_AXIS_TWICE', `${H23}sweep:\n  matrix:\n    num_frames: [17, 25]\nshots:\n${shot23('    sweep:\n      matrix:\n        @@num_frames: [33]\n')}`],
  ['no endpoint anywhere', 'E_NO_ENDPOINT', `version: 1\nname: t\nshots:\n  - @@id: a\n    prompt: p\n`],
  ['unknown endpoint field in defaults (typo)', 'E_UNKNOWN_KEY', `${H23}defaults:\n  @@num_frame: 121\nshots:\n${shot23()}`],
  ['num_frames not 8n+1 in a matrix value', 'E_FRAMES_NOT_8N1', `${H23}shots:\n${shot23('    sweep:\n      matrix:\n        num_frames: [25, @@120]\n')}`],
  ['custom width not 64-aligned', 'E_SIZE_NOT_ALIGNED', `${H23}defaults:\n  resolution: { width: @@500, height: 320 }\nshots:\n${shot23()}`],
  ['end keyframe without a first', 'E_KEYFRAME_NEEDS_FIRST', `${H23}shots:\n${shot23('    keyframes:\n      - { image: @@media/last.png, at: end }\n')}`],
  ['four LoRAs on LTX-2.3', 'E_TOO_MANY_LORAS', `${H23}shots:\n  - id: a\n    prompt: p\n    video: media/reference.mp4\n    loras:\n      - { path: media/style.safetensors }\n      - { path: media/style.safetensors }\n      - { path: media/style.safetensors }\n      - @@{ path: media/style.safetensors }\n`],
  ['preserve_original_video without a control video', 'E_CONTROL_DEPENDENCY', `${H23}shots:\n${shot23('    input: { preserve_original_video: @@true, skip_control_preprocess: true }\n')}`],
  ['LoRA scale out of range in an include entry', 'E_OUT_OF_RANGE', `${H23}shots:\n${shot23('    sweep:\n      matrix:\n        loras[0].scale: [0.5]\n        include:\n          - loras[0].scale: @@9\n            guidance_scale: 2\n')}`],
  ['missing keyframe file', 'E_FILE_NOT_FOUND', `${H23}shots:\n${shot23('    keyframes:\n      - { image: @@media/nope.png, at: start }\n')}`],
  ['video keyframe on LTX-2.3', 'E_UNSUPPORTED_BY_ENDPOINT', `${H23}shots:\n${shot23('    keyframes:\n      - { video: @@media/reference.mp4, at: start }\n')}`],
  ['frame-number keyframe on LTX-2.3', 'E_UNSUPPORTED_BY_ENDPOINT', `${H23}shots:\n${shot23('    keyframes:\n      - { image: media/first.png, at: @@16 }\n')}`],
  ['two keyframes at the same place on LTX-2.3', 'E_KEYFRAME_DUPLICATE', `${H23}shots:\n${shot23('    keyframes:\n      - { image: media/first.png, at: start }\n      - { image: media/mid.png, at: @@start }\n')}`],
  ['0.9.x keyframe not on a multiple of 8', 'E_KEYFRAME_NOT_MULTIPLE_OF_8', `${HV}defaults: { number_of_frames: 25 }\nshots:\n${shotV('    keyframes:\n      - { image: media/first.png, at: @@12 }\n')}`],
  ['0.9.x keyframe outside the clip', 'E_KEYFRAME_OUTSIDE_CLIP', `${HV}defaults: { number_of_frames: 25 }\nshots:\n${shotV('    keyframes:\n      - { image: media/first.png, at: @@96 }\n')}`],
  ['shot video on 0.9.x', 'E_UNSUPPORTED_BY_ENDPOINT', `${HV}shots:\n${shotV('    video: @@media/reference.mp4\n')}`],
  ['LoRA transformer on 0.9.x', 'E_UNSUPPORTED_BY_ENDPOINT', `${HV}shots:\n${shotV('    loras:\n      - { path: media/style.safetensors, transformer: @@both }\n')}`],
  ['0.9.x number_of_frames not 8n+1', 'E_FRAMES_NOT_8N1', `${HV}shots:\n${shotV('    input: { number_of_frames: @@30 }\n')}`],
  ['sweep path to a LoRA the shot lacks', 'E_SWEEP_PATH', `${H23}shots:\n${shot23('    sweep:\n      matrix:\n        loras[1].scale: [@@0.5]\n')}`],
  ['plan above max_cells', 'E_TOO_MANY_CELLS', `${H23}limits: { max_cells: @@2 }\nshots:\n${shot23('    sweep: { seeds: 3 }\n')}`],
  ['LTX-2.3 shot without a reference video', 'E_MISSING_FIELD', `${H23}shots:\n  - @@id: a\n    prompt: p\n    loras: []\n`],
  ['enum value typo in defaults', 'E_INVALID_VALUE', `${HV}defaults: { resolution: @@720 }\nshots:\n${shotV()}`],
  ['missing OpenAPI file for another endpoint', 'E_ENDPOINT_SCHEMA', `version: 1\nname: t\nendpoint: fal-ai/other/model\nendpoint_schemas:\n  fal-ai/other/model: @@missing.openapi.json\nshots:\n  - id: a\n    prompt: p\n`],
  ['negative seed in a seeds list', 'E_OUT_OF_RANGE', `${H23}shots:\n${shot23('    sweep: { seeds: [1, @@-2] }\n')}`],
];

describe('invalid manifests point at the offending node', () => {
  it('has at least 30 distinct cases', () => {
    expect(new Set(cases.map((c) => c[0])).size).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s -> %s', async (_name, code, yaml) => {
    const { text, line, column } = marked(yaml);
    const file = writeManifest(text);
    const { plan, diagnostics } = await loadAndPlan(file);
    expect(plan).toBeUndefined();
    const hit = diagnostics.find((d) => d.code === code);
    expect(hit, `expected ${code}, got:\n${diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`).toBeDefined();
    expect({ line: hit!.line, column: hit!.column }).toEqual({ line, column });
    expect(hit!.file).toBeTruthy();
    expect(hit!.message.length).toBeGreaterThan(10);
  });
});
