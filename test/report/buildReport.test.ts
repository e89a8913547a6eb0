import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildReport, renderHtml, renderJunit, renderMarkdown } from '../../src/report/index.js';
import type { Lockfile } from '../../src/types.js';
import { toStableFile } from '../../src/util/stableJson.js';
import { IDS, makeFixture } from './_fixtures.js';

const opts = { runDir: '/w/proj/runs/one', lockPath: '/w/proj/harbour.lock.json' };
const schema = JSON.parse(readFileSync(resolve(__dirname, '../../schemas/report.schema.json'), 'utf8'));

describe('buildReport', () => {
  const fx = makeFixture();
  const data = buildReport(fx.lock, fx.journal, opts);
  const cell = (id: string) => data.cells.find((c) => c.id === id)!;

  it('counts cells by status, flags, attempts across runs, and estimates spend', () => {
    expect(data.summary.cells).toBe(13);
    expect(data.summary.counts).toEqual({ succeeded: 12, failed: 1, cancelled: 0, pending: 0 });
    expect(data.summary.flagged).toBe(1);
    // 12 swept cells submitted in r1, the lost one again in r2; the plain shot is cached.
    expect(data.summary.attempts).toBe(13);
    // Completed jobs: 10 in r1 (12 minus the failed and the lost) + 1 in r2; the cached one costs nothing.
    expect(data.summary.spentUsd).toBeCloseTo(11 * 0.3032, 6);
    expect(data.summary.plannedUsd).toBeCloseTo(12 * 0.3032 + 0.2, 6);
  });

  it('derives timings from the request the lockfile kept', () => {
    const lost = cell(IDS.lost);
    expect(lost.timings).toEqual({ queuedMs: 2000, runningMs: 7000, downloadMs: 500, totalMs: 9500 });
    expect(lost.attempts).toBe(2);
    expect(lost.runs).toEqual(['r1', 'r2']);
    expect(lost.errors).toEqual([{ kind: 'lost', message: 'request expired on the server (result older than 1 h)', run: 'r1', requestId: 'req-lost' }]);
    expect(cell(IDS.xss).timings).toEqual({ queuedMs: 2000, runningMs: 5000, downloadMs: 1000, totalMs: 8000 });
  });

  it('keeps fal\'s error detail and everything the lockfile has', () => {
    const failed = cell(IDS.failed);
    expect(failed.error?.detail).toEqual(fx.lock.cells[IDS.failed].error?.detail);
    expect(failed.errors[0]).toMatchObject({ kind: 'validation', status: 422, run: 'r1' });
    expect(failed.video).toBeNull();
    expect(failed.timings).toEqual({ queuedMs: 2000, runningMs: 3000, downloadMs: null, totalMs: 5000 });
    const { video, timings, attempts, errors, runs, cached, grid, ...locked } = cell(IDS.flagged);
    expect(locked).toEqual(fx.lock.cells[IDS.flagged]);
    expect(cell(IDS.plain)).toMatchObject({ cached: true, attempts: 0, runs: [], timings: { queuedMs: null, runningMs: null, downloadMs: null, totalMs: null } });
  });

  it('links videos relative to the report folder, not the lockfile', () => {
    expect(cell(IDS.xss).video).toBe(`../../outputs/harbour/${IDS.xss}.mp4`);
    expect(data.lockfile).toBe('../../harbour.lock.json');
    expect(buildReport(fx.lock, fx.journal, { runDir: '/w/proj', lockPath: '/w/proj/harbour.lock.json' }).cells.find((c) => c.id === IDS.xss)!.video).toBe(`outputs/harbour/${IDS.xss}.mp4`);
    // Outputs inside the run folder (the usual layout) link straight down, not up and back.
    expect(buildReport(fx.lock, fx.journal, { runDir: '/w/proj/outputs', lockPath: '/w/proj/harbour.lock.json' }).cells.find((c) => c.id === IDS.xss)!.video).toBe(`harbour/${IDS.xss}.mp4`);
  });

  it('reports each run with its wall time, a crashed one as unfinished', () => {
    expect(data.runs.map((r) => [r.run, r.status, r.cells])).toEqual([['r1', 'unfinished', 12], ['r2', 'completed', 1]]);
    expect(data.runs[1].wallMs).toBe(11_000);
    expect(data.summary.wallMs).toBe(data.runs[0].wallMs + 11_000);
  });

  it('pivots on the two axes with most values, others as groups; --grid overrides', () => {
    expect(data.grid).toMatchObject({ x: 'seed', y: 'loras[0].path', groups: ['loras[0].scale', 'shot'], chosenBy: 'auto' });
    const g = buildReport(fx.lock, fx.journal, { ...opts, grid: { x: 'loras[0].scale', y: 'seed' } }).grid;
    expect(g).toMatchObject({ x: 'loras[0].scale', y: 'seed', groups: ['loras[0].path', 'shot'], chosenBy: 'option' });
    expect(() => buildReport(fx.lock, fx.journal, { ...opts, grid: { x: 'sead' } })).toThrow(/--grid x=sead: no such axis; the swept axes are `loras\[0\].path`, `loras\[0\].scale`, `seed`, `shot`/);
  });

  it('validates against schemas/report.schema.json', () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const validate = ajv.compile(schema);
    const parsed = JSON.parse(toStableFile(data));
    expect(validate(parsed) ? [] : validate.errors).toEqual([]);
    // The schema is not a rubber stamp.
    parsed.summary.counts.succeeded = -1;
    delete parsed.cells[0].timings;
    expect(validate(parsed)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/summary/counts/succeeded', '/cells/0']));
  });

  it('is a pure function: same inputs in any key order give the same bytes', () => {
    // The live run holds objects in insertion order; a rebuild reads them sorted from disk.
    const reversed = (v: unknown): unknown => Array.isArray(v) ? v.map(reversed)
      : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    const again = buildReport(reversed(fx.lock) as Lockfile, reversed(fx.journal) as typeof fx.journal, opts);
    expect(toStableFile(again)).toBe(toStableFile(data));
    expect(renderHtml(again)).toBe(renderHtml(data));
    expect(renderMarkdown(again)).toBe(renderMarkdown(data));
    expect(renderJunit(again)).toBe(renderJunit(data));
    expect(toStableFile(data)).not.toMatch(/\/w\/proj/);
    expect(renderHtml(data)).not.toMatch(/\/w\/proj/);
  });
});
