/**
 * At most `perSecond` log lines a second for one kind of event: a flood of failures (a full
 * disk, an overloaded collector) must not become a flood of log lines. `take()` says whether
 * a line may be written now, and how many were left out since the last one written.
 */
export class LogRateLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private linesInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** null: leave this line out. Otherwise the number of lines left out before it. */
  take(): number | null {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow >= this.perSecond) {
      this.suppressed++;
      return null;
    }
    this.linesInWindow++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    return suppressed;
  }
}
