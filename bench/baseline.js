#!/usr/bin/env node
// The script a user would write instead of shotlist: p-limit at the account's concurrency,
// `fal.subscribe(endpoint, {input})` with the client's default options (polling every 500 ms),
// then `fetch` the video to disk. No journal, lockfile, hashing or probing.
//
//   node bench/baseline.js <emulator url> <inputs.json> <out dir> <concurrency> <timings.json>
//
// inputs.json: [{id, endpoint, input}]. Writes timings.json: [{id, requestId, heldAt, savedAt}]
// (ms since the epoch: result in hand, file on disk), read by bench/scheduling.js.
import { createFalClient } from '@fal-ai/client';
import pLimit from 'p-limit';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const [url, inputsFile, outDir, concurrency, timingsFile] = process.argv.slice(2);
const cells = JSON.parse(readFileSync(inputsFile, 'utf8'));
mkdirSync(outDir, { recursive: true });

// Pointed at the emulator the way shotlist --emulator-url is; against fal it would be `credentials`.
const fal = createFalClient({ credentials: 'bench', proxyUrl: { url, when: 'always' }, suppressLocalCredentialsWarning: true });
const limit = pLimit(Number(concurrency));
const timings = [];

await Promise.all(cells.map((cell) => limit(async () => {
  const { data, requestId } = await fal.subscribe(cell.endpoint, { input: cell.input });
  const heldAt = Date.now();
  const res = await fetch(data.video.url);
  await writeFile(join(outDir, `${cell.id}.mp4`), Buffer.from(await res.arrayBuffer()));
  timings.push({ id: cell.id, requestId, heldAt, savedAt: Date.now() });
})));

writeFileSync(timingsFile, JSON.stringify(timings));
