// What the terminal shows at the end of a run: counts, spend, flagged and failed cells, and where
// the HTML report is. Short on purpose: the details are in the report.
import { formatDuration, formatSweep, formatUsd } from './_format.js';
import type { ReportCell, ReportData } from './types.js';

const LIST_MAX = 10;

export function renderSummary(data: ReportData, status: string, htmlPath?: string): string {
  const s = data.summary;
  const counts = (['succeeded', 'failed', 'cancelled', 'pending'] as const).filter((k) => s.counts[k] > 0).map((k) => `${s.counts[k]} ${k}`).join(', ');
  const lines = [
    `${s.cells} cell${s.cells === 1 ? '' : 's'}: ${counts || 'none'}${s.flagged ? `, ${s.flagged} flagged` : ''}` +
      ` · est. spend ${formatUsd(s.spentUsd)}${data.target === 'emulator' ? ' (emulator: nothing billed)' : ''} · wall ${formatDuration(s.wallMs)}${status !== 'completed' ? ` · run ${status}` : ''}`,
  ];
  const label = (c: ReportCell) => `${c.id} ${c.shot}${Object.keys(c.sweep).length ? ` ${formatSweep(c.sweep)}` : ''}`;
  const list = (title: string, cells: ReportCell[], why: (c: ReportCell) => string) => {
    for (const c of cells.slice(0, LIST_MAX)) lines.push(`  ${title} ${label(c)}: ${why(c)}`);
    if (cells.length > LIST_MAX) lines.push(`  ... and ${cells.length - LIST_MAX} more ${title.trim()}`);
  };
  list('failed ', data.cells.filter((c) => c.status === 'failed'), (c) => (c.error ? `${c.error.kind}: ${oneLine(c.error.message)}` : 'no error recorded'));
  list('flagged', data.cells.filter((c) => c.flags.length > 0), (c) => oneLine(c.flags.join('; ')));
  if (htmlPath) lines.push(`report: ${htmlPath}`);
  // Server messages and manifest strings reach a terminal: no escape sequences get through.
  return lines.join('\n').replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '?') + '\n';
}

function oneLine(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? `${t.slice(0, 157)}...` : t;
}
