// report.md: a summary and a table for a pull request comment or $GITHUB_STEP_SUMMARY.
import { escapeMarkdownCell as md, formatDuration, formatSweep, formatUsd, pathToHref } from './_format.js';
import type { ReportCell, ReportData } from './types.js';

/** Past this many cells the table lists only failed, flagged and unfinished ones (GitHub caps a step summary at 1 MiB). */
export const MARKDOWN_MAX_ROWS = 100;

const ICON: Record<string, string> = { succeeded: '✅', failed: '❌', cancelled: '⏹️', pending: '⏳' };

export function renderMarkdown(data: ReportData): string {
  const { summary: s } = data;
  const counts = (['succeeded', 'failed', 'cancelled', 'pending'] as const).filter((k) => s.counts[k] > 0).map((k) => `${s.counts[k]} ${k}`).join(', ');
  const lines = [
    `## shotlist: ${md(data.manifest.path)}${data.target === 'emulator' ? ' (emulator)' : ''}`,
    '',
    `**${s.cells} cells**: ${counts || 'none'}${s.flagged ? ` · **${s.flagged} flagged**` : ''} · est. spend ${formatUsd(s.spentUsd)} (manifest ${formatUsd(s.plannedUsd)}) · wall ${formatDuration(s.wallMs)} · ${data.runs.length} run${data.runs.length === 1 ? '' : 's'}`,
    '',
  ];
  const notable = (c: ReportCell) => c.status !== 'succeeded' || c.flags.length > 0;
  const rows = data.cells.length <= MARKDOWN_MAX_ROWS ? data.cells : data.cells.filter(notable);
  if (rows.length) {
    lines.push('| | cell | shot | sweep | seed | video | notes |', '|---|---|---|---|---|---|---|');
    for (const c of rows) {
      const notes = [...c.flags, ...(c.error ? [`${c.error.kind}${c.error.status ? ` ${c.error.status}` : ''}: ${c.error.message}`] : [])].join('; ');
      lines.push(`| ${ICON[c.status] ?? ''} ${c.status} | \`${c.id}\` | ${md(c.shot)} | ${md(formatSweep(c.sweep))} | ${c.seed ?? 'random'} | ${c.video ? `[mp4](${pathToHref(c.video)})` : ''} | ${md(notes)} |`);
    }
    lines.push('');
  }
  if (rows.length < data.cells.length) lines.push(`${data.cells.length - rows.length} succeeded cells without flags are not listed; see report.html.`, '');
  return lines.join('\n');
}
