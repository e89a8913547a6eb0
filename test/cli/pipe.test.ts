// A reader that goes away early (`shotlist plan --json | head`) gets no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

describe('a closed stdout', () => {
  it('plan --json | head: exits 0 with nothing on stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shotlist-pipe-'));
    try {
      cpSync(join(ROOT, 'manifests'), dir, { recursive: true });
      // 300 cells: far more JSON than a pipe buffer holds.
      const text = readFileSync(join(dir, 'lora-sweep.yaml'), 'utf8').replace(/^  seeds: 2\b/m, '  seeds: 50').replace(/max_cost_usd: 2\b/, 'max_cost_usd: 100');
      expect(text).toMatch(/^  seeds: 50/m);
      writeFileSync(join(dir, 'big.yaml'), text);
      // Exactly as a user types it: the shell closes the pipe when `head` has its bytes.
      const err = join(dir, 'stderr.txt');
      const cmd = `"${process.execPath}" "${join(ROOT, 'bin', 'shotlist.js')}" plan big.yaml --json 2>"${err}" | head -c 20; exit "\${PIPESTATUS[0]}"`;
      const r = spawnSync('bash', ['-c', cmd], { cwd: dir, encoding: 'utf8' });
      expect(r.stdout.startsWith('{')).toBe(true);
      expect(readFileSync(err, 'utf8')).toBe('');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
