import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/index.js';
import { estimateCost, expectedVideo } from '../../src/endpoints/registry.js';
import { sha256Hex, stableStringify } from '../../src/util/stableJson.js';
import type { Cell, JsonObject } from '../../src/types.js';
import { cleanup, LTX23, LTXV, MEDIA, ROOT, tempDir, writeManifest } from '../manifest/_helpers.js';

afterAll(cleanup);

const H23 = `version: 1\nname: t\nendpoint: ${LTX23}\nseed: 1\ndefaults: { resolution: { width: 512, height: 320 }, num_frames: 25 }\n`;
const shot23 = (id: string, more = '', prompt = 'p') => `  - id: ${id}\n    prompt: ${prompt}\n    video: media/reference.mp4\n    loras: [{ path: media/style.safetensors, scale: 0.8, transformer: both }]\n${more}`;

async function plan(yaml: string, opts: { maxCells?: number; dir?: string } = {}) {
  const file = writeManifest(yaml, 'manifest.yaml', opts.dir);
  const r = await loadAndPlan(file, { maxCells: opts.maxCells });
  return { ...r, file };
}

async function cells(yaml: string): Promise<Cell[]> {
  const r = await plan(yaml);
  expect(r.diagnostics.filter((d) => d.severity === 'error'), JSON.stringify(r.diagnostics, null, 1)).toEqual([]);
  return r.plan!.cells;
}

const fileSha = (name: string) => sha256Hex(readFileSync(join(MEDIA, name)));

describe('keyframes', () => {
  it('LTX-2.3: start/mid/end images -> image_url, mid_image_url, end_image_url, as uploads', async () => {
    const [c] = await cells(`${H23}shots:\n${shot23('a', '    keyframes:\n      - { image: media/last.png, at: end }\n      - { image: media/first.png, at: start }\n      - { image: media/mid.png, at: mid }\n')}`);
    expect(c.input).toMatchObject({ image_url: 'media/first.png', mid_image_url: 'media/mid.png', end_image_url: 'media/last.png', video_url: 'media/reference.mp4' });
    expect(c.input.loras).toEqual([{ path: 'media/style.safetensors', scale: 0.8, transformer: 'both' }]);
    const byPointer = Object.fromEntries(c.files.map((f) => [f.pointer, f]));
    expect(Object.keys(byPointer).sort()).toEqual(['/end_image_url', '/image_url', '/loras/0/path', '/mid_image_url', '/video_url']);
    expect(byPointer['/image_url']).toEqual({ pointer: '/image_url', path: 'media/first.png', sha256: fileSha('first.png'), size: readFileSync(join(MEDIA, 'first.png')).length, contentType: 'image/png' });
    expect(byPointer['/video_url'].contentType).toBe('video/mp4');
  });

  it('LTX-Video 0.9.x: image and video conditions at frames, mid/end resolved per cell against number_of_frames', async () => {
    const yaml = `version: 1\nname: t\nendpoint: ${LTXV}\nseed: 1\nshots:\n  - id: a\n    prompt: p\n    keyframes:\n      - { video: media/reference.mp4, at: start, strength: 0.7 }\n      - { image: media/mid.png, at: mid }\n      - { image: media/last.png, at: end, strength: 0.5 }\n      - { image: media/first.png, at: 8 }\n    loras: [{ path: media/style.safetensors, weight_name: w.safetensors, scale: 0.6 }]\n    sweep:\n      matrix:\n        number_of_frames: [25, 97]\n`;
    const [short, long] = await cells(yaml);
    expect(short.input.videos).toEqual([{ video_url: 'media/reference.mp4', start_frame_number: 0, strength: 0.7 }]);
    expect(short.input.images).toEqual([
      { image_url: 'media/mid.png', start_frame_number: 16 },
      { image_url: 'media/last.png', start_frame_number: 24, strength: 0.5 },
      { image_url: 'media/first.png', start_frame_number: 8 },
    ]);
    expect((long.input.images as JsonObject[]).map((i) => i.start_frame_number)).toEqual([48, 96, 8]);
    expect(long.input.loras).toEqual([{ path: 'media/style.safetensors', weight_name: 'w.safetensors', scale: 0.6 }]);
    expect(short.files.map((f) => f.pointer).sort()).toEqual(['/images/0/image_url', '/images/1/image_url', '/images/2/image_url', '/loras/0/path', '/videos/0/video_url']);
    expect(short.estimate.usd).toBe(0.2);
  });

  it('URLs and data URIs pass through untouched and are not uploaded', async () => {
    const [c] = await cells(`${H23}shots:\n  - id: a\n    prompt: p\n    video: https://v3b.fal.media/files/b/clip.mp4\n    loras: [{ path: "https://huggingface.co/x/y/resolve/main/l.safetensors" }]\n    keyframes: [{ image: "data:image/png;base64,iVBORw0KGgo=", at: start }]\n`);
    expect(c.input.video_url).toBe('https://v3b.fal.media/files/b/clip.mp4');
    expect(c.input.image_url).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(c.files).toEqual([]);
  });
});

