import type { StoreLogger } from '../store/sqlite/sqlite-store.js';
import { LogRateLimiter } from './log-rate-limiter.js';

/**
 * The store's logger with its warnings and errors rate-limited per message: on a full
 * disk the writer reports every failed batch, and a refused batch per request would
 * otherwise log a line per request. Each message has its own allowance, so a flood of one
 * never hides a different one (a worker crash).
 */
export function rateLimitedStoreLogger(logger: StoreLogger, perSecond = 1, now: () => number = Date.now): StoreLogger {
  const limiters = new Map<string, LogRateLimiter>();
  const limited = (write: (fields: object, msg: string) => void) => (fields: object, msg: string) => {
    let limiter = limiters.get(msg);
    if (!limiter) limiters.set(msg, (limiter = new LogRateLimiter(perSecond, now)));
    const suppressed = limiter.take();
    if (suppressed === null) return;
    write(suppressed > 0 ? { ...fields, suppressed } : fields, msg);
  };
  return {
    info: (fields, msg) => logger.info(fields, msg),
    warn: limited((fields, msg) => logger.warn(fields, msg)),
    error: limited((fields, msg) => logger.error(fields, msg)),
  };
}
