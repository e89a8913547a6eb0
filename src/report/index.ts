// Public exports of the reports stage (the run engine and the CLI import from here).
export { buildReport } from './buildReport.js';
export type { BuildReportOptions } from './buildReport.js';
export { writeReports, FILE_REPORTS } from './writeReports.js';
export { createReporters, BUILTIN_REPORTERS, DEFAULT_REPORTERS, ReporterSpecError } from './reporters.js';
export type { ReporterOptions } from './reporters.js';
export { ReporterMultiplexer } from './ReporterMultiplexer.js';
export { loadRunFolder, parseJournal, RunFolderError } from './loadRunFolder.js';
export type { RunFolder } from './loadRunFolder.js';
export { chooseGrid, parseGridOption, GridAxisError } from './_grid.js';
export { renderHtml } from './renderHtml.js';
export { renderMarkdown } from './renderMarkdown.js';
export { renderJunit } from './renderJunit.js';
export { renderSummary } from './renderSummary.js';
export { REPORT_VERSION } from './types.js';
export type { ReportData, ReportCell, ReportRun, ReportSummary, ReportGrid, ReportAxis, ReportTimings, GridOption } from './types.js';
