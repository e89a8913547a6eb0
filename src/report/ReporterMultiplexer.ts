// Fans every hook out to the reporters. A reporter that throws is isolated (Playwright's
// reporters/multiplexer.ts): its error is printed once, the others carry on, and `failed` turns
// the run's exit status red instead of killing the run.
import type { Cell, LockedCell, Plan, Reporter, RunEnd, RunPaths } from '../types.js';

type Hook = 'onPlan' | 'onCellStart' | 'onCellEnd' | 'onEnd';

export class ReporterMultiplexer implements Reporter {
  readonly name = 'multiplexer';
  private readonly broken = new Set<Reporter>();
  private suppressed = 0;
  private threw = false;

  constructor(
    private readonly reporters: Reporter[],
    private readonly printError: (line: string) => void = (line) => console.error(line),
  ) {}

  /** True once any reporter threw: the run's exit status should not be 0. */
  get failed(): boolean {
    return this.threw;
  }

  onPlan(plan: Plan, paths: RunPaths): Promise<void> {
    return this.call('onPlan', (r) => r.onPlan?.(plan, paths));
  }
  onCellStart(cell: Cell): Promise<void> {
    return this.call('onCellStart', (r) => r.onCellStart?.(cell));
  }
  onCellEnd(cell: Cell, result: LockedCell): Promise<void> {
    return this.call('onCellEnd', (r) => r.onCellEnd?.(cell, result));
  }
  async onEnd(end: RunEnd): Promise<void> {
    await this.call('onEnd', (r) => r.onEnd?.(end));
    if (this.suppressed) this.printError(`shotlist: (${this.suppressed} more reporter error${this.suppressed === 1 ? '' : 's'} not shown)`);
  }

  private async call(hook: Hook, run: (r: Reporter) => void | Promise<void> | undefined): Promise<void> {
    for (const reporter of this.reporters) {
      try {
        await run(reporter);
      } catch (err) {
        this.threw = true;
        // Once per reporter: a hook that throws for each of 1000 cells must not flood the terminal.
        if (this.broken.has(reporter)) { this.suppressed++; continue; }
        this.broken.add(reporter);
        const message = err instanceof Error ? err.message : String(err);
        this.printError(`shotlist: reporter \`${reporter.name}\` failed in ${hook}: ${message}`);
        if (process.env.SHOTLIST_DEBUG && err instanceof Error && err.stack) this.printError(err.stack);
      }
    }
  }
}
