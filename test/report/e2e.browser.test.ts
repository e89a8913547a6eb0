// End to end: `shotlist run --emulator` on an example manifest (its prompt made hostile), then
// its report.html in Chromium, and `shotlist report <dir>` rebuilding the same bytes.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import type { Browser } from 'playwright-core';
import { validateXML } from 'xmllint-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/types.js';
import { stableStringify } from '../../src/util/stableJson.js';
import { launchChromium } from './_browser.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/shotlist.js');
const WORK = join(ROOT, 'test/.tmp/report-e2e');
const ARTIFACTS = join(ROOT, 'test/artifacts');
const RUN_DIR = join(WORK, 'runs/lora-sweep');
const FILES = ['report.json', 'report.html', 'report.md', 'junit.xml'];
const HOSTILE = 'a dancer <script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> spins';

function shotlist(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: WORK, encoding: 'utf8', env: { ...process.env, FAL_KEY: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let browser: Browser;
beforeAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  cpSync(join(ROOT, 'manifests/media'), join(WORK, 'media'), { recursive: true });
  const manifest = readFileSync(join(ROOT, 'manifests/lora-sweep.yaml'), 'utf8').replace(/^(\s+prompt: ).*$/m, `$1${JSON.stringify(HOSTILE)}`);
  expect(manifest).toContain('window.__xss=2');
  writeFileSync(join(WORK, 'sweep.yaml'), manifest);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(WORK, { recursive: true, force: true });
});

