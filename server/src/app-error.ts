/**
 * The one error type that carries an HTTP status. Receivers and the query API throw
 * it; the error middleware maps it to a response. `code` is a short machine-readable
 * reason that tests and clients can match on.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AppError(400, code, message);
export const notFound = (message: string, code = 'not_found') => new AppError(404, code, message);

/**
 * `make()` with V8 capturing no stack trace for the errors it creates: for refusals made by
 * the hundred a second under overload, whose stacks nobody reads (ingest-queue.ts).
 */
export function withoutStackTrace<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
