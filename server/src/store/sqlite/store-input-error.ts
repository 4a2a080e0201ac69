/**
 * Input the store refuses before touching the database. It crosses the worker boundary
 * as data and becomes a 400 AppError on the calling side; its message names fields,
 * never stored data or SQL.
 */
export class StoreInputError extends Error {
  constructor(
    readonly code: 'invalid_span' | 'invalid_record' | 'invalid_query',
    message: string,
  ) {
    super(message);
    this.name = 'StoreInputError';
  }
}