describe('report of an emulator run', () => {
  it('is written by the run, rebuilt byte for byte, valid, and reads right in Chromium', async () => {
    const run = shotlist('run', 'sweep.yaml', '--emulator', '--yes');
    expect(run.stderr).not.toMatch(/internal error|reporter .* failed/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^12 cells: 12 succeeded · est\. spend \$0\.14 \(emulator: nothing billed\) · wall /m);
    expect(run.stdout).toContain('report: runs/lora-sweep/report.html');

    // Rebuilt from the journal and lockfile alone: the same bytes.
    const live = FILES.map((f) => readFileSync(join(RUN_DIR, f), 'utf8'));
    for (const f of FILES) rmSync(join(RUN_DIR, f));
    const rebuilt = shotlist('report', 'runs/lora-sweep');
    expect(rebuilt.status).toBe(0);
    expect(FILES.map((f) => readFileSync(join(RUN_DIR, f), 'utf8'))).toEqual(live);

    const report = JSON.parse(live[0]);
    const validate = new Ajv2020.default({ strict: true }).compile(JSON.parse(readFileSync(join(ROOT, 'schemas/report.schema.json'), 'utf8')));
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    const junit = await validateXML({ xml: [{ fileName: 'junit.xml', contents: live[3] }], schema: [readFileSync(join(__dirname, 'junit.xsd'), 'utf8')] });
    expect(junit.errors).toEqual([]);

    // The grid, from the plan: the two axes with most values are x and y, the rest groups.
    const plan = JSON.parse(shotlist('plan', 'sweep.yaml', '--json').stdout) as Plan;
    const axes = new Map<string, Set<string>>();
    for (const c of plan.cells) for (const [k, v] of Object.entries(c.sweep)) axes.set(k, (axes.get(k) ?? new Set()).add(stableStringify(v)));
    const ranked = [...axes.entries()].filter(([, v]) => v.size > 1).sort((a, b) => b[1].size - a[1].size || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
    const [x, y, ...groups] = ranked;
    expect(report.grid).toMatchObject({ x, y, groups });

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network: ${r.url()}`); });
    await page.goto(pathToFileURL(join(RUN_DIR, 'report.html')).href);
    // A contact sheet, not black boxes: the cells in view show their first frame without a click.
    await page.waitForFunction(() => {
      const v = document.querySelector('video') as HTMLVideoElement | null;
      return v !== null && v.readyState >= 2 && v.videoWidth > 0;
    }, undefined, { timeout: 10_000 });

    const sections = await page.$$eval('section.group', (els) => els.map((s) => ({
      cols: [...s.querySelectorAll('thead th.col')].map((th) => th.textContent),
      rows: [...s.querySelectorAll('tbody tr')].map((tr) => ({
        head: tr.querySelector('th')?.textContent,
        slots: [...tr.querySelectorAll('td.slot')].map((td) => [...td.querySelectorAll('.cell')].map((c) => c.getAttribute('data-cell'))),
      })),
    })));
    const groupKey = (c: Plan['cells'][number]) => stableStringify(groups.map((g) => c.sweep[g] ?? null));
    expect(sections).toHaveLength(new Set(plan.cells.map(groupKey)).size);
    const label = (v: unknown) => (v === undefined ? '—' : String(v));
    let placed = 0;
    for (const s of sections) {
      const ids = s.rows.flatMap((r) => r.slots.flat());
      const members = plan.cells.filter((c) => groupKey(c) === groupKey(plan.cells.find((p) => p.id === ids[0])!));
      expect(ids.sort()).toEqual(members.map((c) => c.id).sort());
      expect(s.cols).toHaveLength(new Set(members.map((c) => stableStringify(c.sweep[x]))).size);
      expect(s.rows).toHaveLength(new Set(members.map((c) => stableStringify(c.sweep[y]))).size);
      for (const row of s.rows) row.slots.forEach((slot, i) => slot.forEach((id) => {
        const c = plan.cells.find((p) => p.id === id)!;
        expect([s.cols[i], row.head]).toEqual([label(c.sweep[x]), label(c.sweep[y])]);
        placed++;
      }));
    }
    expect(placed).toBe(plan.cells.length);

    // The hostile prompt is text on every cell, and nothing ran or was injected.
    expect(await page.$$eval('.prompt', (ps) => ps.map((p) => p.textContent))).toEqual(plan.cells.map(() => HOSTILE));
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'report-emulator-run.png'), fullPage: true });

    // Play the first cell's video, as a person would: the control bar's play button.
    const video = page.locator('video').first();
    await video.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('video')?.getAttribute('src'));
    const box = (await video.boundingBox())!;
    await video.click({ position: { x: 24, y: box.height - 48 } });
    await page.waitForFunction(() => document.querySelector('video')!.currentTime > 0.2, undefined, { timeout: 15_000 });
    const meta = await video.evaluate((v: HTMLVideoElement) => ({ w: v.videoWidth, h: v.videoHeight, error: v.error?.message ?? null }));
    expect(meta.error).toBeNull();
    expect(meta.w).toBeGreaterThan(0);
    await page.screenshot({ path: join(ARTIFACTS, 'report-emulator-playing.png') });

    // Filter: one group value, then a cell id.
    const visible = () => page.$$eval('.cell', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-cell')));
    const firstGroupValue = plan.cells[0].sweep[groups[0]];
    await page.selectOption('select[data-filter="data-a0"]', { label: String(firstGroupValue) });
    expect((await visible()).sort()).toEqual(plan.cells.filter((c) => stableStringify(c.sweep[groups[0]]) === stableStringify(firstGroupValue)).map((c) => c.id).sort());
    await page.selectOption('select[data-filter="data-a0"]', '');
    await page.fill('#q', plan.cells[5].id);
    expect(await visible()).toEqual([plan.cells[5].id]);
    await page.screenshot({ path: join(ARTIFACTS, 'report-emulator-filtered.png') });

    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the cells that failed on the emulator in red, with fal\'s message, in every report', async () => {
    const out = 'runs/faulty';
    const run = shotlist('run', 'sweep.yaml', '--emulator', '--yes', '--force', '--out', out, '--emulator-faults', 'fail=0.4');
    expect(run.status, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(1);
    const dir = join(WORK, out);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const failed = report.cells.filter((c: { status: string }) => c.status === 'failed').map((c: { id: string }) => c.id).sort();
    expect(failed.length).toBeGreaterThan(0);
    expect(report.summary.counts.failed).toBe(failed.length);
    expect(run.stdout).toContain(`failed  ${failed[0]}`);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain(`failures="${failed.length}"`);
    expect(readFileSync(join(dir, 'report.md'), 'utf8').split('\n').filter((l) => l.startsWith('| ❌ failed'))).toHaveLength(failed.length);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(dir, 'report.html')).href);
    const shown = await page.$$eval('.cell.failed', (els) => els.map((e) => ({
      id: e.getAttribute('data-cell'),
      visible: (e as HTMLElement).offsetParent !== null,
      border: getComputedStyle(e).borderTopColor,
      error: e.querySelector('.error')?.textContent ?? '',
    })));
    expect(shown.map((c) => c.id).sort()).toEqual(failed);
    for (const c of shown) {
      expect(c).toMatchObject({ visible: true, border: 'rgb(198, 40, 40)' });
      expect(c.error).toContain('emulated failure');
    }
    await page.selectOption('select[data-filter="data-status"]', 'failed');
    expect(await page.textContent('#shown')).toBe(`${failed.length} of 12 cells`);
    await page.screenshot({ path: join(ARTIFACTS, 'report-emulator-failures.png'), fullPage: true });
    await page.close();
  });
});
