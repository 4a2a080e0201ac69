import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from './app-error.js';

/** Safe, fixed texts for errors raised by express and its middleware (their own messages may hold file paths). */
const GENERIC_MESSAGES: Record<number, string> = {
  400: 'bad request',
  404: 'not found',
  405: 'method not allowed',
  413: 'request body too large',
  415: 'unsupported media type',
};

/** Maps errors that escaped a router to `{"error":{code,message}}`; internals never reach the client. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof AppError) {
      res.set(err.headers).status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'unhandled error');
    const message = status === 500 ? 'internal server error' : (GENERIC_MESSAGES[status] ?? 'bad request');
    res.status(status).json({ error: { code: status === 500 ? 'internal' : status === 404 ? 'not_found' : 'bad_request', message } });
  };
}

/** The last route: unknown paths get a JSON 404 rather than express's HTML page. */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `no route for ${req.method} ${req.path.slice(0, 200)}` } });
};
