import type { Logger } from 'pino';

export interface Rejection {
  receiver: string;
  reason: string;
  status: number;
  client: string;
  bytes: number;
}

/**
 * One structured line per refused ingest request, at most `perSecond` lines a second: a
 * flood of refusals (a full disk, an overloaded collector) must not become a flood of
 * log lines. The first line after a quiet spell says how many were left out.
 */
export class RejectionLog {
  private windowStart = 0;
  private linesInWindow = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly perSecond = 5,
    private readonly now: () => number = Date.now,
  ) {}

  record(rejection: Rejection): void {
    const t = this.now();
    if (t - this.windowStart >= 1000) {
      this.windowStart = t;
      this.linesInWindow = 0;
    }
    if (this.linesInWindow >= this.perSecond) {
      this.suppressed++;
      return;
    }
    this.linesInWindow++;
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.logger.warn({ ...rejection, ...(suppressed > 0 ? { suppressed } : {}) }, 'ingest request rejected');
  }
}
