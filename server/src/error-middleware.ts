import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError } from './app-error.js';

/** Maps errors that escaped a router to `{"error":{code,message}}`; internals never reach the client. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof AppError) {
      res.set(err.headers).status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    // body-parser and express errors carry a status and a safe message.
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) logger.error({ err }, 'unhandled error');
    res.status(status).json({ error: { code: status === 500 ? 'internal' : 'bad_request', message: status === 500 ? 'internal server error' : String(err.message) } });
  };
}
