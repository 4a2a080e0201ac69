import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import { convertLegacySpans, type ConversionLog } from './legacy-conversion.js';
import { applyMigrations } from './migrate.js';
import { SpanWriter } from './span-writer.js';

/** The writer owns the schema; readers only query. `:memory:` has one connection doing both. */
export type ConnectionRole = 'writer' | 'reader';

const PAGE_SIZE = 8192;
/** Spills a little past one busy ingest burst before the WAL file is cut back after a checkpoint. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;
const BUSY_TIMEOUT_MS = 5000;
/**
 * Page cache per connection, in KiB (SQLite takes a negative cache_size as KiB). The
 * reader's serves queries over the whole file. The writer's holds what a pass touches: the
 * ends of the indexes it appends to, and summaries of traces still arriving. 16 MiB
 * indexed as fast as 32 under full-speed ingest and took ~40 MB off the peak RSS
 * (OTLP/HTTP, 600k spans, 4 senders: 420–427 against 461–467 MB; 8 MiB: 379–406 MB, with a
 * little more CPU per span).
 */
const CACHE_KIB: Record<ConnectionRole, number> = { writer: 16 * 1024, reader: 32 * 1024 };

/**
 * Opens a connection with the pragmas of its role. The writer also migrates, so a reader
 * must be opened only after a writer has. Throws StoreVersionError for a newer schema.
 * Spans of a storage v1 database are converted first, with progress on `log`.
 */
export function openDatabase(path: string, role: ConnectionRole, log: ConversionLog = () => {}): Database.Database {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma(`cache_size = -${CACHE_KIB[role]}`);
    db.pragma('temp_store = MEMORY');
    if (role === 'writer') {
      // page_size only takes effect before the first table exists, and not at all in WAL mode.
      db.pragma(`page_size = ${PAGE_SIZE}`);
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL still survives a process kill; only an OS crash can lose the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
      // A new file's migrations take no time; an existing one's may (on the log, so a slow start is explained).
      applyMigrations(
        db,
        MIGRATIONS,
        (m, found) => {
          if (found > 0) log('migrating the database', { toVersion: m.version, migration: m.name });
        },
        (m, rows) => log('migrating the database: rows converted so far', { migration: m.name, rows }),
      );
      convertLegacySpans(db, new SpanWriter(db), log);
      // SQLite's advice for long-lived connections. The limit keeps ANALYZE to a sample:
      // unbounded, it read a whole 16 GB database (40 s) before the first listener opened.
      db.pragma('analysis_limit = 400');
      db.pragma('optimize = 0x10002');
    } else {
      db.pragma('query_only = ON');
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
