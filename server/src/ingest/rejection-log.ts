import type { Logger } from 'pino';
import { LogRateLimiter } from '../log/log-rate-limiter.js';

export interface Rejection {
  receiver: string;
  reason: string;
  status: number;
  client: string;
  bytes: number;
}

/**
 * One structured line per refused ingest request, at most `perSecond` lines a second; the
 * first line after a quiet spell says how many were left out.
 */
export class RejectionLog {
  private readonly limiter: LogRateLimiter;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    perSecond = 2,
    now: () => number = Date.now,
  ) {
    this.limiter = new LogRateLimiter(perSecond, now);
  }

  record(rejection: Rejection): void {
    const suppressed = this.limiter.take();
    if (suppressed === null) return;
    this.logger.warn({ ...rejection, ...(suppressed > 0 ? { suppressed } : {}) }, 'ingest request rejected');
  }
}
