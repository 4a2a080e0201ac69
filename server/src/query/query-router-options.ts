import type { Response } from 'express';
import { AppError } from '../app-error.js';

/** The one logging call the query routers make; pino's `Logger` satisfies it. */
export interface ErrorLogger {
  error(details: object, message: string): void;
}

export interface QueryRouterOptions {
  /** Receives unexpected errors, which the client only sees as a generic 500. Default: stderr. */
  logger?: ErrorLogger;
  /** Current Unix time in nanoseconds; injectable so tests can pin default time windows. */
  now?: () => bigint;
}

export const systemNow = (): bigint => BigInt(Date.now()) * 1_000_000n;

const stderrLogger: ErrorLogger = {
  error: (details, message) => console.error(message, details),
};

export function loggerOf(options: QueryRouterOptions): ErrorLogger {
  return options.logger ?? stderrLogger;
}

export interface HttpFailure {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
}

/**
 * What the client may be told about an error. AppErrors and express's own 4xx errors
 * (a path parameter that is not valid percent-encoding) carry safe messages; anything
 * else is logged and becomes a generic 500 so no internals leak.
 */
export function toHttpFailure(err: unknown, logger: ErrorLogger): HttpFailure {
  if (err instanceof AppError) {
    return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && err instanceof Error) {
    return { status, code: 'bad_request', message: err.message, headers: {} };
  }
  logger.error({ err }, 'query API request failed');
  return { status: 500, code: 'internal', message: 'internal server error', headers: {} };
}

/**
 * For an error handler: true (and the connection cut) when the answer had already begun,
 * as a streamed body has. The status line is gone; only cutting the connection tells the
 * client the body is incomplete.
 */
export function cutIfAnswerBegan(res: Response): boolean {
  if (!res.headersSent) return false;
  res.destroy();
  return true;
}
