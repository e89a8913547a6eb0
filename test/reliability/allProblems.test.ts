// Validation reports every problem at once: a template error stops only the string (and the
// shot) that uses it; the other shots are still expanded and checked against their endpoint
// schema, the LTX rules and the files on disk.
import { afterAll, describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/plan/index.js';
import { cleanup, LTX23, writeManifest } from '../manifest/_helpers.js';

afterAll(cleanup);

const head = `version: 1\nname: t\nendpoint: ${LTX23}\nseed: 1\nvars: { subject: a cat }\n`;
const shot = (id: string, more = '', prompt = 'p') =>
  `  - id: ${id}\n    prompt: "${prompt}"\n    video: media/reference.mp4\n    loras: [{ path: media/style.safetensors }]\n${more}`;

function codes(ds: { code: string; line: number }[]): string[] {
  return ds.map((d) => `${d.code}@${d.line}`);
}

describe('validation reports all problems at once', () => {
  it('an unknown {{var}} in one shot does not hide other shots\' unknown keys, missing files and LTX rule errors', async () => {
    const yaml = head + 'shots:\n' +
      shot('a', '', 'a {{subjet}} runs') +                                          // prompt on line 8: unknown var
      shot('b', '    input: { num_frame: 121 }\n') +                               // unknown endpoint key
      shot('c', '    keyframes:\n      - { image: media/nope.png, at: start }\n') + // missing file
      shot('d', '    input: { num_frames: 120 }\n');                               // LTX rule: 8n+1
    const { plan, diagnostics } = await loadAndPlan(writeManifest(yaml));
    expect(plan).toBeUndefined();
    const got = codes(diagnostics);
    expect(got).toContain('E_UNKNOWN_VAR@8');
    expect(diagnostics.some((d) => d.code === 'E_UNKNOWN_KEY' && d.message.includes('num_frame')), got.join(' ')).toBe(true);
    expect(diagnostics.some((d) => d.code === 'E_FILE_NOT_FOUND' && d.message.includes('nope.png')), got.join(' ')).toBe(true);
    expect(diagnostics.some((d) => d.code === 'E_FRAMES_NOT_8N1'), got.join(' ')).toBe(true);
  });

  it('a template error in a file path does not add a follow-on "file not found" for the same string', async () => {
    const yaml = head + 'shots:\n' + shot('a', '    keyframes:\n      - { image: "media/{{dir}}/first.png", at: start }\n') + shot('b', '    input: { num_frames: 120 }\n');
    const { diagnostics } = await loadAndPlan(writeManifest(yaml));
    const got = codes(diagnostics);
    expect(got.filter((c) => c.startsWith('E_UNKNOWN_VAR'))).toHaveLength(1);
    expect(diagnostics.some((d) => d.code === 'E_FILE_NOT_FOUND'), got.join(' ')).toBe(false);
    expect(diagnostics.some((d) => d.code === 'E_FRAMES_NOT_8N1'), got.join(' ')).toBe(true);
  });

  it('a template error in defaults still lets every shot be checked', async () => {
    const yaml = head + 'defaults: { prompt: "{{nothing}}" }\nshots:\n' + shot('a', '    input: { num_frames: 120 }\n') + shot('b', '    input: { num_frame: 121 }\n');
    const { diagnostics } = await loadAndPlan(writeManifest(yaml));
    const got = codes(diagnostics);
    expect(got.filter((c) => c.startsWith('E_UNKNOWN_VAR'))).toHaveLength(1);
    expect(diagnostics.some((d) => d.code === 'E_FRAMES_NOT_8N1'), got.join(' ')).toBe(true);
    expect(diagnostics.some((d) => d.code === 'E_UNKNOWN_KEY'), got.join(' ')).toBe(true);
  });

  it('a duplicate shot id does not hide the other shots\' endpoint errors', async () => {
    const yaml = head + 'shots:\n' + shot('a') + shot('a') + shot('c', '    input: { num_frames: 120 }\n');
    const { diagnostics } = await loadAndPlan(writeManifest(yaml));
    const got = codes(diagnostics);
    expect(got.some((c) => c.startsWith('E_DUPLICATE_SHOT_ID')), got.join(' ')).toBe(true);
    expect(diagnostics.some((d) => d.code === 'E_FRAMES_NOT_8N1'), got.join(' ')).toBe(true);
  });

  it('a schema error inside one shot (a typo\'d key, a wrong type) does not hide the other shots\' problems', async () => {
    const yaml = head + 'shots:\n' + shot('a', '    promt: hello\n') + '  - id: b\n    prompt: [1, 2]\n' + shot('c', '    input: { num_frames: 120 }\n');
    const { diagnostics } = await loadAndPlan(writeManifest(yaml));
    const got = codes(diagnostics);
    expect(got.some((c) => c.startsWith('E_UNKNOWN_KEY')), got.join(' ')).toBe(true);
    expect(got.some((c) => c.startsWith('E_WRONG_TYPE')), got.join(' ')).toBe(true);
    expect(diagnostics.some((d) => d.code === 'E_FRAMES_NOT_8N1'), got.join(' ')).toBe(true);
  });

  it('an error outside the shots (top level) still stops before expansion, without crashing', async () => {
    const yaml = `version: 1\nname: t\nendpoint: ${LTX23}\nseed: lucky\nshots:\n` + shot('c', '    input: { num_frames: 120 }\n');
    const { plan, diagnostics } = await loadAndPlan(writeManifest(yaml));
    expect(plan).toBeUndefined();
    expect(codes(diagnostics)).toEqual(['E_INVALID_VALUE@4']);
  });
});
