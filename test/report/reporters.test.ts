import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReporters, loadRunFolder, ReporterMultiplexer } from '../../src/report/index.js';
import type { Reporter, RunEnd } from '../../src/types.js';
import { IDS, makeFixture, writeRunFolder } from './_fixtures.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/shotlist.js');
const tmp = mkdtempSync(join(tmpdir(), 'shotlist-reporters-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FILES = ['report.json', 'report.html', 'report.md', 'junit.xml'];

function shotlist(args: string[], cwd = tmp) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function liveEnd(dir: string): Promise<RunEnd> {
  const folder = await loadRunFolder(dir);
  return { status: 'completed', lock: folder.lock, journal: folder.journal, paths: { outDir: dir, journal: folder.journalPath, lockfile: folder.lockPath, manifest: join(dir, '../../harbour.yaml') } };
}

describe('ReporterMultiplexer', () => {
  it('isolates a throwing reporter: the others still run, the error is printed once, failed turns true', async () => {
    const calls: string[] = [];
    const printed: string[] = [];
    const boom: Reporter = { name: 'boom', onCellEnd: () => { throw new Error('disk full'); }, onEnd: () => { throw new Error('still broken'); } };
    const ok: Reporter = { name: 'ok', onCellEnd: (c) => void calls.push(`cell ${c.id}`), onEnd: () => void calls.push('end') };
    const empty: Reporter = { name: 'empty' }; // every hook is optional
    const mux = new ReporterMultiplexer([boom, empty, ok], (l) => printed.push(l));
    expect(mux.failed).toBe(false);
    for (const id of ['a', 'b', 'c']) await mux.onCellEnd({ id } as never, {} as never);
    await mux.onEnd({} as RunEnd);
    expect(calls).toEqual(['cell a', 'cell b', 'cell c', 'end']);
    expect(mux.failed).toBe(true);
    expect(printed).toEqual(['shotlist: reporter `boom` failed in onCellEnd: disk full', 'shotlist: (3 more reporter errors not shown)']);
  });
});

describe('createReporters', () => {
  it('loads a reporter module by path: an object, a factory, or a class', async () => {
    const dir = join(tmp, 'mods');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'obj.mjs'), `export default { name: 'obj', onEnd(end) { globalThis.__seen.push('obj:' + end.status); } };`);
    writeFileSync(join(dir, 'factory.mjs'), `export default async () => ({ onEnd(end) { globalThis.__seen.push('factory:' + end.status); } });`);
    writeFileSync(join(dir, 'klass.mjs'), `export default class { constructor() { this.name = 'klass'; this.tag = 'k'; } onEnd() { globalThis.__seen.push('class:' + this.tag); } }`);
    writeFileSync(join(dir, 'bad.mjs'), `export default 42;`);
    (globalThis as Record<string, unknown>).__seen = [];
    const reporters = await createReporters(['./mods/obj.mjs', './mods/factory.mjs,./mods/klass.mjs'], tmp);
    expect(reporters.map((r) => r.name)).toEqual(['obj', './mods/factory.mjs', 'klass']);
    for (const r of reporters) await r.onEnd?.({ status: 'completed' } as RunEnd);
    expect((globalThis as Record<string, unknown>).__seen).toEqual(['obj:completed', 'factory:completed', 'class:k']);
    await expect(createReporters(['./mods/bad.mjs'], tmp)).rejects.toThrow(/must default-export a reporter object/);
    await expect(createReporters(['./mods/missing.mjs'], tmp)).rejects.toThrow(/reporter `.\/mods\/missing.mjs` could not be loaded/);
    await expect(createReporters(['junitt'], tmp)).rejects.toThrow('unknown reporter `junitt`; use one of json, html, md, junit, summary or a path to a module (./my-reporter.js)');
  });

  it('the summary names counts, spend, failed and flagged cells, and the path to report.html', async () => {
    const dir = writeRunFolder(join(tmp, 'summary'), makeFixture());
    const out: string[] = [];
    const reporters = await createReporters(['summary', 'html'], join(tmp, 'summary'), { write: (t) => out.push(t) });
    expect(reporters.map((r) => r.name)).toEqual(['html', 'summary']);
    const mux = new ReporterMultiplexer(reporters);
    await mux.onEnd(await liveEnd(dir));
    expect(mux.failed).toBe(false);
    const text = out.join('');
    expect(text).toMatch(/^13 cells: 12 succeeded, 1 failed, 1 flagged · est\. spend \$3\.34 \(emulator: nothing billed\) · wall /);
    expect(text).toContain(`failed  ${IDS.failed} harbour loras[0].path=loras/a.safetensors, loras[0].scale=0.5, seed=2: validation: num_frames: ensure this value is <= 257`);
    expect(text).toContain(`flagged ${IDS.flagged} harbour`);
    expect(text.trimEnd().split('\n').at(-1)).toBe('report: runs/one/report.html');
  });
});

describe('shotlist report <dir>', () => {
  it('rebuilds byte-identical files to the ones the live reporters wrote', async () => {
    const root = join(tmp, 'rebuild');
    const dir = writeRunFolder(root, makeFixture());
    const mux = new ReporterMultiplexer(await createReporters(['json', 'html', 'md', 'junit'], root));
    await mux.onEnd(await liveEnd(dir));
    const live = FILES.map((f) => readFileSync(join(dir, f), 'utf8'));
    for (const f of FILES) rmSync(join(dir, f));
    const r = shotlist(['report', 'runs/one'], root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('report: runs/one/report.html');
    expect(FILES.map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(live);
  });

  it('--grid picks the axes; --reporter limits the files', () => {
    const root = join(tmp, 'grid');
    const dir = writeRunFolder(root, makeFixture());
    const r = shotlist(['report', dir, '--grid', 'x=loras[0].scale,y=seed', '--reporter', 'json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('wrote ');
    const data = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(data.grid).toMatchObject({ x: 'loras[0].scale', y: 'seed', chosenBy: 'option' });
    expect(() => readFileSync(join(dir, 'report.html'))).toThrow();
  });

  it.each([
    [['report', 'nowhere'], 'shotlist: nowhere has no journal.jsonl; give the run folder `shotlist run` wrote (its --out)'],
    [['report'], 'shotlist: report takes one run folder, got 0'],
    [['report', 'runs/one', '--grid', 'x=sead'], 'shotlist: --grid x=sead: no such axis; the swept axes are `loras[0].path`, `loras[0].scale`, `seed`, `shot`'],
    [['report', 'runs/one', '--grid', 'seed'], 'shotlist: --grid seed: expected x=AXIS,y=AXIS'],
    [['report', 'runs/one', '--reporter', 'pdf'], 'shotlist: unknown reporter `pdf`'],
  ])('exits 2 with a clear message: %j', (args, message) => {
    const root = join(tmp, 'usage');
    writeRunFolder(root, makeFixture());
    const r = shotlist(args, root);
    expect(r.status).toBe(2);
    expect(r.stderr.startsWith(message)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 1 when a module reporter throws, after writing the other reports', () => {
    const root = join(tmp, 'throws');
    const dir = writeRunFolder(root, makeFixture());
    writeFileSync(join(root, 'bad.mjs'), `export default { name: 'bad', onEnd() { throw new Error('webhook unreachable'); } };`);
    const r = shotlist(['report', dir, '--reporter', './bad.mjs', '--reporter', 'md'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('shotlist: reporter `bad` failed in onEnd: webhook unreachable\n');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('## shotlist: harbour.yaml');
  });
});
