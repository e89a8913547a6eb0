// `shotlist run <manifest>`: resolve options, pick the target (FAL_KEY -> fal, --emulator -> the
// built-in emulator), refuse before spending (budget, confirmation), run, and say where the
// results are. The engine lives in src/run/; this file only parses and decides.
import { setMaxListeners } from 'node:events';
import { createInterface } from 'node:readline/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { EmulatorHandle, Reporter } from '../types.js';
import { formatDiagnostics, loadAndPlan } from '../plan/index.js';
import { chooseGrid, createReporters, DEFAULT_REPORTERS, parseGridOption } from '../report/index.js';
import { CliError, EXIT } from './errors.js';
import { createRunClient, type RunTarget } from '../run/falClient.js';
import { executeRun, type Progress } from '../run/engine.js';
import { drainJournals } from '../run/journal.js';
import { FilterError, selectCells } from '../run/filters.js';
import { LockfileError, lockPathFor } from '../run/lockfile.js';
import { prepareRun, RunFolderUnsafe, TargetMismatch } from '../run/prepare.js';
import { confine } from '../manifest/index.js';
import { ProgressView } from '../run/progress.js';
import { RunFolderBusy } from '../run/runLock.js';
import { defaultShardOutDir, formatShard, parseShardSpec, prepareShardFolder, ShardError, type ShardFolder, type ShardSpec } from '../run/shard.js';

export const RUN_USAGE = `Usage: shotlist run <manifest.yaml> [options]

Target (one is required):
  FAL_KEY=...               run against fal.ai (real money)
  --emulator                start the built-in fal emulator in-process
  --emulator-url URL        use an emulator started with \`shotlist emulator\`
  --emulator-faults SPEC    in-process emulator faults, e.g. 429=0.1,fail=0.05
  --emulator-time-scale X   in-process emulator speed (default 0.02; 1 = realistic)

Options:
  --out DIR                 run folder (default: runs/<manifest name>/ beside the manifest)
  --concurrency N           jobs in flight at once (default: manifest, else 8)
  --shot ID                 run only this shot (repeatable)
  --where KEY=VALUE         run only cells whose swept KEY has VALUE (repeatable)
  --limit N                 run at most N cells
  --max-cost USD            refuse when the estimate of what would be submitted is above USD
  --yes                     do not ask for confirmation (required when not on a terminal above
                            ${'$'}5 or 20 cells against fal)
  --retry-failed            submit cells that failed earlier again
  --force                   ignore cached results and run every selected cell again
  --cancel-on-interrupt     on Ctrl-C cancel in-flight jobs on fal instead of waiting for them
  --shard I/N               run one shard of the plan into runs/<name>/shard-I-of-N/ (docs/sharding.md)
  --reporter NAME|PATH      reporters (repeatable; default json,html,md,junit,summary)
  --grid x=AXIS,y=AXIS      axes of the HTML contact sheet (default: the two swept axes with most values)
  --quiet                   no progress output
  --json                    NDJSON events on stdout (journal events, then a final summary)

Exit status: 0 all cells succeeded; 1 some failed; 2 invalid manifest or usage; 130 interrupted.`;

