// Chaos: a sweep of a few hundred cells against an emulator started as its own process with every
// fault kind on, the run killed with SIGKILL at random moments and restarted until it finishes.
// Then everything a user relies on is checked and the figures are returned (and printed by
// scripts/soak.js). Used by test/reliability/chaos.test.ts (short) and scripts/soak.js (long).
// Needs a build (dist/). docs/reliability.md explains the accounting of duplicate submissions.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../dist/plan/seeds.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'shotlist.js');

/** Every fault kind of the emulator (docs/emulator.md) at a rate that hits a few hundred cells many times. */
export const CHAOS_FAULTS = '429=0.05,500=0.03,502=0.02,503=0.02,reset=0.03,fail=0.04,lost-submit=0.03,slow=0.05,truncate=0.03,expire=4s,slow-for=400ms,retry-after=0';

function manifest(cells) {
  const per = Math.ceil(cells / 3);
  const seeds = (from) => Array.from({ length: per }, (_, i) => from + i).join(', ');
  return `version: 1
name: chaos
endpoint: fal-ai/ltx-video-lora/multiconditioning
seed: 11
limits: { max_cells: ${per * 3} }
defaults: { resolution: 480p, aspect_ratio: "16:9", number_of_frames: 9 }
shots:
  - id: keyed
    prompt: a lighthouse in a storm, the beam sweeping
    keyframes: [{ image: first.png, at: 0 }]
    sweep: { seeds: [${seeds(1000)}] }
  - id: plain
    prompt: waves against rocks at dusk
    sweep: { seeds: [${seeds(2000)}] }
  - id: last
    prompt: a gull hangs in the wind
    keyframes: [{ image: first.png, at: 0 }, { image: last.png, at: 8 }]
    sweep: { seeds: [${seeds(3000)}] }
`;
}

