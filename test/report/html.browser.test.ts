import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReporters, loadRunFolder, ReporterMultiplexer } from '../../src/report/index.js';
import type { Json, LockedCell } from '../../src/types.js';
import { stableStringify } from '../../src/util/stableJson.js';
import { launchChromium, makeMp4 } from './_browser.js';
import { IDS, makeFixture, writeRunFolder, XSS_PROMPT, type Fixture } from './_fixtures.js';

const ROOT = resolve(__dirname, '../..');
const TMP = join(ROOT, 'test/.tmp/report-html');
const ARTIFACTS = join(ROOT, 'test/artifacts');

let browser: Browser;
beforeAll(async () => {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(TMP, { recursive: true, force: true });
});

/** Writes the run folder and its HTML report the way a live run does (the html reporter's onEnd). */
async function writeReport(name: string, fx: Fixture, videos?: (id: string) => Uint8Array): Promise<string> {
  const dir = writeRunFolder(join(TMP, name), fx, 'runs/one', videos);
  const folder = await loadRunFolder(dir);
  const mux = new ReporterMultiplexer(await createReporters(['html', 'json'], dir));
  await mux.onEnd({ status: 'completed', lock: folder.lock, journal: folder.journal, paths: { outDir: dir, journal: folder.journalPath, lockfile: folder.lockPath, manifest: '' } });
  expect(mux.failed).toBe(false);
  return join(dir, 'report.html');
}

