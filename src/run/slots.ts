// A counting semaphore whose permits are released explicitly (p-limit ties a permit to a whole
// async function). The engine holds a "job" permit from submit until fal reports the job done,
// then trades it for a "post" permit for the download and probe: fal's slot is refilled the
// moment a job finishes, not after our download of its output.
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Resolves with a release function (calling it more than once is harmless). */
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

/** The permits one cell holds: a job slot while fal works on it, a post slot while we download. */
export class CellSlots {
  private releaseJob?: () => void;
  private releasePost?: () => void;

  constructor(private readonly jobs: Slots, private readonly post: Slots) {}

  async startJob(): Promise<void> {
    this.releasePost?.();
    this.releasePost = undefined;
    if (!this.releaseJob) this.releaseJob = await this.jobs.acquire();
  }

  /** The job is done on fal's side: free its slot for the next submission, wait for a download slot. */
  async jobDone(): Promise<void> {
    this.releaseJob?.();
    this.releaseJob = undefined;
    if (!this.releasePost) this.releasePost = await this.post.acquire();
  }

  release(): void {
    this.releaseJob?.();
    this.releasePost?.();
    this.releaseJob = this.releasePost = undefined;
  }
}
