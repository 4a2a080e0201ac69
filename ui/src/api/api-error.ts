/** Every failure of a call to the Threadline API, including "could not reach it at all". */

/** `unreachable` (no HTTP response), `bad_response` (not the JSON we expect), or the server's own error code. */
export type ApiErrorCode = 'unreachable' | 'bad_response' | 'not_found' | (string & {});

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNotFound(): boolean {
    return this.status === 404 || this.code === 'not_found';
  }

  get isUnreachable(): boolean {
    return this.code === 'unreachable';
  }
}
