import type { IndexPass } from './ingest-log.js';

/**
 * Paces acknowledged batches while the writer is behind. Without it, ingest ran freely
 * until the backlog hit its cap and then every sender waited for a whole indexing pass
 * (~0.5 s for 32k spans): a few acks took that long and the rest none. While more than
 * `paceAbove` spans wait, each batch is instead let through at the rate the writer has
 * been indexing (a leaky bucket over its measured passes), so every sender waits a little,
 * about a batch's share of a pass, and the backlog stays near `paceAbove`. Pure: the clock
 * is passed in.
 */
export class IntakePacer {
  /** Spans per ms the writer indexes, smoothed over recent passes; 0 until the first. */
  private rate = 0;
  /** When the batches let through so far have been indexed, at `rate`. */
  private busyUntil = 0;
  /** When a batch last had to wait; -Infinity until one did. */
  private lastPacedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly paceAbove: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A pass committed. Small passes (a search's, or a quiet stream's) say little about the rate. */
  passed(pass: IndexPass): void {
    if (pass.spans < this.paceAbove / 4 || pass.ms <= 0) return;
    const rate = pass.spans / pass.ms;
    this.rate = this.rate === 0 ? rate : 0.7 * this.rate + 0.3 * rate;
  }

  /** Milliseconds a batch of `spans` should wait before it is answered, with `backlog` spans waiting to be indexed. */
  delay(spans: number, backlog: number): number {
    const t = this.now();
    if (backlog <= this.paceAbove || this.rate === 0) {
      this.busyUntil = t;
      return 0;
    }
    this.busyUntil = Math.max(this.busyUntil, t) + spans / this.rate;
    this.lastPacedAt = t;
    return this.busyUntil - t;
  }

  /** Whether a batch had to wait within the last `ms`: the writer is behind, or was a moment ago. */
  pacedWithin(ms: number): boolean {
    return this.now() - this.lastPacedAt <= ms;
  }
}
