// Writes the file reports of a run folder. Each file is written whole then renamed into place, so
// a crash mid-write never leaves half a report beside a good journal.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { toStableFile } from '../util/stableJson.js';
import { renderHtml } from './renderHtml.js';
import { renderJunit } from './renderJunit.js';
import { renderMarkdown } from './renderMarkdown.js';
import type { ReportData } from './types.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

export const FILE_REPORTS: Record<string, { file: string; render: (data: ReportData) => string }> = {
  json: { file: 'report.json', render: (data) => toStableFile(data) },
  html: { file: 'report.html', render: renderHtml },
  md: { file: 'report.md', render: renderMarkdown },
  junit: { file: 'junit.xml', render: renderJunit },
};

/** Writes the named reports (all four by default) into runDir; returns the paths written. */
export async function writeReports(runDir: string, data: ReportData, which: string[] = Object.keys(FILE_REPORTS)): Promise<string[]> {
  await mkdir(runDir, { recursive: true });
  const written: string[] = [];
  for (const name of which) {
    const report = FILE_REPORTS[name];
    if (!report) throw new Error(`unknown report \`${name}\`; the file reports are ${Object.keys(FILE_REPORTS).join(', ')}`);
    const path = join(runDir, report.file);
    await writeFileAtomic(path, report.render(data));
    written.push(path);
  }
  return written;
}
