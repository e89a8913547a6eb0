import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** shotlist's own version, from package.json (recorded in lockfiles and reports). */
export const VERSION: string = (require('../package.json') as { version: string }).version;

/** The @fal-ai/client version actually installed (recorded in lockfiles). Its package.json is not exported. */
export function falClientVersion(): string {
  try {
    const entry = require.resolve('@fal-ai/client'); // .../@fal-ai/client/src/index.js
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}
