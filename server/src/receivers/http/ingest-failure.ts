import type { Logger } from 'pino';
import { AppError, withoutStackTrace } from '../../app-error.js';
import { IngestRejectedError } from '../../ingest/ingest-queue.js';

/**
 * Maps whatever stopped an ingest request to the HTTP answer exporters understand:
 * refusals and store failures are retryable (429/503 with Retry-After), since the
 * data was not stored and the exporter still holds it.
 */
export function ingestFailure(err: unknown, logger: Logger): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof IngestRejectedError) {
    const status = err.reason === 'shutting_down' ? 503 : 429;
    return withoutStackTrace(() => new AppError(status, err.reason, err.message, { 'Retry-After': String(err.retryAfterSeconds) }));
  }
  logger.error({ err }, 'ingest failed');
  return new AppError(503, 'store_unavailable', 'spans could not be stored; retry later', { 'Retry-After': '5' });
}
