import { parseArgs } from 'node:util';
import { formatDiagnostics, loadAndPlan, renderPlanTable } from '../plan/index.js';
import { toStableFile } from '../util/stableJson.js';
import { CliError, EXIT } from './errors.js';
import { parseMaxCells } from './validate.js';

const HELP = `Usage: shotlist plan <manifest> [--json] [--max-cells N]

Prints the cells the manifest expands to (cell id, shot, swept values, endpoint, estimated cost),
their count and total cost. --json prints the plan as a versioned JSON document. Nothing is sent.
Exit 2 when the manifest is invalid (with every problem and its line).`;

export async function planCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    json: { type: 'boolean' }, 'max-cells': { type: 'string' }, help: { type: 'boolean', short: 'h' }, color: { type: 'boolean' },
  } });
  if (values.help) { console.log(HELP); return EXIT.ok; }
  if (positionals.length !== 1) throw new CliError(`expected one manifest path, got ${positionals.length}\n\n${HELP}`);
  const color = values.color ?? Boolean(process.stderr.isTTY && !process.env.NO_COLOR);
  const { plan, diagnostics } = await loadAndPlan(positionals[0], { maxCells: parseMaxCells(values['max-cells']) });
  if (diagnostics.length) console.error(formatDiagnostics(diagnostics, { color }));
  if (!plan) return EXIT.usage;
  process.stdout.write(values.json ? toStableFile(plan) : renderPlanTable(plan) + '\n');
  return EXIT.ok;
}
