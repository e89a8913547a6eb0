import { CliError, EXIT } from './errors.js';
import { VERSION } from '../version.js';

export type Command = (argv: string[]) => Promise<number>;

// Lazy: `shotlist validate` must not pay for loading the fal client or the emulator.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  validate: { summary: 'check a manifest and print every problem with its line', load: async () => (await import('./validate.js')).validateCommand },
  plan: { summary: 'print the cells a manifest expands to, their cost, and what the lockfile already has', load: async () => (await import('./plan.js')).planCommand },
  run: { summary: 'run a manifest against fal (FAL_KEY) or the built-in emulator (--emulator)', load: async () => (await import('./run.js')).runCommand },
  report: { summary: 'rebuild the reports of a run folder from its journal and lockfile', load: async () => (await import('./report.js')).reportCommand },
  emulator: { summary: 'start the local fal queue and storage emulator', load: async () => (await import('./emulator.js')).emulatorCommand },
  merge: { summary: 'merge shard run folders into one lockfile and one set of reports', load: async () => (await import('./merge.js')).mergeCommand },
};

export const USAGE = `shotlist ${VERSION}: version-controlled shot lists and sweeps for LTX video on fal.ai

Usage: shotlist <command> [options]

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`).join('\n')}

Run \`shotlist <command> --help\` for a command's options.`;

/**
 * `shotlist plan --json | head` closes the pipe early: without a listener the EPIPE is thrown as
 * an unhandled 'error' event with a stack trace. Stop writing to that stream instead and keep
 * working (a run must not abandon jobs it paid for because its reader went away).
 */
function quietWhenReaderCloses(stream: NodeJS.WriteStream): void {
  stream.on('error', () => {
    stream.write = (() => true) as typeof stream.write;
  });
}

export async function main(argv: string[]): Promise<number> {
  quietWhenReaderCloses(process.stdout);
  quietWhenReaderCloses(process.stderr);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`shotlist: unknown command \`${name}\`\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await (await command.load())(rest);
  } catch (err) {
    return reportError(err);
  }
}

export function reportError(err: unknown): number {
  if (err instanceof CliError) {
    console.error(`shotlist: ${err.message}`);
    return err.exitCode;
  }
  const e = err as Error & { code?: string };
  // Argument parsing errors from node:util parseArgs are usage errors.
  if (e?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    console.error(`shotlist: ${e.message}`);
    return EXIT.usage;
  }
  // The machine, not shotlist: a folder that cannot be written, a full disk. Say so plainly.
  const fsHint: Record<string, [string, number]> = {
    ENOSPC: ['the disk is full; free some space and run again (finished jobs are downloaded, not paid again)', EXIT.cellsFailed],
    EDQUOT: ['the disk quota is exhausted; free some space and run again', EXIT.cellsFailed],
    EIO: ['the disk reported an I/O error', EXIT.cellsFailed],
    EROFS: ['that file system is read-only; choose another folder with --out', EXIT.usage],
    EACCES: ['permission denied; choose a folder you can write with --out', EXIT.usage],
    EPERM: ['operation not permitted; choose a folder you can write with --out', EXIT.usage],
    ENOTDIR: ['a part of that path is a file, not a folder', EXIT.usage],
    EISDIR: ['that path is a folder', EXIT.usage],
  };
  const hint = e?.code === 'ENOENT' && (e as NodeJS.ErrnoException).syscall === 'mkdir'
    ? ['that folder cannot be created there (a missing or read-only parent?); choose another with --out', EXIT.usage] as [string, number]
    : e?.code ? fsHint[e.code] : undefined;
  if (hint && !process.env.SHOTLIST_DEBUG) {
    console.error(`shotlist: ${e.message}\n${hint[0]}`);
    return hint[1];
  }
  console.error(`shotlist: internal error: ${e?.message ?? String(err)}`);
  if (process.env.SHOTLIST_DEBUG) console.error(e?.stack);
  else console.error('(this is a bug in shotlist; set SHOTLIST_DEBUG=1 to see where it happened)');
  return EXIT.internal;
}
