// `shotlist merge <dirs...>`: shard folders (`shotlist run --shard i/n`) into one lockfile beside
// the manifest and one set of reports, as a single run would have written them. The merging
// lives in src/run/merge.ts; the reports come from src/report, as for `shotlist report`.
import { appendFile, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport, createReporters, DEFAULT_REPORTERS, GridAxisError, parseGridOption, ReporterMultiplexer, ReporterSpecError } from '../report/index.js';
import { mergeShards } from '../run/merge.js';
import { ShardError } from '../run/shard.js';
import { LockfileError } from '../run/lockfile.js';
import { RunFolderBusy } from '../run/runLock.js';
import type { RunEnd } from '../types.js';
import { CliError, EXIT } from './errors.js';

const HELP = `Usage: shotlist merge <shard dir...> [options]

Merge the run folders of \`shotlist run --shard i/n\` (every shard of one split, exactly once) into
what a single run of the manifest writes: the lockfile beside the manifest, the outputs and the
journal in one run folder, and its reports (report.json, report.html, report.md, junit.xml).

Options:
  --out DIR              merged run folder (default: runs/<manifest name>/ beside the manifest)
  --manifest PATH        the manifest, when the shard folders were moved from where they ran
  --append-markdown FILE append report.md to FILE, e.g. "$GITHUB_STEP_SUMMARY"
  --grid x=A,y=B         axes of the HTML contact sheet (as \`shotlist report --grid\`)
  --reporter NAME        reporters (repeatable; default json,html,md,junit,summary)
  -h, --help             show this help

Errors (exit 2): a folder that is not a shard, a shard missing or given twice, shards of
different splits, targets or manifest versions, a manifest changed since the shards ran.
Exit status: 0 every cell succeeded; 1 some cell failed or is pending; 2 as above.`;

export async function mergeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      manifest: { type: 'string' },
      'append-markdown': { type: 'string' },
      grid: { type: 'string' },
      reporter: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new CliError(`merge takes the shard folders, e.g. shotlist merge runs/dancer/shard-*\n\n${HELP}`);
  const specs = values.reporter?.length ? values.reporter : [...DEFAULT_REPORTERS];
  try {
    const grid = values.grid !== undefined ? parseGridOption(values.grid) : undefined;
    // Reporter specs are checked before anything is written.
    const reporters = await createReporters(specs, process.cwd(), { grid });
    const merged = await mergeShards(positionals, { out: values.out, manifest: values.manifest });
    // A bad --grid axis is a usage error, not a red report.
    buildReport(merged.lock, merged.journal, { runDir: merged.outDir, lockPath: merged.lockPath, grid });
    const end: RunEnd = {
      status: merged.status,
      lock: merged.lock,
      journal: merged.journal,
      paths: { outDir: merged.outDir, journal: merged.journalPath, lockfile: merged.lockPath, manifest: merged.manifestPath },
    };
    const mux = new ReporterMultiplexer(reporters);
    await mux.onEnd(end);
    const rel = (p: string) => (isAbsolute(p) ? relative(process.cwd(), p) || '.' : p);
    if (values['append-markdown']) {
      try {
        await appendFile(values['append-markdown'], await readFile(join(merged.outDir, 'report.md'), 'utf8'));
      } catch (e) {
        console.error(`shotlist: could not append report.md to ${values['append-markdown']}: ${(e as Error).message}`);
        return EXIT.cellsFailed;
      }
    }
    const n = merged.shards.length;
    console.log(`merged ${n} shard${n === 1 ? '' : 's'} (${Object.keys(merged.lock.cells).length} cells, ${merged.copied} output${merged.copied === 1 ? '' : 's'} copied)`);
    console.log(`results: ${rel(merged.outDir)}/`);
    console.log(`lockfile: ${rel(merged.lockPath)}${merged.lockWritten ? '' : ' (unchanged)'}`);
    if (mux.failed) return EXIT.cellsFailed;
    return merged.status === 'completed' ? EXIT.ok : EXIT.cellsFailed;
  } catch (err) {
    if (err instanceof ShardError || err instanceof GridAxisError || err instanceof ReporterSpecError) throw new CliError(err.message, err.code);
    if (err instanceof RunFolderBusy || err instanceof LockfileError) throw new CliError(err.message);
    throw err;
  }
}
