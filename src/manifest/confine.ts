// Local paths in a manifest (keyframes, reference videos, LoRAs, OpenAPI files) must stay inside
// the manifest's folder, after symlinks are resolved: a manifest from a pull request must not be
// able to make shotlist hash and upload `~/.ssh/id_rsa` or `/etc/passwd` to fal.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export type Confined = { abs: string; real?: string; outside?: false } | { abs: string; outside: true; via: 'path' | 'symlink' };

function inside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

const realDirs = new Map<string, string>();

/**
 * Where a manifest path points, and whether it leaves the manifest's folder. `real` is the
 * symlink-free path to open (absent when the file does not exist: the caller reports that).
 */
export function confine(manifestDir: string, given: string): Confined {
  const abs = isAbsolute(given) ? resolve(given) : resolve(manifestDir, given);
  if (!inside(manifestDir, abs)) return { abs, outside: true, via: 'path' };
  let dir = realDirs.get(manifestDir);
  if (!dir) { dir = realpathSync(manifestDir); realDirs.set(manifestDir, dir); }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    // Missing: still refuse it if the part that exists leads out (`up/nothing.png`, `up` -> `..`).
    let p = dirname(abs);
    while (inside(manifestDir, p)) {
      try {
        if (!inside(dir, realpathSync(p))) return { abs, outside: true, via: 'symlink' };
        break;
      } catch {
        if (p === manifestDir) break;
        p = dirname(p);
      }
    }
    return { abs };
  }
  if (!inside(dir, real)) return { abs, outside: true, via: 'symlink' };
  return { abs, real };
}

export const CONFINE_FIX = 'local files must be inside the manifest\'s folder (symlinks are followed and must stay inside too); copy the file there, or give an https:// URL';
