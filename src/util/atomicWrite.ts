import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/**
 * Writes through `<path>.<pid>.tmp` and a rename, so a reader or a crash never sees half a file,
 * and removes the temp file when the write fails (disk full, read-only). With `ifChanged`, a file
 * that already holds exactly this text is left alone (git and mtimes stay quiet) and the result
 * is false.
 */
export async function writeFileAtomic(path: string, text: string, opts: { ifChanged?: boolean } = {}): Promise<boolean> {
  if (opts.ifChanged) {
    try {
      if ((await readFile(path, 'utf8')) === text) return false;
    } catch { /* a new file */ }
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  return true;
}
