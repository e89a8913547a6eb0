// Hand-made lockfile + journal for report tests: a 3-seed x 2-scale sweep over two LoRA paths,
// a plain shot, a 422 failure with fal's detail, a conformance flag, a cell lost in run r1 and
// finished in r2, a cached cell, and a prompt that tries to inject HTML.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEvent, JsonObject, LockedCell, Lockfile } from '../../src/types.js';
import { toStableFile } from '../../src/util/stableJson.js';

export const XSS_PROMPT = 'a cat <script>window.__xss=1</script> <img src=x onerror="window.__xss=2"> | pipes & "quotes"';
export const ENDPOINT = 'fal-ai/ltx-2.3-quality/reference-video-to-video/lora';

export interface Fixture {
  lock: Lockfile;
  journal: JournalEvent[];
  /** Cell ids whose outputs exist (relative to the lockfile's folder). */
  outputs: Record<string, string>;
}

const t = (s: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, 0) + s * 1000).toISOString();

/** `runDir` relative to the lockfile's folder: the journal records the lockfile relative to the run folder. */
export function makeFixture(opts: { lockFromRun?: string; seeds?: number[]; scales?: number[]; paths?: string[] } = {}): Fixture {
  const seeds = opts.seeds ?? [1, 2, 3];
  const scales = opts.scales ?? [0.5, 1];
  const paths = opts.paths ?? ['loras/a.safetensors', 'loras/b.safetensors'];
  const cells: Record<string, LockedCell> = {};
  const outputs: Record<string, string> = {};
  let n = 0;
  const id = () => `c${(++n).toString(16).padStart(11, '0')}`;
  const ids: string[] = [];
  for (const path of paths) {
    for (const scale of scales) {
      for (const seed of seeds) {
        const cid = id();
        ids.push(cid);
        const input: JsonObject = {
          prompt: n === 1 ? XSS_PROMPT : `a lighthouse at dusk, take ${n}`,
          seed,
          num_frames: 121,
          loras: [{ path: { path, sha256: 'ab'.repeat(32) }, scale }],
        };
        cells[cid] = {
          id: cid,
          shot: 'harbour',
          sweep: { seed, 'loras[0].scale': scale, 'loras[0].path': path },
          endpoint: ENDPOINT,
          input,
          seed,
          seedUsed: seed,
          requestId: `req-${cid}`,
          status: 'succeeded',
          output: { file: `outputs/harbour/${cid}.mp4`, sha256: 'cd'.repeat(32), size: 1000, contentType: 'video/mp4', meta: { width: 64, height: 64, numFrames: 9, fps: 24, duration: 0.375, codec: 'avc1' } },
          flags: [],
          estimateUsd: 0.3032,
        };
        outputs[cid] = `outputs/harbour/${cid}.mp4`;
      }
    }
  }
  // A 422 failure with fal's detail (no output).
  const failed = cells[ids[1]];
  failed.status = 'failed';
  delete failed.output;
  delete outputs[failed.id];
  failed.error = { kind: 'validation', status: 422, message: 'num_frames: ensure this value is <= 257 | and <b>bold</b>', detail: [{ loc: ['body', 'num_frames'], msg: 'ensure this value is <= 257', type: 'value_error' }] };
  // A conformance flag.
  cells[ids[2]].flags = ['frames: requested 241, got 145 (fal caps 720p-class at 150)'];
  // A plain shot with no sweep, cached (no journal events).
  const plain = id();
  cells[plain] = {
    id: plain, shot: 'credits', sweep: {}, endpoint: 'fal-ai/ltx-video-lora/multiconditioning',
    input: { prompt: 'rolling credits', number_of_frames: 89 }, seed: null, seedUsed: 42, requestId: `req-${plain}`, status: 'succeeded',
    output: { file: `outputs/credits/${plain}.mp4`, sha256: 'ef'.repeat(32), size: 900, contentType: 'video/mp4' }, flags: [], estimateUsd: 0.2,
  };
  outputs[plain] = `outputs/credits/${plain}.mp4`;

  const lockfile = opts.lockFromRun ?? '../../harbour.lock.json';
  const lock: Lockfile = {
    version: 1,
    tool: { name: 'shotlist', version: '0.1.0' },
    client: { name: '@fal-ai/client', version: '1.10.1' },
    manifest: { path: 'harbour.yaml', sha256: '00'.repeat(32) },
    target: 'emulator',
    cells,
  };

  const journal: JournalEvent[] = [];
  const base = { v: 1 as const };
  const lost = ids[3];
  // Run r1: everything but the plain shot; `lost` is lost and r1 crashes (no run-end).
  journal.push({ ...base, t: t(0), run: 'r1', type: 'run-start', manifest: 'harbour.yaml', lockfile, manifestSha256: '00'.repeat(32), cells: ids, target: 'emulator' });
  let s = 1;
  for (const cid of ids) {
    const c = cells[cid];
    const rid = cid === lost ? 'req-lost' : `req-${cid}`;
    journal.push({ ...base, t: t(s), run: 'r1', type: 'submitted', cell: cid, endpoint: ENDPOINT, requestId: rid, attempt: 1 });
    if (cid === lost) {
      journal.push({ ...base, t: t(s + 1), run: 'r1', type: 'lost', cell: cid, requestId: rid, reason: 'request expired on the server (result older than 1 h)' });
      continue;
    }
    journal.push({ ...base, t: t(s + 2), run: 'r1', type: 'started', cell: cid, requestId: rid });
    if (c.status === 'failed') {
      journal.push({ ...base, t: t(s + 5), run: 'r1', type: 'failed', cell: cid, requestId: rid, error: c.error! });
    } else {
      journal.push({ ...base, t: t(s + 7), run: 'r1', type: 'completed', cell: cid, requestId: rid, output: { video: { url: `http://127.0.0.1:1/${cid}.mp4` } } });
      journal.push({ ...base, t: t(s + 8), run: 'r1', type: 'downloaded', cell: cid, requestId: rid, file: c.output!.file, sha256: c.output!.sha256, size: c.output!.size });
    }
    s += 1;
  }
  // Run r2: re-runs the lost cell to success.
  journal.push({ ...base, t: t(100), run: 'r2', type: 'run-start', manifest: 'harbour.yaml', lockfile, manifestSha256: '00'.repeat(32), cells: [lost], target: 'emulator' });
  journal.push({ ...base, t: t(101), run: 'r2', type: 'submitted', cell: lost, endpoint: ENDPOINT, requestId: `req-${lost}`, attempt: 1 });
  journal.push({ ...base, t: t(103), run: 'r2', type: 'started', cell: lost, requestId: `req-${lost}` });
  journal.push({ ...base, t: t(110), run: 'r2', type: 'completed', cell: lost, requestId: `req-${lost}`, output: {} });
  journal.push({ ...base, t: t(110.5), run: 'r2', type: 'downloaded', cell: lost, requestId: `req-${lost}`, file: cells[lost].output!.file, sha256: 'cd'.repeat(32), size: 1000 });
  journal.push({ ...base, t: t(111), run: 'r2', type: 'run-end', status: 'completed', counts: { succeeded: 1 } });
  return { lock, journal, outputs };
}

export const IDS = { xss: 'c00000000001', failed: 'c00000000002', flagged: 'c00000000003', lost: 'c00000000004', take5: 'c00000000005', plain: 'c0000000000d' };

/** Writes the fixture as a run folder: lockfile and outputs in `root`, journal in `root/runDir`. */
export function writeRunFolder(root: string, fx: Fixture, runDir = 'runs/one', videos?: (cellId: string) => Uint8Array): string {
  const dir = join(root, runDir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'harbour.lock.json'), toStableFile(fx.lock));
  writeFileSync(join(dir, 'journal.jsonl'), fx.journal.map((e) => JSON.stringify(e)).join('\n') + '\n');
  for (const [cid, file] of Object.entries(fx.outputs)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), videos ? videos(cid) : new Uint8Array([0]));
  }
  return dir;
}
