// No string from a server can execute script in the HTML report. The emulator in hostile mode
// `xss-strings` puts script payloads in every string it returns: odd-seed cells fail with a 422
// whose loc/msg/type are payloads, even-seed cells succeed with a payload content type and file
// name (which become flags). The run's report.html is opened in Chromium: no dialog, nothing
// sets window.__xss, no element from a payload exists, and the payload text is shown as text.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { XSS_PAYLOADS } from '../../src/emulator/hostile.js';
import { launchChromium } from '../report/_browser.js';
import { makeProject, manifestText, runCli, type Project } from '../e2e/_helpers.js';

let browser: Browser;
let p: Project;

beforeAll(async () => {
  // Manifest strings are hostile too (the prompt); the reports issue tests those on their own.
  p = makeProject(manifestText({ introSeeds: [1, 2], outroSeeds: [3, 4], outroPrompt: JSON.stringify(`bows ${XSS_PAYLOADS[0]}`) }));
  browser = await launchChromium();
}, 120_000);
afterAll(async () => { await browser?.close(); p?.cleanup(); });

describe('report.html against a hostile server', () => {
  it('shows every server string as text and runs none of it', async () => {
    const emu = await startEmulator({ hostile: 'xss-strings', timeScale: 0.001, videoScale: 0.25 });
    try {
      const r = await runCli(['run', p.manifest, '--emulator-url', emu.url, '--yes', '--quiet'], { cwd: p.dir });
      expect(r.code, r.stderr).toBe(1); // the odd seeds failed
    } finally { await emu.close(); }
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(p.outDir, 'report.html')).href);
    await page.waitForLoadState('load');
    // Open every <details> so that text inside is rendered too.
    await page.$$eval('details', (ds) => ds.forEach((d) => { (d as HTMLDetailsElement).open = true; }));
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // No element came from a payload: no <svg onload>, no <img src=x>, no inline handler anywhere.
    expect(await page.$$eval('svg[onload], img[src="x"], [onerror], [onload]', (els) => els.length)).toBe(0);
    const scripts = await page.$$eval('script', (ss) => ss.map((s) => s.textContent ?? ''));
    for (const s of scripts) expect(s).not.toContain('window.__xss=');
    // ...yet the server's words are visible, as text.
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('onerror="window.__xss=2"');
    expect(errors.filter((e) => /__xss/.test(e))).toEqual([]);
    await page.close();
  }, 120_000);
});