function startEmulator(args) {
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, url: buf.slice(0, nl).trim() });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}): ${err}`)));
  });
}

function run(args, cwd) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FAL_KEY: undefined, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ cells?: number, kills?: number, seed?: number, concurrency?: number, killAfterMs?: [number, number], jobSeconds?: number, timeScale?: number, faults?: string, log?: (s: string) => void, keep?: boolean }} o
 */
export async function chaos(o = {}) {
  const cells = o.cells ?? 300;
  const wantKills = o.kills ?? 20;
  const rnd = prng(o.seed ?? 1);
  const [minKill, maxKill] = o.killAfterMs ?? [400, 2500];
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-chaos-'));
  copyFileSync(join(ROOT, 'manifests/media/first.png'), join(dir, 'first.png'));
  copyFileSync(join(ROOT, 'manifests/media/last.png'), join(dir, 'last.png'));
  writeFileSync(join(dir, 'chaos.yaml'), manifest(cells));
  const emu = await startEmulator([
    '--time-scale', String(o.timeScale ?? 0.1), '--duration', `fixed:${o.jobSeconds ?? 5}`, '--video-scale', '0.25',
    '--concurrency', String(o.concurrency ?? 8), '--seed', String(o.seed ?? 1), '--faults', o.faults ?? CHAOS_FAULTS,
  ]);
  const t0 = Date.now();
  const problems = [];
  let kills = 0;
  let runs = 0;
  let exits = [];
  try {
    const args = ['run', 'chaos.yaml', '--emulator-url', emu.url, '--yes', '--quiet', '--concurrency', String(o.concurrency ?? 8)];
    // Killed runs: each at a random moment; a run that ends by itself before its kill ends the chaos.
    let finished;
    while (kills < wantKills) {
      const r = run(args, dir);
      runs++;
      const at = minKill + rnd() * (maxKill - minKill);
      const ended = await Promise.race([r.done, sleep(at).then(() => undefined)]);
      if (ended) { finished = ended; break; }
      r.child.kill('SIGKILL');
      const k = await r.done;
      if (k.signal === 'SIGKILL') kills++;
      else { finished = k; break; }
      log(`kill ${kills} after ${Math.round(at)} ms`);
    }
    // Then run to the end (a run may end 130 if it was only partly done: run again).
    for (let i = 0; !finished || finished.code === 130; i++) {
      if (i > 5) { problems.push('the run did not finish after the kills'); break; }
      const r = run(args, dir);
      runs++;
      finished = await r.done;
    }
    exits.push(finished?.code);
    if (![0, 1].includes(finished?.code)) problems.push(`final run exited ${finished?.code}: ${finished?.stderr.slice(-2000)}`);
    if (/^\s+at .+:\d+:\d+\)?$/m.test(finished?.stderr ?? '') || /internal error/.test(finished?.stderr ?? '')) problems.push(`final run printed an internal error:\n${finished?.stderr.slice(-2000)}`);
    // A second run changes nothing and submits nothing.
    const before = (await (await fetch(`${emu.url}/_emulator/stats`)).json()).submissions;
    const again = await run(args, dir).done;
    runs++;
    const after = (await (await fetch(`${emu.url}/_emulator/stats`)).json()).submissions;
    if (after !== before) problems.push(`a re-run after completion submitted ${after - before} job(s)`);
    if (![0, 1].includes(again.code)) problems.push(`the re-run exited ${again.code}`);

    // --- checks
    const lockPath = join(dir, 'chaos.lock.json');
    let lock;
    try { lock = JSON.parse(readFileSync(lockPath, 'utf8')); } catch (e) { problems.push(`lockfile does not parse: ${e.message}`); }
    const journalPath = join(dir, 'runs/chaos/journal.jsonl');
    const events = [];
    readFileSync(journalPath, 'utf8').split('\n').forEach((line, i, all) => {
      if (!line && i === all.length - 1) return;
      try { events.push(JSON.parse(line)); } catch { problems.push(`journal line ${i + 1} does not parse`); }
    });
    const planned = JSON.parse((await run(['plan', 'chaos.yaml', '--json'], dir).done).stdout).cells.map((c) => c.id);
    const lockCells = lock?.cells ?? {};
    const statuses = {};
    const failedBy = {};
    let verified = 0;
    for (const id of planned) {
      const c = lockCells[id];
      if (!c) { problems.push(`cell ${id} is missing from the lockfile`); continue; }
      statuses[c.status] = (statuses[c.status] ?? 0) + 1;
      if (c.status === 'failed') {
        if (!c.error?.message) problems.push(`cell ${id} failed without a reason`);
        const k = c.error?.kind ?? '?';
        failedBy[k] = (failedBy[k] ?? 0) + 1;
      } else if (c.status === 'succeeded') {
        const file = join(dir, c.output.file);
        if (!existsSync(file)) { problems.push(`cell ${id}: ${c.output.file} is missing`); continue; }
        const bytes = readFileSync(file);
        if (createHash('sha256').update(bytes).digest('hex') !== c.output.sha256 || bytes.length !== c.output.size) problems.push(`cell ${id}: ${c.output.file} does not match the lockfile`);
        else verified++;
      } else problems.push(`cell ${id} ended ${c.status}`);
    }
    const temps = walk(dir).map((f) => relative(dir, f)).filter((f) => /\.(part|tmp|writing)$|\.shotlist\.lock$/.test(f));
    if (temps.length) problems.push(`temp files left: ${temps.slice(0, 10).join(', ')}${temps.length > 10 ? ` (+${temps.length - 10})` : ''}`);

    // --- submissions, by what the emulator saw: every job of a cell has its content key.
    const { jobs } = await (await fetch(`${emu.url}/_emulator/jobs`)).json();
    const stats = await (await fetch(`${emu.url}/_emulator/stats`)).json();
    const byId = new Map(jobs.map((j) => [j.requestId, j]));
    const cellOfKey = new Map();
    const journaled = new Set();
    const lostEvents = new Map();
    for (const e of events) {
      if (e.type === 'submitted') {
        journaled.add(e.requestId);
        const j = byId.get(e.requestId);
        if (!j) problems.push(`journaled request ${e.requestId} unknown to the emulator`);
        else cellOfKey.set(j.contentKey, e.cell);
      }
      if (e.type === 'lost') lostEvents.set(e.cell, (lostEvents.get(e.cell) ?? 0) + 1);
    }
    const perCell = new Map();
    for (const j of jobs) {
      const cell = cellOfKey.get(j.contentKey) ?? `unjournaled:${j.contentKey.slice(0, 12)}`;
      const c = perCell.get(cell) ?? { jobs: 0, unjournaled: 0, lostSubmit: 0 };
      c.jobs++;
      if (!journaled.has(j.requestId)) { c.unjournaled++; if (j.lostSubmit) c.lostSubmit++; }
      perCell.set(cell, c);
    }
    const dup = { lostResult: 0, lostSubmitFault: 0, killWindow: 0, unexplained: 0 };
    for (const [cell, c] of perCell) {
      if (cell.startsWith('unjournaled:')) { dup.unexplained += c.jobs; continue; } // no journaled job shares its content
      let extra = c.jobs - 1;
      const lost = Math.min(extra, lostEvents.get(cell) ?? 0);
      dup.lostResult += lost;
      extra -= lost;
      const ls = Math.min(extra, c.lostSubmit);
      dup.lostSubmitFault += ls;
      extra -= ls;
      // What is left is a submit whose answer died with a killed process (unjournaled), or is unexplained.
      const kw = Math.min(extra, c.unjournaled - c.lostSubmit);
      dup.killWindow += kw;
      extra -= kw;
      dup.unexplained += extra;
    }
    if (dup.unexplained > 0) problems.push(`${dup.unexplained} duplicate submission(s) explained by neither a lost result, a lost-submit fault nor a kill`);
    // At most one unjournaled submit per in-flight slot can die with each kill.
    if (dup.killWindow > kills * (o.concurrency ?? 8)) problems.push(`${dup.killWindow} kill-window duplicates for ${kills} kills`);

    const figures = {
      cells: planned.length, kills, runs, wallSeconds: Math.round((Date.now() - t0) / 100) / 10,
      succeeded: statuses.succeeded ?? 0, failed: statuses.failed ?? 0, failedBy, outputsVerified: verified,
      submissions: stats.submissions, duplicates: dup.lostResult + dup.lostSubmitFault + dup.killWindow + dup.unexplained, duplicatesBy: dup,
      lostOutputs: planned.length - verified - (statuses.failed ?? 0), resultsDroppedByFal: [...lostEvents.values()].reduce((a, b) => a + b, 0),
      faultsInjected: stats.faults, tempFilesLeft: temps.length,
    };
    return { figures, problems, dir };
  } finally {
    emu.child.kill('SIGTERM');
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}
