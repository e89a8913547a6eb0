// The inline stylesheet and script of report.html. Kept apart so their CSP hashes are computed
// from exactly these bytes, and so renderHtml.ts stays about markup.

export const REPORT_CSS = `
:root { color-scheme: light dark; --bg: #fafafa; --fg: #1d1d1f; --muted: #6b6b70; --card: #fff; --line: #d9d9de;
  --bad: #c62828; --bad-bg: #fdecea; --warn: #b26a00; --warn-bg: #fff4e0; --ok: #2e7d32; }
@media (prefers-color-scheme: dark) { :root { --bg: #151517; --fg: #ececf0; --muted: #9a9aa2; --card: #1f1f23;
  --line: #34343a; --bad-bg: #3a1616; --warn-bg: #3a2a10; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
header { position: sticky; top: 0; z-index: 2; background: var(--bg); border-bottom: 1px solid var(--line); padding: 10px 16px; }
h1 { font-size: 17px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 15px; margin: 18px 0 8px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 12px; background: var(--line); }
.badge.emulator { background: var(--warn-bg); color: var(--warn); }
.summary { margin: 0 0 8px; color: var(--muted); }
.summary b { color: var(--fg); }
.filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; }
.filters label { display: flex; gap: 4px; align-items: center; }
.filters input[type=search] { width: 18em; }
main { padding: 0 16px 40px; overflow-x: auto; }
table.sheet { border-collapse: collapse; }
.sheet th { font-weight: 600; padding: 4px 6px; text-align: left; vertical-align: bottom; white-space: nowrap; }
.sheet th.row { vertical-align: top; padding-top: 10px; }
.sheet th .axis { color: var(--muted); font-weight: 400; }
.sheet td { vertical-align: top; padding: 4px; }
.flow { display: flex; flex-wrap: wrap; gap: 8px; }
.cell { width: 280px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 6px; margin-bottom: 6px; }
.cell.failed { border: 2px solid var(--bad); background: var(--bad-bg); }
.cell.cancelled, .cell.pending { opacity: .75; border-style: dashed; }
.cell.flagged { box-shadow: inset 0 0 0 2px var(--warn); }
.cell video { display: block; width: 100%; height: auto; background: #000; border-radius: 4px; }
.novideo { display: grid; place-items: center; height: 120px; border-radius: 4px; background: var(--line); color: var(--muted); }
.failed .novideo { background: transparent; color: var(--bad); font-weight: 600; }
.line { display: flex; flex-wrap: wrap; gap: 6px; align-items: baseline; margin-top: 4px; }
.status { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.status.succeeded { color: var(--ok); } .status.failed { color: var(--bad); } .status.cancelled, .status.pending { color: var(--muted); }
code { font: 12px ui-monospace, monospace; }
.prompt { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 7.5em; overflow: auto; }
.params, .flags { list-style: none; margin: 4px 0; padding: 0; font-size: 12px; color: var(--muted); }
.params li { display: inline; } .params li + li::before { content: " · "; }
.flags li { color: var(--warn); }
.error { color: var(--bad); font-size: 12px; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font: 11px ui-monospace, monospace; margin: 2px 0; max-height: 14em; overflow: auto; }
details { font-size: 12px; color: var(--muted); }
`;

/** Filters (text, status, group axes) and lazy video loading. No data beyond the DOM is needed. */
export const REPORT_JS = `
(function () {
  'use strict';
  var cells = Array.prototype.slice.call(document.querySelectorAll('.cell'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('.group'));
  var selects = Array.prototype.slice.call(document.querySelectorAll('select[data-filter]'));
  var search = document.getElementById('q');
  var shown = document.getElementById('shown');
  function apply() {
    var text = search.value.trim().toLowerCase();
    var n = 0;
    cells.forEach(function (cell) {
      var ok = !text || cell.textContent.toLowerCase().indexOf(text) !== -1;
      selects.forEach(function (s) {
        if (ok && s.value !== '' && cell.getAttribute(s.getAttribute('data-filter')) !== s.value) ok = false;
      });
      cell.hidden = !ok;
      if (ok) n++;
    });
    groups.forEach(function (g) { g.hidden = !g.querySelector('.cell:not([hidden])'); });
    // Fold away grid rows and columns the filter emptied, so a filtered sheet stays compact.
    Array.prototype.forEach.call(document.querySelectorAll('table.sheet'), function (table) {
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var cols = Array.prototype.slice.call(table.tHead.rows[0].querySelectorAll('th.col'));
      var used = cols.map(function () { return false; });
      rows.forEach(function (tr) {
        var slots = tr.querySelectorAll('td.slot');
        var any = false;
        Array.prototype.forEach.call(slots, function (td, i) {
          if (td.querySelector('.cell:not([hidden])')) { used[i] = true; any = true; }
        });
        tr.hidden = !any;
      });
      cols.forEach(function (th, i) { th.hidden = !used[i]; });
      rows.forEach(function (tr) {
        Array.prototype.forEach.call(tr.querySelectorAll('td.slot'), function (td, i) { td.hidden = !used[i]; });
      });
    });
    shown.textContent = n + ' of ' + cells.length + ' cells';
  }
  search.addEventListener('input', apply);
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  apply();

  // A thousand <video> elements with a src each would stall the page: give each its src only
  // when it scrolls near the viewport.
  // Once visible, fetch metadata so the sheet shows each clip's first frame instead of a spinner.
  function load(video) {
    if (video.getAttribute('src')) return;
    video.preload = 'metadata';
    video.setAttribute('src', video.getAttribute('data-src'));
  }
  var videos = Array.prototype.slice.call(document.querySelectorAll('video[data-src]'));
  if ('IntersectionObserver' in window) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { load(e.target); io.unobserve(e.target); }
      });
    }, { rootMargin: '400px 0px' });
    videos.forEach(function (v) { io.observe(v); });
  } else {
    videos.forEach(load);
  }
})();
`;
