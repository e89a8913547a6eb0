import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildReport, createReporters, DEFAULT_REPORTERS, FILE_REPORTS, GridAxisError, loadRunFolder, parseGridOption, ReporterMultiplexer, ReporterSpecError, RunFolderError,
} from '../report/index.js';
import type { RunEnd } from '../types.js';
import { CliError, EXIT } from './errors.js';

const HELP = `Usage: shotlist report <run dir> [--grid x=AXIS,y=AXIS] [--reporter NAME...]

Rebuild the reports of a run folder from its journal.jsonl and the lockfile it names, without
the manifest or the network. The files equal the ones the run wrote (given the same --grid).

Options:
  --grid x=A,y=B     axes of the HTML contact sheet (default: the two with most values),
                     e.g. --grid x=seed,y=loras[0].scale; \`shot\` is an axis too
  --reporter NAME    json, html, md, junit, summary, or a path to a reporter module;
                     repeatable or comma-separated (default: json, html, md, junit, summary)
  -h, --help         show this help`;

export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      grid: { type: 'string' },
      reporter: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError(`report takes one run folder, got ${positionals.length}\n\n${HELP}`);
  const specs = values.reporter?.length ? values.reporter : [...DEFAULT_REPORTERS];
  try {
    const grid = values.grid !== undefined ? parseGridOption(values.grid) : undefined;
    const folder = await loadRunFolder(positionals[0]);
    // Check the axes before any reporter runs, so a typo is a usage error and not a red report.
    buildReport(folder.lock, folder.journal, { runDir: folder.runDir, lockPath: folder.lockPath, grid });
    const reporters = await createReporters(specs, process.cwd(), { grid });
    const mux = new ReporterMultiplexer(reporters);
    const lastEnd = folder.journal.filter((e) => e.type === 'run-end').at(-1);
    const lastStart = folder.journal.filter((e) => e.type === 'run-start').at(-1);
    const end: RunEnd = {
      status: lastEnd && lastEnd.run === lastStart?.run && lastEnd.type === 'run-end' ? lastEnd.status : 'interrupted',
      lock: folder.lock,
      journal: folder.journal,
      paths: {
        outDir: folder.runDir,
        journal: folder.journalPath,
        lockfile: folder.lockPath,
        manifest: lastStart && lastStart.type === 'run-start' ? resolve(folder.runDir, lastStart.manifest) : folder.lock.manifest.path,
      },
    };
    await mux.onEnd(end);
    if (!specs.some((s) => s.split(',').includes('summary'))) {
      const files = specs.flatMap((s) => s.split(',')).filter((s) => s in FILE_REPORTS).map((s) => relative(process.cwd(), `${folder.runDir}/${FILE_REPORTS[s].file}`));
      if (files.length) console.log(`wrote ${files.join(', ')}`);
    }
    return mux.failed ? EXIT.cellsFailed : EXIT.ok;
  } catch (err) {
    if (err instanceof RunFolderError || err instanceof GridAxisError || err instanceof ReporterSpecError) throw new CliError(err.message, err.code);
    throw err;
  }
}
