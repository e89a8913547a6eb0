// One shotlist process per run folder: `<out>/.shotlist.lock` holds the owner's pid. A lock whose
// pid is no longer alive (kill -9, power loss) is stale and taken over.
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class RunFolderBusy extends Error {
  constructor(readonly lockPath: string, readonly pid: number) {
    super(`another shotlist process (pid ${pid}) is using ${lockPath.replace(/\/\.shotlist\.lock$/, '')}; wait for it to finish, or remove ${lockPath} if that process is gone`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock or throws RunFolderBusy. Returns a release function (idempotent). */
export function acquireRunLock(outDir: string): () => void {
  const path = join(outDir, '.shotlist.lock');
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
        } catch { /* already gone */ }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = NaN;
      let text = '';
      try {
        text = readFileSync(path, 'utf8').trim();
        pid = Number(text);
      } catch { continue; /* vanished between calls: retry */ }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new RunFolderBusy(path, pid);
      // Empty and fresh: its owner is between creating and writing it. Not stale.
      if (!text && fresh(path)) { sleepSync(20); continue; }
      takeOver(path, pid);
    }
  }
  throw new RunFolderBusy(path, NaN);
}

/**
 * Removes a stale lock so that two processes finding it at once cannot both remove it (the second
 * would delete the first's fresh lock): whoever creates `<lock>.takeover` first does it, after
 * checking the lock still names the same dead owner; the other finds the marker's owner alive.
 */
function takeOver(path: string, stalePid: number): void {
  const marker = `${path}.takeover`;
  try {
    writeFileSync(marker, `${process.pid}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner = NaN;
    let text = '';
    try { text = readFileSync(marker, 'utf8').trim(); owner = Number(text); } catch { return; /* just finished: retry */ }
    if (!text && fresh(marker)) { sleepSync(20); return; } // being written
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) throw new RunFolderBusy(path, owner);
    try { unlinkSync(marker); } catch { /* gone */ } // left by a process that died taking over
    return;
  }
  try {
    let now = NaN;
    try { now = Number(readFileSync(path, 'utf8').trim()); } catch { return; }
    if (Object.is(now, stalePid) && !(now === 0 && fresh(path))) {
      try { unlinkSync(path); } catch { /* gone */ }
    }
  } finally {
    try { unlinkSync(marker); } catch { /* gone */ }
  }
}

function fresh(path: string): boolean {
  try { return Date.now() - statSync(path).mtimeMs < 2000; } catch { return false; }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