describe('sweeps', () => {
  it('zip varies axes together', async () => {
    const cs = await cells(`${H23}shots:\n${shot23('a', '    sweep:\n      zip:\n        guidance_scale: [1, 2, 3]\n        num_inference_steps: [10, 20, 30]\n')}`);
    expect(cs.map((c) => [c.input.guidance_scale, c.input.num_inference_steps])).toEqual([[1, 10], [2, 20], [3, 30]]);
    expect(cs[1].sweep).toEqual({ guidance_scale: 2, num_inference_steps: 20 });
  });

  it('multiplies the manifest sweep with each shot sweep; path keys reach into LoRAs', async () => {
    const cs = await cells(`${H23}sweep:\n  matrix:\n    num_frames: [17, 25]\nshots:\n${shot23('a', '    sweep:\n      matrix:\n        loras[0].scale: [0.5, 1.0]\n')}${shot23('b')}`);
    expect(cs.filter((c) => c.shot === 'a').map((c) => [(c.input.loras as JsonObject[])[0].scale, c.input.num_frames])).toEqual([[0.5, 17], [0.5, 25], [1, 17], [1, 25]]);
    expect(cs.filter((c) => c.shot === 'b').map((c) => c.input.num_frames)).toEqual([17, 25]);
  });

  it('seeds: a count derives the same seeds for every shot; a list is used as given', async () => {
    const cs = await cells(`${H23}sweep: { seeds: 3 }\nshots:\n${shot23('a')}${shot23('b', '    sweep: { seeds: [11, 22] }\n')}`);
    const a = cs.filter((c) => c.shot === 'a').map((c) => c.seed);
    expect(new Set(a).size).toBe(3);
    expect(cs.filter((c) => c.shot === 'b').map((c) => c.input.seed)).toEqual([11, 22]);
    const again = await cells(`${H23}sweep: { seeds: 3 }\nshots:\n${shot23('other')}`);
    expect(again.map((c) => c.seed)).toEqual(a);
    const otherSeed = await cells(`${H23.replace('seed: 1', 'seed: 2')}sweep: { seeds: 3 }\nshots:\n${shot23('a')}`);
    expect(otherSeed.map((c) => c.seed)).not.toEqual(a);
  });

  it('every cell gets a concrete seed; the cells of one shot share it unless seeds are swept', async () => {
    const cs = await cells(`${H23}shots:\n${shot23('a', '    sweep:\n      matrix:\n        loras[0].scale: [0.5, 1.0]\n')}${shot23('b')}`);
    for (const c of cs) { expect(typeof c.seed).toBe('number'); expect(c.input.seed).toBe(c.seed); }
    expect(cs[0].seed).toBe(cs[1].seed);
    expect(cs[2].seed).not.toBe(cs[0].seed);
  });

  it('seed: random sends no seed', async () => {
    const cs = await cells(`${H23.replace('seed: 1', 'seed: random')}shots:\n${shot23('a')}`);
    expect(cs[0].seed).toBeNull();
    expect('seed' in cs[0].input).toBe(false);
  });

  it('sample draws N cells from a huge product, deterministically for the manifest seed, without building it', async () => {
    const big = (seed: number) => `${H23.replace('seed: 1', `seed: ${seed}`)}shots:\n${shot23('a', `    sweep:\n      matrix:\n        guidance_scale: [${Array.from({ length: 1000 }, (_, i) => i / 100).join(', ')}]\n        num_inference_steps: [${Array.from({ length: 30 }, (_, i) => i + 1).join(', ')}]\n      seeds: [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]\n      sample: 6\n`)}`;
    const t0 = Date.now();
    const a = await cells(big(1));
    // Building the 30,000,000-cell product would take minutes (or run out of memory); drawing
    // 6 cells takes milliseconds. The bound is loose so a loaded CI machine cannot trip it.
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(a).toHaveLength(6);
    expect(new Set(a.map((c) => c.id)).size).toBe(6);
    expect((await cells(big(1))).map((c) => c.id)).toEqual(a.map((c) => c.id));
    expect((await cells(big(2))).map((c) => c.sweep)).not.toEqual(a.map((c) => c.sweep));
  });

  it('templating fills {{vars}} in prompts, defaults and sweep values', async () => {
    const cs = await cells(`${H23}vars: { who: a dancer, neg: blurry }\ndefaults: { resolution: { width: 512, height: 320 }, num_frames: 25, negative_prompt: "{{neg}}, low quality" }\nshots:\n${shot23('a', '    sweep:\n      matrix:\n        prompt: ["{{who}} spins", "{{ who }} bows"]\n', '"{{who}} waits"')}`.replace(/defaults: \{ resolution: \{ width: 512, height: 320 \}, num_frames: 25 \}\n/, ''));
    expect(cs.map((c) => c.input.prompt)).toEqual(['a dancer spins', 'a dancer bows']);
    expect(cs[0].input.negative_prompt).toBe('blurry, low quality');
  });

  it('defaults merge deeply under a shot; arrays replace', async () => {
    const [c] = await cells(`${H23}shots:\n${shot23('a', '    input: { resolution: { height: 448 } }\n')}`);
    expect(c.input.resolution).toEqual({ width: 512, height: 448 });
    expect(c.expected).toEqual(expectedVideo(LTX23, c.input));
    expect(c.estimate).toEqual(estimateCost(LTX23, c.expected));
  });
});

