#!/usr/bin/env node
// The soak: scripts/chaos.js at full size. A few hundred cells against a separately started
// emulator with every fault kind on, SIGKILLed at random moments at least 20 times and restarted
// until done; prints the figures and exits 1 if any check failed. docs/reliability.md.
//
//   node scripts/soak.js [--cells 300] [--kills 25] [--seed 1] [--json]
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: {
  cells: { type: 'string', default: '300' }, kills: { type: 'string', default: '25' }, seed: { type: 'string', default: '1' },
  json: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false },
} });

execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
const { chaos, CHAOS_FAULTS } = await import('./chaos.js');
const machine = { cpu: cpus()[0]?.model ?? '?', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg().map((l) => l.toFixed(2)).join(' ') };
const { figures, problems } = await chaos({
  cells: Number(values.cells), kills: Number(values.kills), seed: Number(values.seed),
  log: values.quiet ? undefined : (s) => process.stderr.write(`  ${s}\n`),
});
if (values.json) console.log(JSON.stringify({ machine, faults: CHAOS_FAULTS, figures, problems }, null, 2));
else {
  const d = figures.duplicatesBy;
  const rows = [
    ['machine', `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, load ${machine.loadavg}`],
    ['faults', CHAOS_FAULTS],
    ['cells', `${figures.cells}: ${figures.succeeded} succeeded, ${figures.failed} failed ${JSON.stringify(figures.failedBy)}`],
    ['kills survived', `${figures.kills} SIGKILLs over ${figures.runs} runs, ${figures.wallSeconds} s`],
    ['submissions', `${figures.submissions} for ${figures.cells} cells`],
    ['duplicate submissions', `${figures.duplicates}: ${d.lostResult} after fal dropped a result, ${d.lostSubmitFault} after a lost-submit fault, ${d.killWindow} killed between fal's answer and the journal, ${d.unexplained} unexplained`],
    ['lost outputs', `${figures.lostOutputs} (outputs verified against the lockfile: ${figures.outputsVerified})`],
    ['faults injected', Object.entries(figures.faultsInjected).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['temp files left', String(figures.tempFilesLeft)],
    ['checks', problems.length ? `FAILED:\n  ${problems.join('\n  ')}` : 'all passed'],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(22)} ${v}`);
}
process.exit(problems.length ? 1 : 0);
