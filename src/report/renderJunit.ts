// junit.xml: one <testcase> per cell (classname = shot) so CI systems list failed cells. Follows
// the common Jenkins/Ant JUnit schema (test/report/junit.xsd checks it).
import { stableStringify } from '../util/stableJson.js';
import { escapeXml as x, formatSweep } from './_format.js';
import type { ReportCell, ReportData } from './types.js';

const seconds = (ms: number | null) => ((ms ?? 0) / 1000).toFixed(3);

export function renderJunit(data: ReportData): string {
  const shots = new Map<string, ReportCell[]>();
  for (const c of data.cells) shots.set(c.shot, [...(shots.get(c.shot) ?? []), c]);
  const count = (cells: ReportCell[]) => ({
    tests: cells.length,
    failures: cells.filter((c) => c.status === 'failed').length,
    skipped: cells.filter((c) => c.status === 'cancelled' || c.status === 'pending').length,
    time: seconds(cells.reduce((n, c) => n + (c.timings.totalMs ?? 0), 0)),
  });
  const all = count(data.cells);
  const suites = [...shots.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([shot, cells]) => {
    const n = count(cells);
    return `  <testsuite name="${x(shot)}" tests="${n.tests}" failures="${n.failures}" errors="0" skipped="${n.skipped}" time="${n.time}">\n${cells.map(testcase).join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="shotlist: ${x(data.manifest.path)}" tests="${all.tests}" failures="${all.failures}" errors="0" time="${all.time}">
${suites.join('\n')}
</testsuites>
`;
}

function testcase(c: ReportCell): string {
  const sweep = formatSweep(c.sweep);
  const name = sweep ? `${c.id} [${sweep}]` : c.id;
  const body: string[] = [];
  if (c.status === 'failed') {
    const e = c.error ?? { kind: 'unknown', message: 'failed without an error recorded' };
    const text = [
      `${e.kind}${e.status ? ` ${e.status}` : ''}: ${e.message}`,
      c.requestId ? `request: ${c.requestId}` : '',
      e.detail !== undefined ? `detail: ${stableStringify(e.detail, 2)}` : '',
      c.attempts > 1 ? `attempts: ${c.attempts}` : '',
    ].filter(Boolean).join('\n');
    body.push(`      <failure type="${x(e.kind)}" message="${x(e.message)}">${x(text)}</failure>`);
  } else if (c.status === 'cancelled' || c.status === 'pending') {
    body.push(`      <skipped message="${x(c.status === 'pending' ? 'pending: not run to completion' : 'cancelled')}"/>`);
  }
  const out = [
    c.video ? `video: ${c.video}` : '',
    ...c.flags.map((f) => `flag: ${f}`),
    c.requestId ? `request: ${c.requestId}` : '',
  ].filter(Boolean);
  if (out.length) body.push(`      <system-out>${x(out.join('\n'))}</system-out>`);
  const open = `    <testcase classname="${x(c.shot)}" name="${x(name)}" time="${seconds(c.timings.totalMs)}"`;
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}
