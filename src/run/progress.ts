// What the user sees while a run goes: on a terminal a live line redrawn in place on stderr;
// elsewhere (CI logs) a plain line every few seconds; nothing with --quiet.
import type { Progress } from './engine.js';

export interface ProgressViewOptions {
  stream: NodeJS.WriteStream;
  mode: 'live' | 'lines' | 'quiet';
  /** Plain-line interval (ms). */
  everyMs?: number;
}

function fmtTime(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class ProgressView {
  private last?: Progress;
  private readonly started = Date.now();
  private timer?: NodeJS.Timeout;
  private drawn = false;
  private ended = false;

  constructor(private readonly opts: ProgressViewOptions) {
    if (opts.mode === 'quiet') return;
    this.timer = setInterval(() => this.draw(), opts.mode === 'live' ? 200 : opts.everyMs ?? 5000);
    this.timer.unref();
  }

  update(p: Progress): void {
    this.last = p;
  }

  line(p: Progress): string {
    const elapsed = Date.now() - this.started;
    const finished = p.done + p.failed;
    const remaining = p.queued + p.running;
    const eta = finished > 0 && remaining > 0 ? ` · ETA ${fmtTime((elapsed / finished) * remaining)}` : '';
    return `${p.queued} queued · ${p.running} running · ${p.done} done · ${p.failed} failed` +
      (p.cached ? ` · ${p.cached} cached` : '') +
      ` · ${fmtTime(elapsed)}${eta} · spent ~$${p.spentUsd.toFixed(2)} of ~$${p.estimateUsd.toFixed(2)}`;
  }

  private draw(): void {
    if (!this.last) return;
    if (this.opts.mode === 'live') {
      this.opts.stream.write(`\r\x1b[K${this.line(this.last)}`);
      this.drawn = true;
    } else if (this.opts.mode === 'lines') {
      this.opts.stream.write(`${this.line(this.last)}\n`);
    }
  }

  /** A message printed above the live line. */
  note(text: string): void {
    if (this.opts.mode === 'quiet') return;
    if (this.drawn) this.opts.stream.write('\r\x1b[K');
    this.opts.stream.write(`${text}\n`);
    if (this.opts.mode === 'live') this.draw();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    if (this.opts.mode === 'quiet' || !this.last) return;
    if (this.opts.mode === 'live') this.opts.stream.write(`\r\x1b[K${this.line(this.last)}\n`);
    else this.opts.stream.write(`${this.line(this.last)}\n`);
  }
}
