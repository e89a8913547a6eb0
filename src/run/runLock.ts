// One shotlist process per run folder: `<out>/.shotlist.lock` holds the owner's pid. A lock whose
// pid is no longer alive (kill -9, power loss) is stale and taken over.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
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
  for (let attempt = 0; attempt < 3; attempt++) {
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
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch { /* vanished between calls: retry */ }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new RunFolderBusy(path, pid);
      try {
        unlinkSync(path); // stale
      } catch { /* someone else took it over */ }
    }
  }
  throw new RunFolderBusy(path, NaN);
}