describe('cell ids', () => {
  const manifest = `${H23}sweep: { seeds: 2 }\nshots:\n${shot23('a', '    keyframes: [{ image: media/first.png, at: start }]\n')}${shot23('b', '    sweep:\n      matrix:\n        loras[0].scale: [0.5, 1.0]\n')}`;

  it('are the sha256 of endpoint + canonical input with local files as their content hash', async () => {
    const [c] = await cells(manifest);
    const input = JSON.parse(JSON.stringify(c.input)) as JsonObject;
    input.video_url = `sha256:${fileSha('reference.mp4')}`;
    input.image_url = `sha256:${fileSha('first.png')}`;
    (input.loras as JsonObject[])[0].path = `sha256:${fileSha('style.safetensors')}`;
    expect(c.id).toBe(sha256Hex(stableStringify({ endpoint: LTX23, input })).slice(0, 12));
    expect(c.id).toMatch(/^[0-9a-f]{12}$/);
  });

  it('are stable: the same manifest gives the same ids in the same order', async () => {
    const one = (await cells(manifest)).map((c) => c.id);
    const two = (await cells(manifest)).map((c) => c.id);
    expect(two).toEqual(one);
    expect(one).toHaveLength(6);
  });

  it('editing one shot changes only its ids', async () => {
    const before = await cells(manifest);
    const after = await cells(manifest.replace('  - id: b\n    prompt: p', '  - id: b\n    prompt: p, at dusk'));
    const ids = (cs: Cell[], shot: string) => cs.filter((c) => c.shot === shot).map((c) => c.id);
    expect(ids(after, 'a')).toEqual(ids(before, 'a'));
    for (const id of ids(after, 'b')) expect(ids(before, 'b')).not.toContain(id);
  });

  it('follow the bytes of local files, not their names', async () => {
    const dir = tempDir();
    const before = (await plan(manifest, { dir })).plan!.cells;
    writeFileSync(join(dir, 'media', 'first.png'), Buffer.concat([readFileSync(join(MEDIA, 'first.png')), Buffer.from([0])]));
    const after = (await plan(manifest, { dir })).plan!.cells;
    expect(after.filter((c) => c.shot === 'a').map((c) => c.id)).not.toEqual(before.filter((c) => c.shot === 'a').map((c) => c.id));
    expect(after.filter((c) => c.shot === 'b').map((c) => c.id)).toEqual(before.filter((c) => c.shot === 'b').map((c) => c.id));
  });

  it('a copy-pasted shot that sends the same request is planned once, with a warning at the copy', async () => {
    const r = await plan(`${H23}defaults: { resolution: { width: 512, height: 320 }, num_frames: 25, seed: 5 }\nshots:\n${shot23('a')}${shot23('a-copy')}`.replace(/defaults: \{ resolution: \{ width: 512, height: 320 \}, num_frames: 25 \}\n/, ''));
    expect(r.plan!.cells.map((c) => c.shot)).toEqual(['a']);
    const w = r.diagnostics.find((d) => d.code === 'W_DUPLICATE_CELL')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toContain('a-copy');
    const lines = readFileSync(r.file, 'utf8').split('\n');
    expect(lines[w.line - 1]).toContain('id: a-copy');
  });
});

