import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseTestResults } from 'test-results-parser';
import { validateXML } from 'xmllint-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, renderJunit, renderMarkdown } from '../../src/report/index.js';
import { IDS, makeFixture } from './_fixtures.js';

const XSD = readFileSync(resolve(__dirname, 'junit.xsd'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'shotlist-junit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hostileFixture() {
  const fx = makeFixture();
  // Shot ids and server messages with everything XML and Markdown care about, and a control byte.
  const failed = fx.lock.cells[IDS.failed];
  failed.error = { kind: 'job', message: 'CUDA "out" of <memory> & ]]> \u0007bell | pipe', detail: { error_type: 'runner_oom', trace: '<x/>' } };
  for (const c of Object.values(fx.lock.cells)) if (c.shot === 'harbour') c.shot = 'harbour & <bay> "q"';
  fx.lock.cells[IDS.plain].status = 'cancelled';
  delete fx.lock.cells[IDS.plain].output;
  return fx;
}

describe('junit.xml', () => {
  const data = buildReport(hostileFixture().lock, hostileFixture().journal, { runDir: '/r/runs/one', lockPath: '/r/harbour.lock.json' });
  const xml = renderJunit(data);

  it('validates against the Jenkins/Ant JUnit XSD', async () => {
    const result = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [XSD] });
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    // The XSD check has teeth: a testcase without a name fails it.
    const broken = await validateXML({ xml: [{ fileName: 'bad.xml', contents: xml.replace(/<testcase classname="[^"]*" name="[^"]*"/, '<testcase') }], schema: [XSD] });
    expect(broken.valid).toBe(false);
  });

  it('is read back by a JUnit consumer: one case per cell, failures with their reason', () => {
    const file = join(tmp, 'junit.xml');
    writeFileSync(file, xml);
    const result = parseTestResults({ type: 'junit', files: [file] });
    expect(result.total).toBe(13);
    expect(result.failed).toBe(1);
    const cases = result.suites.flatMap((s) => s.cases);
    expect(cases).toHaveLength(13);
    expect(result.suites.reduce((n, s) => n + s.skipped, 0)).toBe(1);
    expect(cases.filter((c) => c.status === 'SKIP').map((c) => c.name)).toEqual([IDS.plain]);
    expect(result.suites.map((s) => s.name).sort()).toEqual(['credits', 'harbour & <bay> "q"']);
    const failed = cases.find((c) => c.name.startsWith(IDS.failed))!;
    expect(failed.status).toBe('FAIL');
    expect(failed.failure).toBe('CUDA "out" of <memory> & ]]> \uFFFDbell | pipe');
    expect(failed.name).toBe(`${IDS.failed} [loras[0].path=loras/a.safetensors, loras[0].scale=0.5, seed=2]`);
    expect(cases.find((c) => c.name.startsWith(IDS.xss))!.status).toBe('PASS');
  });
});

describe('report.md', () => {
  const fx = hostileFixture();
  fx.lock.cells[IDS.xss].shot = 'x|y';
  const md = renderMarkdown(buildReport(fx.lock, fx.journal, { runDir: '/r/runs/one', lockPath: '/r/harbour.lock.json' }));
  const rows = md.split('\n').filter((l) => l.startsWith('|'));

  it('has a summary line and one table row per cell, every row with the same columns', () => {
    expect(md).toMatch(/^## shotlist: harbour\.yaml \(emulator\)\n\n\*\*13 cells\*\*: 11 succeeded, 1 failed, 1 cancelled · \*\*1 flagged\*\*/);
    expect(rows).toHaveLength(2 + 13);
    // GFM splits cells on every `|` not preceded by a backslash.
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(9);
  });

  it('escapes pipes, HTML and Markdown in manifest and server strings', () => {
    const failedRow = rows.find((r) => r.includes(IDS.failed))!;
    expect(failedRow).toContain('job: CUDA "out" of \\<memory\\> &amp; \\]\\]\\> \u0007bell \\| pipe');
    expect(md).toContain('x\\|y');
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<bay>');
  });

  it('lists only failed and flagged cells past 100 cells', () => {
    const big = makeFixture({ seeds: Array.from({ length: 30 }, (_, i) => i), scales: [0.25, 0.5], paths: ['a', 'b'] });
    const text = renderMarkdown(buildReport(big.lock, big.journal, { runDir: '/r', lockPath: '/r/l.json' }));
    expect(text.split('\n').filter((l) => l.startsWith('| ')).length).toBe(1 + 2);
    expect(text).toContain('119 succeeded cells without flags are not listed; see report.html.');
  });
});
