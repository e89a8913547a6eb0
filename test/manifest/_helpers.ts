import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MEDIA = join(ROOT, 'manifests', 'media');
export const LTX23 = 'fal-ai/ltx-2.3-quality/reference-video-to-video/lora';
export const LTXV = 'fal-ai/ltx-video-lora/multiconditioning';

const dirs: string[] = [];

/** A temp folder with the example media in `media/`; removed by `cleanup()`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shotlist-test-'));
  cpSync(MEDIA, join(dir, 'media'), { recursive: true });
  dirs.push(dir);
  return dir;
}

export function writeManifest(yaml: string, name = 'manifest.yaml', dir = tempDir()): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Strips the `@@` marker from a manifest and returns where it was (1-based line and column):
 * the exact spot a diagnostic must point at.
 */
export function marked(yaml: string): { text: string; line: number; column: number } {
  const at = yaml.indexOf('@@');
  if (at < 0) throw new Error('no @@ marker in test manifest');
  const before = yaml.slice(0, at).split('\n');
  return { text: yaml.replace('@@', ''), line: before.length, column: before[before.length - 1].length + 1 };
}