describe('plan settings and guards', () => {
  it('carries concurrency, budget and the cell limit', async () => {
    const r = await plan(`${H23}concurrency: 3\nbudget: { max_cost_usd: 4 }\nlimits: { max_cells: 50 }\nshots:\n${shot23('a')}`);
    expect(r.plan!.settings).toEqual({ concurrency: 3, maxCostUsd: 4, maxCells: 50 });
    expect(r.plan!.version).toBe(1);
    expect(r.plan!.manifest.sha256).toBe(sha256Hex(readFileSync(r.file)));
    expect(r.plan!.totals).toEqual({ cells: 1, usd: r.plan!.cells[0].estimate.usd });
  });

  it('refuses an explosion above the default limit and says how to raise it; the option raises it', async () => {
    const yaml = `${H23}shots:\n${shot23('a', `    sweep: { seeds: 6000 }\n`)}`;
    const r = await plan(yaml);
    expect(r.plan).toBeUndefined();
    const e = r.diagnostics.find((d) => d.code === 'E_TOO_MANY_CELLS')!;
    expect(e.message).toContain('6,000 cells, above the limit of 5,000');
    expect(e.fix).toContain('--max-cells 6000');
    expect(e.fix).toContain('max_cells');
    expect((await plan(yaml, { maxCells: 6000 })).plan!.cells).toHaveLength(6000);
  });

  it('warns when the estimate is above the budget', async () => {
    const r = await plan(`${H23}budget: { max_cost_usd: 0.01 }\nsweep: { seeds: 3 }\nshots:\n${shot23('a')}`);
    expect(r.plan).toBeDefined();
    expect(r.diagnostics.map((d) => d.code)).toContain('W_OVER_BUDGET');
  });

  it('warns about the 150-frame cap at 720p-class sizes', async () => {
    const r = await plan(`${H23.replace('defaults: { resolution: { width: 512, height: 320 }, num_frames: 25 }', 'defaults: { resolution: landscape_16_9, num_frames: 241 }')}shots:\n${shot23('a')}`);
    const w = r.diagnostics.find((d) => d.code === 'W_FRAME_CAP')!;
    expect(w.severity).toBe('warning');
    expect(w.message).toContain('145');
    expect(r.plan!.cells[0].expected.numFrames).toBe(145);
  });
});

