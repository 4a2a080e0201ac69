/**
 * Errors a store raises while opening. They are not `AppError`s: they happen before any
 * request exists, and `main.ts` turns them into one line on stderr and an exit code.
 */

/** The database was written by a newer Threadline whose schema this build does not know. */
export class StoreVersionError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly supportedVersion: number,
  ) {
    super(
      `database schema version ${databaseVersion} is newer than this Threadline supports ` +
        `(${supportedVersion}); upgrade Threadline or use another --db`,
    );
    this.name = 'StoreVersionError';
  }
}

/** The database could not be opened or migrated (bad path, not a database, disk full, …). */
export class StoreOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreOpenError';
  }
}
