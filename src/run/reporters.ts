// Calling reporter hooks in order, each isolated: a reporter that throws is reported and turns the
// exit status red, but never stops the run (Playwright's reporters/multiplexer.ts).
import type { Reporter } from '../types.js';

type Hook = 'onPlan' | 'onCellStart' | 'onCellEnd' | 'onEnd';

export class Reporters {
  readonly errors: string[] = [];
  constructor(private readonly list: Reporter[], private readonly note?: (line: string) => void) {}

  async call<H extends Hook>(hook: H, ...args: Parameters<NonNullable<Reporter[H]>>): Promise<void> {
    for (const r of this.list) {
      const fn = r[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (!fn) continue;
      try {
        await fn.apply(r, args);
      } catch (err) {
        const msg = `reporter ${r.name} failed in ${hook}: ${(err as Error)?.message ?? String(err)}`;
        this.errors.push(msg);
        this.note?.(msg);
      }
    }
  }
}
