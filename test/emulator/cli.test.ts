// `shotlist emulator` as a user runs it: the built CLI, its URL on the first stdout line, curl-able
// by path, and a clean exit on SIGINT/SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = resolve(__dirname, '..', '..', 'bin', 'shotlist.js');
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(() => { if (child && child.exitCode === null) child.kill('SIGKILL'); child = undefined; });

function start(args: string[]): Promise<{ url: string; out: () => string; exit: Promise<number | null> }> {
  const proc = spawn(process.execPath, [BIN, 'emulator', ...args], { stdio: 'pipe' });
  child = proc;
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return new Promise((resolveUrl, reject) => {
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolveUrl({ url: out.slice(0, nl), out: () => out, exit });
    });
    proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    proc.on('exit', (code) => reject(new Error(`emulator exited ${code} before printing its URL: ${err}`)));
  });
}

describe('shotlist emulator', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('prints its URL first, serves curl-style requests, logs them, and exits 0 on %s', async (signal) => {
    const { url, out, exit } = await start(['--port', '0', '--time-scale', '0.001', '--video-scale', '0.25', '--concurrency', '3', '--seed', '7']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const submit = await fetch(`${url}/fal-ai/ltx-video-lora/multiconditioning`, {
      method: 'POST', headers: { authorization: 'Key anything', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'from curl', number_of_frames: 17 }),
    });
    expect(submit.status).toBe(200);
    const { status_url, response_url } = await submit.json() as { status_url: string; response_url: string };
    expect(status_url.startsWith(url)).toBe(true);
    let status = '';
    for (let i = 0; i < 100 && status !== 'COMPLETED'; i++) {
      status = ((await (await fetch(status_url, { headers: { authorization: 'Key anything' } })).json()) as { status: string }).status;
      if (status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('COMPLETED');
    const result = await (await fetch(response_url, { headers: { authorization: 'Key anything' } })).json() as { video: { url: string }; prompt: string };
    expect(result.prompt).toBe('from curl');
    expect((await fetch(result.video.url)).status).toBe(200);
    const stats = await (await fetch(`${url}/_emulator/stats`)).json() as { submissions: number; completed: number };
    expect(stats).toMatchObject({ submissions: 1, completed: 1 });
    expect(out()).toMatch(/POST submit fal-ai\/ltx-video-lora\/multiconditioning 200/);
    expect(out()).not.toMatch(/anything/); // the key is never logged
    child!.kill(signal);
    expect(await exit).toBe(0);
  });

  it.each([
    [['--faults', 'teapot=1'], /--faults: unknown fault `teapot`/],
    [['--time-scale', 'fast'], /--time-scale `fast` must be a number >= 0/],
    [['--duration', 'slowly'], /--duration: duration model `slowly`/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses %j with exit 2 and a message', async (args, msg) => {
    const proc = spawn(process.execPath, [BIN, 'emulator', ...args], { stdio: 'pipe' });
    child = proc;
    let err = '';
    proc.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const code = await new Promise<number | null>((r) => proc.on('exit', r));
    expect(code).toBe(2);
    expect(err).toMatch(msg);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });
});