async function open(file: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network: ${r.url()}`); });
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

const key = (v: Json | undefined) => stableStringify(v ?? null);
const label = (v: Json | undefined) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v));

describe('report.html in Chromium', () => {
  it('lays the cells out on the chosen axes, plays a video, filters, and shows hostile strings as text', async () => {
    const fx = makeFixture();
    const shades = Object.keys(fx.outputs);
    const mp4s = new Map(await Promise.all(shades.map(async (id, i) => [id, await makeMp4(i * 20)] as const)));
    const file = await writeReport('sheet', fx, (id) => mp4s.get(id)!);
    const { page, problems } = await open(file);

    // Grid shape, computed from the lockfile: x = seed (3 values), y = loras[0].path (2), grouped
    // by loras[0].scale and shot (the plain `credits` shot has no sweep: a group of its own).
    const cells = Object.values(fx.lock.cells);
    const groupOf = (c: LockedCell) => key([c.sweep['loras[0].scale'], c.shot]);
    const expectedGroups = new Map<string, LockedCell[]>();
    for (const c of cells) expectedGroups.set(groupOf(c), [...(expectedGroups.get(groupOf(c)) ?? []), c]);
    const sheets = await page.$$eval('section.group', (sections) => sections.map((s) => ({
      flow: [...s.querySelectorAll('.flow > .cell')].map((c) => c.getAttribute('data-cell')),
      title: s.querySelector('h2')?.textContent ?? '',
      x: s.querySelector('table')?.getAttribute('data-x') ?? null,
      y: s.querySelector('table')?.getAttribute('data-y') ?? null,
      cols: [...s.querySelectorAll('thead th.col')].map((th) => th.textContent),
      rows: [...s.querySelectorAll('tbody tr')].map((tr) => ({
        head: tr.querySelector('th')?.textContent ?? '',
        slots: [...tr.querySelectorAll('td.slot')].map((td) => [...td.querySelectorAll('.cell')].map((c) => c.getAttribute('data-cell'))),
      })),
    })));
    expect(sheets).toHaveLength(expectedGroups.size);
    expect(sheets.filter((s) => s.x === 'seed' && s.y === 'loras[0].path')).toHaveLength(sheets.length - 1);
    let placed = 0;
    for (const sheet of sheets) {
      if (sheet.x === null) {
        // A shot without a seed or LoRA sweep has no place on the grid: its cells flow.
        expect(sheet.flow.map((id) => fx.lock.cells[id!].sweep)).toEqual([{}]);
        placed += sheet.flow.length;
        continue;
      }
      const members = sheet.rows.flatMap((r) => r.slots.flat());
      const group = expectedGroups.get(groupOf(fx.lock.cells[members[0]!]))!;
      expect(members.sort()).toEqual(group.map((c) => c.id).sort());
      const xs = [...new Set(group.map((c) => key(c.sweep.seed)))];
      const ys = [...new Set(group.map((c) => key(c.sweep['loras[0].path'])))];
      expect(sheet.cols).toHaveLength(xs.length);
      expect(sheet.rows).toHaveLength(ys.length);
      // Every cell sits under its own seed and beside its own LoRA path.
      sheet.rows.forEach((row) => row.slots.forEach((slot, i) => slot.forEach((id) => {
        const c = fx.lock.cells[id!];
        expect([sheet.cols[i], row.head]).toEqual([label(c.sweep.seed), label(c.sweep['loras[0].path'])]);
        placed++;
      })));
    }
    expect(placed).toBe(cells.length);

    // The failed cell is visible, red, with fal's message and detail.
    const failed = page.locator(`#cell-${IDS.failed}`);
    await expect(failed.isVisible()).resolves.toBe(true);
    expect(await failed.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgb(198, 40, 40)');
    expect(await failed.textContent()).toContain('validation 422: num_frames: ensure this value is <= 257 | and <b>bold</b>');
    expect(await failed.locator('.error b').count()).toBe(0);

    // Hostile prompt: shown as text, nothing ran, no element was injected.
    const prompt = page.locator(`#cell-${IDS.xss} .prompt`);
    expect(await prompt.textContent()).toBe(XSS_PROMPT);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'report-contact-sheet.png'), fullPage: true });

    // Play a video: its src arrives when it scrolls into view, then a click plays it.
    const video = page.locator(`#cell-${IDS.flagged} video`);
    await video.scrollIntoViewIfNeeded();
    await page.waitForFunction((id) => document.querySelector(`#cell-${id} video`)?.getAttribute('src'), IDS.flagged);
    expect(await video.getAttribute('src')).toBe(`../../outputs/harbour/${IDS.flagged}.mp4`);
    // Without a click, a visible cell shows its first frame (a contact sheet, not black boxes).
    await page.waitForFunction((id) => (document.querySelector(`#cell-${id} video`) as HTMLVideoElement).readyState >= 2, IDS.flagged, { timeout: 10_000 });
    // A person clicks the control bar's play button (bottom left of the video).
    const box = (await video.boundingBox())!;
    await video.click({ position: { x: 24, y: box.height - 48 } });
    await page.waitForFunction((id) => (document.querySelector(`#cell-${id} video`) as HTMLVideoElement).currentTime > 0.3, IDS.flagged, { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'report-playing.png') });
    const played = await video.evaluate((v: HTMLVideoElement) => ({ w: v.videoWidth, h: v.videoHeight, error: v.error?.message ?? null }));
    expect(played).toEqual({ w: 64, h: 64, error: null });

    // Filters: text, then status, then a group axis.
    const visible = () => page.$$eval('.cell', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-cell')));
    await page.fill('#q', 'take 5');
    expect(await visible()).toEqual([IDS.take5]);
    expect(await page.textContent('#shown')).toBe(`1 of ${cells.length} cells`);
    await page.fill('#q', '');
    await page.selectOption('select[data-filter="data-status"]', 'failed');
    expect(await visible()).toEqual([IDS.failed]);
    expect(await page.$$eval('section.group', (s) => s.filter((e) => !(e as HTMLElement).hidden).length)).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'report-filtered-failed.png'), fullPage: true });
    await page.selectOption('select[data-filter="data-status"]', '');
    await page.selectOption('select[data-filter="data-a1"]', { label: 'credits' });
    expect(await visible()).toEqual([IDS.plain]);
    await page.selectOption('select[data-filter="data-a1"]', '');
    expect((await visible()).length).toBe(cells.length);

    expect(problems).toEqual([]);
    await page.close();
  });

  it('stays usable with a thousand cells: videos get a src only near the viewport', async () => {
    const fx = makeFixture({ seeds: Array.from({ length: 250 }, (_, i) => 1000 + i), scales: [0.5, 1], paths: ['loras/a.safetensors', 'loras/b.safetensors'] });
    const mp4 = await makeMp4(90);
    const file = await writeReport('thousand', fx, () => mp4);
    const started = Date.now();
    const { page, problems } = await open(file);
    const loadMs = Date.now() - started;
    expect(await page.locator('.cell').count()).toBe(1001);
    const withSrc = () => page.locator('video[src]').count();
    const initially = await withSrc();
    expect(initially).toBeGreaterThan(0);
    expect(initially).toBeLessThan(60);
    await page.locator('.cell').last().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('video')].at(-1)?.hasAttribute('src'));
    expect(await withSrc()).toBeLessThan(200);
    await page.screenshot({ path: join(ARTIFACTS, 'report-1000-cells.png') });
    // Filtering folds away the emptied columns: seed 1249 under 2 LoRA paths x 2 scales.
    await page.fill('#q', 'seed 1249');
    expect(await page.textContent('#shown')).toBe('4 of 1001 cells');
    expect(await page.$$eval('th.col', (ths) => ths.filter((th) => !(th as HTMLElement).hidden).map((th) => th.textContent))).toEqual(['1249', '1249']);
    await page.screenshot({ path: join(ARTIFACTS, 'report-1000-cells-filtered.png') });
    expect(problems).toEqual([]);
    console.log(`report.html with 1001 cells: opened in ${loadMs} ms, ${initially} videos with a src at first`);
    await page.close();
  });
});
