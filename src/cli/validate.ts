import { parseArgs } from 'node:util';
import { formatDiagnostics, loadAndPlan, usd } from '../plan/index.js';
import { CliError, EXIT } from './errors.js';

const HELP = `Usage: shotlist validate <manifest>... [--max-cells N]

Checks each manifest (schema, every expanded request against its endpoint's schema, the LTX
rules) and prints every problem with its file, line and column. Exit 0 when valid (warnings are
printed), 2 when any manifest is invalid.`;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: {
    'max-cells': { type: 'string' }, help: { type: 'boolean', short: 'h' }, color: { type: 'boolean' },
  } });
  if (values.help) { console.log(HELP); return EXIT.ok; }
  if (!positionals.length) throw new CliError(`missing manifest path\n\n${HELP}`);
  const maxCells = parseMaxCells(values['max-cells']);
  const color = values.color ?? Boolean(process.stderr.isTTY && !process.env.NO_COLOR);
  let status: number = EXIT.ok;
  for (const file of positionals) {
    const { plan, diagnostics } = await loadAndPlan(file, { maxCells });
    if (diagnostics.length) console.error(formatDiagnostics(diagnostics, { color }));
    if (!plan) { status = EXIT.usage; continue; }
    const n = plan.totals.cells;
    console.log(`${plan.manifest.path}: valid, ${n} cell${n === 1 ? '' : 's'}, estimated ${usd(plan.totals.usd)}`);
  }
  return status;
}

export function parseMaxCells(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--max-cells must be a positive integer, got \`${v}\``);
  return n;
}
