#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// `shotlist run` keeps every lockfile entry live (~2.5 KB a cell) while each request it makes
// leaves garbage that outlives the young generation; with its default growing factor (up to 4x
// the live heap) V8 let RSS climb with the number of cells (1,000 -> 10,000 cells: 120 -> 220 MB).
// Growing the old space by 50 % per full collection keeps it flat (150 MB at 10,000 cells) for
// ~14 % more CPU per cell (README, Performance). Only for `run`, and only when the user has not
// chosen heap flags (node --heap-growing-percent=0 "$(command -v shotlist)" run ... gives V8's
// default back; NODE_OPTIONS=--max-old-space-size=N also leaves the heap to V8 and to you).
const HEAP_FLAG = /--(max[-_]old[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent)\b/;
if (process.argv[2] === 'run' && ![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => HEAP_FLAG.test(a))) {
  setFlagsFromString('--heap-growing-percent=50');
}

import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`shotlist: internal error: ${err?.message ?? err}`); process.exitCode = 70; },
);
