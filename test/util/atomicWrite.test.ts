import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/util/atomicWrite.js';

let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('writeFileAtomic', () => {
  it('writes the text, and with ifChanged leaves a file that already holds it untouched', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shotlist-atomic-'));
    const path = join(dir, 'a.lock.json');
    expect(await writeFileAtomic(path, '{"v":1}\n', { ifChanged: true })).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"v":1}\n');
    utimesSync(path, new Date(0), new Date(0));
    expect(await writeFileAtomic(path, '{"v":1}\n', { ifChanged: true })).toBe(false);
    expect(statSync(path).mtimeMs).toBe(0);
    expect(await writeFileAtomic(path, '{"v":2}\n', { ifChanged: true })).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}\n');
    expect(readdirSync(dir)).toEqual(['a.lock.json']);
  });

  it('leaves neither a half file nor its temp file when the rename fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'shotlist-atomic-'));
    const path = join(dir, 'report.html');
    mkdirSync(path); // a folder where the file should go: the rename fails
    writeFileSync(join(path, 'keep'), 'x');
    await expect(writeFileAtomic(path, '<html>')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['report.html']);
    expect(readdirSync(path)).toEqual(['keep']);
  });
});