describe('other endpoints through an OpenAPI file', () => {
  const fixture = join(ROOT, 'test/fixtures/manifests/openapi/other-endpoint.yaml');

  it('validates raw input against the <Name>Input component and plans it', async () => {
    const r = await loadAndPlan(fixture);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.plan!.cells.map((c) => c.input.num_inference_steps)).toEqual([10, 20]);
    expect(r.plan!.cells[0].files.map((f) => f.pointer)).toEqual(['/image_url']);
    expect(r.plan!.cells[0].estimate.basis).toContain('no price known');
  });

  it('reports unknown fields with a fix from the OpenAPI schema', async () => {
    const dir = join(ROOT, 'test/fixtures/manifests/openapi');
    const text = readFileSync(fixture, 'utf8').replace('image_size: landscape_16_9', 'image_sise: landscape_16_9');
    const tmp = join(dir, '.tmp-typo.yaml');
    writeFileSync(tmp, text);
    try {
      const r = await loadAndPlan(tmp);
      const e = r.diagnostics.find((d) => d.code === 'E_UNKNOWN_KEY')!;
      expect(e.fix).toBe('did you mean `image_size`?');
      expect(e.line).toBe(text.split('\n').findIndex((l) => l.includes('image_sise')) + 1);
    } finally {
      (await import('node:fs')).rmSync(tmp);
    }
  });

  it('without a schema, passes input through with a warning', async () => {
    const r = await plan(`version: 1\nname: t\nendpoint: fal-ai/some/model\nshots:\n  - id: a\n    prompt: p\n    input: { anything: 1 }\n`);
    expect(r.plan!.cells[0].input).toMatchObject({ prompt: 'p', anything: 1 });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['W_NO_SCHEMA']);
  });
});

describe('the examples in manifests/', () => {
  it.each([['keyframes.yaml', 3], ['lora-sweep.yaml', 12], ['multiconditioning.yaml', 2]])('%s is valid with %i cells, each with a concrete seed', async (name, n) => {
    const r = await loadAndPlan(join(ROOT, 'manifests', name));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.plan!.cells).toHaveLength(n);
    expect(r.plan!.cells.every((c) => typeof c.seed === 'number')).toBe(true);
    expect(readFileSync(join(ROOT, 'manifests', name), 'utf8').startsWith('# yaml-language-server: $schema=../schemas/manifest.schema.json')).toBe(true);
  });
});

describe('YAML conveniences', () => {
  it('merge keys share a shot between shots', async () => {
    const cs = await cells(`${H23}shots:\n  - &a\n    id: a\n    prompt: p\n    video: media/reference.mp4\n    loras: [{ path: media/style.safetensors, scale: 0.3 }]\n  - <<: *a\n    id: b\n    prompt: q\n`);
    expect(cs.map((c) => [c.shot, c.input.prompt, c.input.video_url, (c.input.loras as JsonObject[])[0].scale])).toEqual([['a', 'p', 'media/reference.mp4', 0.3], ['b', 'q', 'media/reference.mp4', 0.3]]);
  });

  it('an unknown top-level block (an anchor holder) is reported at its line', async () => {
    const r = await plan(`${H23}x-common: &common\n  video: media/reference.mp4\nshots:\n  - <<: *common\n    id: a\n    prompt: p\n    loras: []\n`);
    const e = r.diagnostics.find((d) => d.code === 'E_UNKNOWN_KEY')!;
    expect([e.line, e.column]).toEqual([6, 1]);
  });
});
