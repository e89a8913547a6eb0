import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { diffAgainstLock, renderLockDiff } from '../run/lockDiff.js';
import { lockPathFor, readLockfile } from '../run/lockfile.js';
import { cellsOfShard, defaultShardOutDir, formatShard, parseShardSpec, SHARD_LOCK_FILE, ShardError } from '../run/shard.js';
import { formatDiagnostics, loadAndPlan, renderPlanTable } from '../plan/index.js';
import { toStableFile } from '../util/stableJson.js';
import { CliError, EXIT } from './errors.js';
import { parseMaxCells } from './validate.js';

const HELP = `Usage: shotlist plan <manifest> [--json] [--max-cells N] [--frozen] [--shard I/N]

Prints the cells the manifest expands to (cell id, shot, swept values, endpoint, estimated cost),
their count and total cost. --json prints the plan as a versioned JSON document. Nothing is sent.
Against the lockfile beside the manifest, each cell is new, cached, stale (replaces a result of
the same shot and sweep whose input changed) or failed, and cells no longer in the manifest are
listed as dropped. --frozen exits 1 when a run would change the lockfile (for CI).
--shard I/N shows only the cells \`shotlist run --shard I/N\` would run, and its folder and
lockfile fragment (docs/sharding.md).
Exit 2 when the manifest is invalid (with every problem and its line).`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    json: { type: 'boolean' }, shard: { type: 'string' }, frozen: { type: 'boolean' }, 'max-cells': { type: 'string' }, help: { type: 'boolean', short: 'h' }, color: { type: 'boolean' },
  } });
  if (values.help) { console.log(HELP); return EXIT.ok; }
  if (positionals.length !== 1) throw new CliError(`expected one manifest path, got ${positionals.length}\n\n${HELP}`);
  const color = values.color ?? Boolean(process.stderr.isTTY && !process.env.NO_COLOR);
  const { plan, diagnostics } = await loadAndPlan(positionals[0], { maxCells: parseMaxCells(values['max-cells']) });
  if (diagnostics.length) console.error(formatDiagnostics(diagnostics, { color }));
  if (!plan) return EXIT.usage;
  const lockPath = lockPathFor(resolve(positionals[0]));
  let lock;
  try { lock = await readLockfile(lockPath); } catch (e) { throw new CliError((e as Error).message); }
  const diff = diffAgainstLock(plan, lock);
  if (values.shard !== undefined) {
    // One shard's view (docs/sharding.md): its cells and statuses; cells to drop leave at merge.
    let spec;
    try { spec = parseShardSpec(values.shard); } catch (e) { if (e instanceof ShardError) throw new CliError(e.message); throw e; }
    const cells = cellsOfShard(plan.cells, spec);
    const ids = new Set(cells.map((c) => c.id));
    const shardPlan = { ...plan, cells, totals: { cells: cells.length, usd: Math.round(cells.reduce((n, c) => n + c.estimate.usd, 0) * 1e6) / 1e6 } };
    const shardDiff = { ...diff, status: new Map([...diff.status].filter(([id]) => ids.has(id))), replaces: new Map([...diff.replaces].filter(([id]) => ids.has(id))), dropped: [] };
    shardDiff.inSync = !!lock && [...shardDiff.status.values()].every((st) => st === 'cached');
    if (values.json) process.stdout.write(toStableFile(shardPlan));
    else {
      const outDir = defaultShardOutDir(resolve(positionals[0]), plan.manifest.name, spec);
      const rel = (p: string) => relative(process.cwd(), p) || '.';
      process.stdout.write(`${renderPlanTable(shardPlan, shardDiff.status)}\n${renderLockDiff(shardDiff, basename(lockPath), !!lock)}\n` +
        `shard ${formatShard(spec)}: ${cells.length} of ${plan.cells.length} cells, by cell id hash\n` +
        `run folder: ${rel(outDir)}/ (default; --out to change)\n` +
        `lockfile fragment: ${rel(join(outDir, SHARD_LOCK_FILE))}; \`shotlist merge\` of all ${spec.total} shards writes ${rel(lockPath)}\n`);
    }
  } else if (values.json) process.stdout.write(toStableFile(plan));
  else process.stdout.write(`${renderPlanTable(plan, diff.status)}\n${renderLockDiff(diff, basename(lockPath), !!lock)}\n`);
  if (values.frozen && !diff.inSync) {
    console.error(`shotlist: --frozen: ${basename(lockPath)} does not match the manifest; run \`shotlist run\` and commit the lockfile`);
    return EXIT.cellsFailed;
  }
  return EXIT.ok;
}
