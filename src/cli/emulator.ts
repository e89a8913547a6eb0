// `shotlist emulator`: the local fal queue + storage emulator in the foreground. The first line
// of stdout is its URL (scripts read it); request log lines follow. SIGINT/SIGTERM close it and
// exit 0. Options and the fault spec: docs/emulator.md.
import { parseArgs } from 'node:util';
import { CliError, EXIT } from './errors.js';

const HELP = `Usage: shotlist emulator [options]

Start a local server that behaves like fal's queue and storage API. Point the fal client at it
with proxyUrl: {url: <printed URL>, when: "always"}, or \`shotlist run --emulator\`.

Options:
  --port N          port on 127.0.0.1 (default 0: any free port)
  --concurrency N   max IN_PROGRESS jobs per key, as on fal (default 2)
  --time-scale X    multiply every simulated duration (default 1; 0.01 for quick demos)
  --duration MODEL  fixed:<seconds>, pixels:<seconds per megapixel> (default pixels:0.25)
                    or lognormal:<median seconds>:<sigma> (skewed, keyed on the input)
  --faults SPEC     e.g. 429=0.05,5xx=0.02,reset=0.01,fail=0.05,lost-submit=0.02,
                    slow=0.1,truncate=0.02,expire=60s (see docs/emulator.md)
  --seed N          seed for durations, random seeds and faults (default 0)
  --video-scale X   encode outputs at X times the real size, 0 < X <= 1 (default 1)
  --hostile KIND    lie to the client in one way, e.g. huge-result, redirect-output,
                    endless-download (kinds: docs/reliability.md)
  --quiet           do not log requests
  -h, --help        show this help`;

export async function emulatorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      concurrency: { type: 'string' },
      'time-scale': { type: 'string' },
      duration: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      'video-scale': { type: 'string' },
      hostile: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const port = int(values.port, '--port', 0, 65535);
  const concurrency = int(values.concurrency, '--concurrency', 1, 10_000);
  const seed = int(values.seed, '--seed', -(2 ** 31), 2 ** 31);
  const timeScale = num(values['time-scale'], '--time-scale', (n) => n >= 0, 'a number >= 0, e.g. 0.01');
  const videoScale = num(values['video-scale'], '--video-scale', (n) => n > 0 && n <= 1, 'a number in (0, 1], e.g. 0.25');

  const { startEmulator, parseFaults, parseDurationModel } = await import('../emulator/index.js');
  try { parseFaults(values.faults); } catch (err) { throw new CliError(`--faults: ${(err as Error).message}`); }
  try { parseDurationModel(values.duration); } catch (err) { throw new CliError(`--duration: ${(err as Error).message}`); }
  const { parseHostile } = await import('../emulator/hostile.js');
  try { parseHostile(values.hostile); } catch (err) { throw new CliError(`--hostile: ${(err as Error).message}`); }

  let handle;
  try {
    handle = await startEmulator({
      port, concurrency, seed, timeScale, videoScale,
      faults: values.faults,
      duration: values.duration,
      hostile: values.hostile,
      log: values.quiet ? undefined : (line) => console.log(line),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use on 127.0.0.1; pick another with --port or use --port 0`, 'E_PORT_IN_USE');
    throw err;
  }
  console.log(handle.url);
  console.error(`shotlist emulator: fal queue + storage at ${handle.url} (stats: ${handle.url}/_emulator/stats); Ctrl-C to stop`);

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      console.error(`shotlist emulator: ${signal}, shutting down`);
      handle.close().then(() => resolve(EXIT.ok), () => resolve(EXIT.ok));
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

function int(v: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} \`${v}\` must be a whole number from ${min} to ${max}`);
  return n;
}

function num(v: string | undefined, flag: string, ok: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !ok(n)) throw new CliError(`${flag} \`${v}\` must be ${what}`);
  return n;
}
