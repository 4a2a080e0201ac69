import type Database from 'better-sqlite3';
import { StoreVersionError } from '../store-errors.js';
import type { Migration } from './migrations/index.js';

/**
 * Brings the schema up to the last migration, one transaction per migration, with
 * `user_version` set inside the same transaction so that a crash leaves either the old or
 * the new version, never a half-applied one. Returns the version found on open.
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  /**
   * Told before each migration runs, with the version the database had on open: on a big
   * database one can take a while (an index built over every span).
   */
  onMigration: (m: Migration, foundVersion: number) => void = () => {},
  /** Told how far a migration's data conversion got, now and then. */
  onProgress: (m: Migration, rowsDone: number) => void = () => {},
): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > migrations.length) throw new StoreVersionError(found, migrations.length);
  for (const m of migrations.slice(found)) {
    onMigration(m, found);
    db.transaction(() => {
      db.exec(m.sql);
      m.convert?.(db, (rows) => onProgress(m, rows));
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return found;
}