/** Above these (against fal), a run needs --yes or an answer on the terminal. */
const CONFIRM_CELLS = 20;
const CONFIRM_USD = 5;

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name} ${v}: expected a whole number of at least 1`);
  return n;
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      emulator: { type: 'boolean' },
      'emulator-url': { type: 'string' },
      'emulator-faults': { type: 'string' },
      'emulator-time-scale': { type: 'string' },
      out: { type: 'string' },
      concurrency: { type: 'string' },
      shot: { type: 'string', multiple: true },
      where: { type: 'string', multiple: true },
      limit: { type: 'string' },
      'max-cost': { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'retry-failed': { type: 'boolean' },
      force: { type: 'boolean' },
      'cancel-on-interrupt': { type: 'boolean' },
      shard: { type: 'string' },
      reporter: { type: 'string', multiple: true },
      grid: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(RUN_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError(`run takes one manifest, got ${positionals.length}\n\n${RUN_USAGE}`);
  const manifestArg = positionals[0];
  const useEmulator = Boolean(values.emulator || values['emulator-url']);
  if (values.emulator && values['emulator-url']) throw new CliError('give either --emulator or --emulator-url, not both');
  const falKey = process.env.FAL_KEY;
  if (!useEmulator && !falKey) {
    throw new CliError('no target: set FAL_KEY to run against fal.ai, or pass --emulator to run against the built-in emulator (no key, no cost)');
  }
  const target: RunTarget = useEmulator ? 'emulator' : 'fal';
  const concurrencyArg = positiveInt('--concurrency', values.concurrency);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new CliError(`--limit ${values.limit}: expected a whole number`);
  const maxCostArg = values['max-cost'] === undefined ? undefined : Number(values['max-cost']);
  if (maxCostArg !== undefined && (!Number.isFinite(maxCostArg) || maxCostArg < 0)) throw new CliError(`--max-cost ${values['max-cost']}: expected an amount in USD, e.g. --max-cost 5`);
  const timeScale = values['emulator-time-scale'] === undefined ? 0.02 : Number(values['emulator-time-scale']);
  if (!Number.isFinite(timeScale) || timeScale < 0) throw new CliError(`--emulator-time-scale ${values['emulator-time-scale']}: expected a number, e.g. 0.01`);
  const json = Boolean(values.json);
  const quiet = Boolean(values.quiet);
  const err = (line: string) => { if (!json) process.stderr.write(`${line}\n`); };

  // Plan: the same pipeline as `shotlist plan`, cut short there.
  const { plan, diagnostics } = await loadAndPlan(manifestArg, { cwd: process.cwd() });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (diagnostics.length) process.stderr.write(formatDiagnostics(diagnostics, { color: process.stderr.isTTY }) + '\n');
  if (!plan || errors.length) {
    process.stderr.write(`shotlist: ${manifestArg} is not valid (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was run\n`);
    return EXIT.usage;
  }
  if (values.grid !== undefined) {
    // A wrong --grid axis is a usage error before anything is paid for, not a reporter failure after.
    try {
      chooseGrid(plan.cells, parseGridOption(values.grid));
    } catch (e) {
      throw new CliError((e as Error).message, 'E_GRID_AXIS');
    }
  }
  const manifestPath = resolve(manifestArg);
  const manifestDir = dirname(manifestPath);
  let shardSpec: ShardSpec | undefined;
  try {
    shardSpec = values.shard === undefined ? undefined : parseShardSpec(values.shard);
  } catch (e) {
    if (e instanceof ShardError) throw new CliError(e.message);
    throw e;
  }
  const outDir = values.out ? resolve(values.out)
    : shardSpec ? defaultShardOutDir(manifestPath, plan.manifest.name, shardSpec) : join(manifestDir, 'runs', plan.manifest.name);
  let lockPath = lockPathFor(manifestPath);
  if (!values.out) {
    // The default run folder is inside the manifest's folder; a `runs` symlink (committed by
    // someone else) must not send our writes elsewhere. --out chooses another place on purpose.
    const c = confine(manifestDir, outDir);
    if (c.outside) throw new CliError(`${relative(process.cwd(), outDir) || outDir} leads outside the manifest's folder through a symlink; remove the link, or choose the run folder with --out`);
  }

  let selected: Set<string> | undefined;
  let shard: ShardFolder | undefined;
  try {
    if (shardSpec) {
      // A shard runs its cells into its own folder and lockfile fragment; the manifest's lockfile
      // is read (to seed the fragment), never written. `shotlist merge` joins the shards.
      shard = await prepareShardFolder(plan, { spec: shardSpec, manifestPath, outDir, target, force: values.force });
      lockPath = shard.fragmentPath;
    }
    if (shard) {
      // --shot/--where name the manifest's shots and axes (a shard may hold none of a shot's
      // cells: that is an empty selection, not an unknown shot); --limit counts the shard's cells.
      const own = new Set(shard.cells.map((c) => c.id));
      const chosen = selectCells(plan.cells, { shots: values.shot, where: values.where }).filter((c) => own.has(c.id));
      selected = new Set((limit === undefined ? chosen : chosen.slice(0, limit)).map((c) => c.id));
    } else if (values.shot?.length || values.where?.length || limit !== undefined) {
      selected = new Set(selectCells(plan.cells, { shots: values.shot, where: values.where, limit }).map((c) => c.id));
    }
  } catch (e) {
    if (e instanceof FilterError || e instanceof ShardError || e instanceof RunFolderBusy || e instanceof LockfileError) throw new CliError(e.message);
    throw e;
  }

  let prep;
  try {
    prep = await prepareRun(plan, { target, outDir, lockPath, selected, force: values.force, retryFailed: values['retry-failed'] });
  } catch (e) {
    if (e instanceof RunFolderBusy || e instanceof TargetMismatch || e instanceof LockfileError || e instanceof RunFolderUnsafe) throw new CliError(e.message);
    throw e;
  }
  let emulator: EmulatorHandle | undefined;
  try {
    // Budget guard: before anything is sent. Re-attached jobs are already paid for and not counted.
    const budget = maxCostArg ?? plan.settings.maxCostUsd;
    const n = prep.toSubmit.length;
    const usd = `$${prep.estimateUsd.toFixed(2)}`;
    if (shard && budget !== undefined && shard.sweepEstimateUsd > budget) {
      // A budget is for the sweep: every shard checks the whole of it, so all refuse together.
      throw new CliError(`refusing to run shard ${values.shard}: the cells of all ${shard.spec.total} shards still to run are estimated at ` +
        `$${shard.sweepEstimateUsd.toFixed(2)}, above the budget of $${budget.toFixed(2)} (${maxCostArg !== undefined ? '--max-cost' : 'the manifest budget'}); ` +
        'raise it, or run a subset with --shot, --where or --limit', 'E_BUDGET');
    }
    if (!shard && budget !== undefined && prep.estimateUsd > budget) {
      throw new CliError(`refusing to run: ${n} cell${n === 1 ? '' : 's'} to submit are estimated at ${usd}, above the budget of $${budget.toFixed(2)} ` +
        `(${maxCostArg !== undefined ? '--max-cost' : 'the manifest budget'}); raise it, or run a subset with --shot, --where or --limit`, 'E_BUDGET');
    }
    if (target === 'fal' && !values.yes && (n > CONFIRM_CELLS || prep.estimateUsd > CONFIRM_USD)) {
      if (!process.stdin.isTTY) {
        throw new CliError(`refusing to submit ${n} cells (~${usd}) to fal without confirmation; pass --yes to confirm when not on a terminal`, 'E_CONFIRM');
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Submit ${n} cells to fal for about ${usd}? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not confirmed; nothing was submitted', 'E_CONFIRM');
    }

    let reporters: Reporter[];
    try {
      reporters = await createReporters(values.reporter?.length ? values.reporter : [...DEFAULT_REPORTERS], process.cwd(),
        { write: (text) => (json ? process.stderr : process.stdout).write(text), grid: values.grid });
    } catch (e) {
      throw new CliError((e as Error).message, 'E_REPORTER');
    }

    let proxyUrl: string | undefined;
    let uploadKey = 'fal';
    if (values['emulator-url']) {
      const base = values['emulator-url'].replace(/\/+$/, '');
      proxyUrl = base;
      uploadKey = `emulator ${base}`;
    } else if (values.emulator && [...prep.actions.values()].some((a) => a === 'submit' || a === 'reattach')) {
      // Started only when there is something to send: a no-op re-run touches nothing.
      // Lazy: a run against fal never loads the emulator.
      const { startEmulator } = await import('../emulator/index.js');
      emulator = await startEmulator({ timeScale, faults: values['emulator-faults'] });
      proxyUrl = emulator.proxyUrl;
      uploadKey = `emulator ${emulator.url}`;
    } else if (values.emulator) {
      proxyUrl = 'http://127.0.0.1:9'; // never called: nothing to submit or re-attach
    }
    const client = createRunClient({ target, proxyUrl, credentials: target === 'fal' ? falKey : undefined });

    const view = new ProgressView({ stream: process.stderr, mode: quiet || json ? 'quiet' : process.stderr.isTTY ? 'live' : 'lines' });
    const stop = new AbortController();
    setMaxListeners(0, stop.signal); // one listener per in-flight cell
    let sigints = 0;
    const onSigint = () => {
      sigints++;
      if (sigints === 1) {
        stop.abort();
        const what = values['cancel-on-interrupt'] ? 'cancelling in-flight jobs on fal' : 'letting in-flight jobs finish and download';
        process.stderr.write(`\nshotlist: interrupted: no new submissions; ${what}. Press Ctrl-C again to exit now (the next run re-attaches).\n`);
      } else {
        process.stderr.write('\nshotlist: exiting now; the journal is on disk and the next run re-attaches to submitted jobs.\n');
        // Journal lines already appended (a job fal accepted) reach the disk before we go.
        void drainJournals(500).finally(() => process.exit(EXIT.interrupted));
      }
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let result;
    try {
      result = await executeRun(prep, {
        client, target, uploadKey, manifestPath, manifestDir, shard: shard ? formatShard(shard.spec) : undefined,
        concurrency: concurrencyArg ?? plan.settings.concurrency ?? 8,
        reporters, stop: stop.signal, cancelOnInterrupt: values['cancel-on-interrupt'],
        onProgress: (p: Progress) => view.update(p),
        onEvent: json ? (ev) => process.stdout.write(JSON.stringify(ev) + '\n') : undefined,
        onNote: (line) => view.note(line),
        onSettled: () => view.end(),
      });
    } finally {
      view.end();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    const rel = (p: string) => (isAbsolute(p) ? relative(process.cwd(), p) || '.' : p);
    if (json) {
      process.stdout.write(JSON.stringify({ type: 'summary', status: result.status, exitCode: result.exitCode, counts: result.counts, outDir: result.paths.outDir, lockfile: result.paths.lockfile, reporterErrors: result.reporterErrors }) + '\n');
    } else {
      for (const e of result.reporterErrors) err(`shotlist: ${e}`);
      const c = result.counts;
      const failed = (c.failed ?? 0) + (c.cancelled ?? 0);
      if (failed) err(`${failed} cell${failed === 1 ? '' : 's'} failed; see the reports${values['retry-failed'] ? '' : ', and run again with --retry-failed to submit them again'}`);
      if (result.status === 'interrupted') err('interrupted: run the same command again to finish (submitted jobs are re-attached, not paid for twice)');
      console.log(`results: ${rel(result.paths.outDir)}/`);
      console.log(`lockfile: ${rel(result.paths.lockfile)}${result.lockWritten ? '' : ' (unchanged)'}`);
    }
    return result.exitCode;
  } finally {
    prep.release();
    await emulator?.close();
  }
}
