// report.html: one self-contained contact sheet (inline CSS/JS, no network, works from file://).
// Every string from the manifest or the server goes through escapeHtml; a strict CSP with hashes
// of the one inline script and stylesheet means even a missed escape could not run code.
import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../types.js';
import { stableStringify } from '../util/stableJson.js';
import { compareValues, escapeHtml, formatDuration, formatSweep, formatUsd, formatValue, pathToHref } from './_format.js';
import { REPORT_CSS, REPORT_JS } from './_htmlAssets.js';
import type { ReportCell, ReportData } from './types.js';

const cspHash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

// Media from the run folder only: relative links resolve to file: (opened from disk) or to the
// page's own origin (served over HTTP).
const CSP = [
  "default-src 'none'",
  `style-src ${cspHash(REPORT_CSS)}`,
  `script-src ${cspHash(REPORT_JS)}`,
  "media-src 'self' file:",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const h = escapeHtml;

export function renderHtml(data: ReportData): string {
  const { summary, grid } = data;
  const groupAxes = grid.groups;
  const axisIndex = new Map(grid.axes.map((a) => [a.key, a.values.map((v) => stableStringify(v))]));
  const valueIndex = (key: string, v: Json) => String(axisIndex.get(key)?.indexOf(stableStringify(v)) ?? -1);

  // Groups in the order of their values, each laid out as a y-by-x table.
  const groups = new Map<string, { group: JsonObject; cells: ReportCell[] }>();
  for (const cell of data.cells) {
    const key = stableStringify(groupAxes.map((k) => cell.grid.group[k]));
    const g = groups.get(key) ?? { group: cell.grid.group, cells: [] };
    g.cells.push(cell);
    groups.set(key, g);
  }

  const renderCell = (cell: ReportCell) => {
    const attrs = [`data-status="${h(cell.status)}"`, ...groupAxes.map((k, i) => `data-a${i}="${valueIndex(k, cell.grid.group[k])}"`)];
    const classes = ['cell', cell.status, cell.flags.length ? 'flagged' : ''].filter(Boolean).join(' ');
    return `<article class="${classes}" id="cell-${h(cell.id)}" data-cell="${h(cell.id)}" ${attrs.join(' ')}>
${renderMedia(cell)}
<div class="line"><span class="status ${h(cell.status)}">${h(cell.status)}</span><code>${h(cell.id)}</code>${cell.cached ? '<span class="badge">cached</span>' : ''}</div>
${typeof cell.input.prompt === 'string' ? `<p class="prompt">${h(cell.input.prompt)}</p>` : ''}
<ul class="params">${keyParams(cell).map(([k, v]) => `<li>${h(k)} <b>${h(v)}</b></li>`).join('')}</ul>
${cell.flags.length ? `<ul class="flags">${cell.flags.map((f) => `<li>${h(f)}</li>`).join('')}</ul>` : ''}
${renderErrors(cell)}
<details><summary>input</summary><pre>${h(stableStringify(cell.input, 1))}</pre></details>
</article>`;
  };

  const sections = [...groups.values()].map(({ group, cells }) => {
    // A value the group's cells do not have (another shot's sweep) is left out of its title.
    const present = Object.fromEntries(Object.entries(group).filter(([, v]) => v !== null));
    const title = groupAxes.length ? `<h2>${h(formatSweep(present))}</h2>` : '';
    return `<section class="group">${title}\n${renderSheet(cells, grid.x, grid.y, renderCell)}\n</section>`;
  });

  const filters = [
    `<label>Search <input type="search" id="q" placeholder="prompt, id, seed, error" autocomplete="off"></label>`,
    renderSelect('status', 'data-status', ['succeeded', 'failed', 'cancelled', 'pending'].filter((s) => summary.counts[s as keyof typeof summary.counts] > 0).map((s) => [s, s])),
    ...groupAxes.map((k, i) => renderSelect(k, `data-a${i}`, (grid.axes.find((a) => a.key === k)?.values ?? []).map((v) => [valueIndex(k, v), formatValue(v)]))),
    `<output id="shown">${summary.cells} of ${summary.cells} cells</output>`,
  ];

  const c = summary.counts;
  const countText = (['succeeded', 'failed', 'cancelled', 'pending'] as const).filter((s) => c[s] > 0).map((s) => `<b>${c[s]}</b> ${s}`).join(', ');
  const gridText = grid.x ? `grid: x = <code>${h(grid.x)}</code>${grid.y ? `, y = <code>${h(grid.y)}</code>` : ''}${groupAxes.length ? `; grouped by ${groupAxes.map((k) => `<code>${h(k)}</code>`).join(', ')}` : ''}` : 'no swept axes';

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="shotlist ${h(data.tool.version)}">
<title>shotlist: ${h(data.manifest.path)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header>
<h1>${h(data.manifest.path)} <span class="badge ${h(data.target)}">${h(data.target)}</span></h1>
<p class="summary"><b>${summary.cells}</b> cells: ${countText || 'none'}${summary.flagged ? ` · <b>${summary.flagged}</b> flagged` : ''} · est. spend <b>${formatUsd(summary.spentUsd)}</b> (manifest ${formatUsd(summary.plannedUsd)}) · wall ${formatDuration(summary.wallMs)} over ${data.runs.length} run${data.runs.length === 1 ? '' : 's'} · ${gridText}</p>
<form class="filters" id="filters">
${filters.join('\n')}
</form>
</header>
<main>
${sections.join('\n')}
</main>
<script>${REPORT_JS}</script>
</body>
</html>
`;
}

function renderSelect(label: string, attr: string, options: [string, string][]): string {
  return `<label>${h(label)} <select data-filter="${h(attr)}"><option value="">all</option>${options.map(([v, text]) => `<option value="${h(v)}">${h(text)}</option>`).join('')}</select></label>`;
}

/** A y-by-x table of the group's cells; a flowing list when the sweep has no axis. */
function renderSheet(cells: ReportCell[], x: string | null, y: string | null, renderCell: (c: ReportCell) => string): string {
  if (x === null || cells.every((c) => c.grid.x === null && c.grid.y === null)) return `<div class="flow">${cells.map(renderCell).join('\n')}</div>`;
  const distinct = (pick: (c: ReportCell) => Json) => {
    const m = new Map<string, Json>();
    for (const c of cells) m.set(stableStringify(pick(c)), pick(c));
    return [...m.values()].sort(compareValues);
  };
  const xs = distinct((c) => c.grid.x);
  const ys = y === null ? [null] : distinct((c) => c.grid.y);
  const head = `<tr><th class="corner">${y ? `<span class="axis">${h(y)} ↓ · ${h(x)} →</span>` : `<span class="axis">${h(x)} →</span>`}</th>${xs.map((v) => `<th scope="col" class="col">${h(axisLabel(v))}</th>`).join('')}</tr>`;
  const rows = ys.map((yv) => {
    const slots = xs.map((xv) => {
      const here = cells.filter((c) => stableStringify(c.grid.x) === stableStringify(xv) && (y === null || stableStringify(c.grid.y) === stableStringify(yv)));
      return `<td class="slot">${here.map(renderCell).join('\n')}</td>`;
    });
    return `<tr><th scope="row" class="row">${y === null ? '' : h(axisLabel(yv))}</th>${slots.join('')}</tr>`;
  });
  return `<table class="sheet" data-x="${h(x)}" data-y="${h(y ?? '')}">\n<thead>${head}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`;
}

/** A cell without a value on the axis (another shot's sweep) sits under `—`. */
function axisLabel(v: Json): string {
  return v === null ? '—' : formatValue(v);
}

function renderMedia(cell: ReportCell): string {
  if (!cell.video) return `<div class="novideo">${cell.status === 'succeeded' ? 'no video file' : h(cell.status)}</div>`;
  const meta = cell.output?.meta;
  const size = meta ? ` width="${meta.width}" height="${meta.height}"` : '';
  // No src until the script sees it near the viewport; `loading` is a hint for future browsers.
  return `<video controls preload="none" loading="lazy" playsinline${size} data-src="${h(pathToHref(cell.video))}"></video>`;
}

function renderErrors(cell: ReportCell): string {
  const errs = cell.error ? [cell.error] : [];
  // Earlier failures (retried or replaced by a later attempt) are history, shown folded.
  const earlier = cell.errors.filter((e) => !cell.error || e.message !== cell.error.message || e.kind !== cell.error.kind);
  const one = (e: { kind: string; message: string; status?: number; detail?: Json }) =>
    `<strong>${h(e.kind)}${e.status ? ` ${e.status}` : ''}</strong>: ${h(e.message)}${e.detail !== undefined ? `<details><summary>detail</summary><pre>${h(stableStringify(e.detail, 1))}</pre></details>` : ''}`;
  return [
    ...errs.map((e) => `<div class="error">${one(e)}</div>`),
    earlier.length ? `<details class="error"><summary>${earlier.length} earlier error${earlier.length === 1 ? '' : 's'}</summary>${earlier.map((e) => `<div>${h(e.run)}: ${one(e)}</div>`).join('')}</details>` : '',
  ].join('');
}

const PARAM_KEYS = ['num_frames', 'number_of_frames', 'resolution', 'video_size', 'aspect_ratio', 'frames_per_second', 'frame_rate', 'fps', 'num_inference_steps', 'guidance_scale', 'strength'];

/** What a person compares: seed, swept values, the usual knobs, LoRAs, and what came back. */
function keyParams(cell: ReportCell): [string, string][] {
  const out: [string, string][] = [];
  out.push(['seed', cell.seed === null ? `random${cell.seedUsed !== undefined ? ` (${cell.seedUsed})` : ''}` : String(cell.seed)]);
  const shown = new Set(['seed', 'prompt']);
  for (const [k, v] of Object.entries(cell.sweep).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (shown.has(k)) continue;
    shown.add(k);
    out.push([k, formatValue(v)]);
  }
  for (const k of PARAM_KEYS) {
    if (shown.has(k) || cell.input[k] === undefined) continue;
    out.push([k, formatValue(cell.input[k])]);
  }
  const loras = cell.input.loras;
  if (Array.isArray(loras) && loras.length) {
    out.push(['loras', loras.map((l) => {
      const lo = (l ?? {}) as JsonObject;
      const path = typeof lo.path === 'string' ? lo.path : typeof (lo.path as JsonObject | null)?.path === 'string' ? String((lo.path as JsonObject).path) : '?';
      return `${path.split('/').pop()}${lo.scale !== undefined ? ` ×${formatValue(lo.scale)}` : ''}`;
    }).join(', ')]);
  }
  const m = cell.output?.meta;
  if (m) out.push(['got', `${m.width}×${m.height}, ${m.numFrames} f @ ${m.fps} fps`]);
  if (cell.timings.runningMs !== null) out.push(['ran', formatDuration(cell.timings.runningMs)]);
  if (cell.timings.queuedMs !== null) out.push(['queued', formatDuration(cell.timings.queuedMs)]);
  if (cell.attempts > 1) out.push(['attempts', String(cell.attempts)]);
  out.push(['est.', formatUsd(cell.estimateUsd)]);
  return out;
}
