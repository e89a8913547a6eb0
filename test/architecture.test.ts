import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

// The import rules of docs/architecture.md, checked so the stages keep one direction:
// Manifest -> Plan -> run -> reports; reporters never reach back into the runner.
const SRC = resolve(__dirname, '..', 'src');
const ALLOWED: Record<string, string[]> = {
  util: ['types'],
  endpoints: ['types', 'util', 'version'],
  manifest: ['types', 'util', 'endpoints', 'version'],
  plan: ['types', 'util', 'endpoints', 'manifest', 'version'],
  emulator: ['types', 'util', 'endpoints', 'version'],
  run: ['types', 'util', 'endpoints', 'plan', 'manifest', 'version'],
  report: ['types', 'util', 'endpoints', 'version'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** `src/run/engine.ts` -> `run`; `src/types.ts` -> `types`. */
function area(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  return rel.length === 1 ? rel[0].replace(/\.ts$/, '') : rel[0];
}

const violations: string[] = [];
for (const file of sourceFiles(SRC)) {
  const from = area(file);
  const allowed = ALLOWED[from];
  if (!allowed) continue; // cli/, index.ts and the leaves may import anything below them
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s+|import\s*\(?\s*)['"](\.[^'"]+)['"]/g)) {
    const to = area(resolve(dirname(file), m[1]).replace(/\.js$/, '.ts'));
    if (to !== from && !allowed.includes(to)) violations.push(`${relative(SRC, file)} imports ${m[1]} (${from} may not import ${to})`);
  }
}

describe('architecture', () => {
  it('keeps the import rules of docs/architecture.md', () => {
    expect(violations).toEqual([]);
  });
});
