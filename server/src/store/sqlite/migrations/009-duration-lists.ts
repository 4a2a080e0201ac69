import type Database from 'better-sqlite3';
import { durationBucketOf } from '../duration-buckets.js';
import { durationListParams, INSERT_DURATION_LIST, toDurationListRow, type DurationEntry } from '../duration-lists.js';

/**
 * The duration index as one row per (operation, bucket, indexing pass) holding the pass's
 * spans (duration-lists.ts) instead of a second B-tree entry per span_index row. Lists are
 * found by (operation, bucket) newest first, and dropped by retention by their newest start.
 */
export const sql = `
CREATE TABLE duration_lists (
  list_id        INTEGER PRIMARY KEY,
  op_id          INTEGER NOT NULL,
  bucket         INTEGER NOT NULL,
  first_start_ns INTEGER NOT NULL,
  last_start_ns  INTEGER NOT NULL,
  n              INTEGER NOT NULL,
  entries        BLOB NOT NULL
);
CREATE INDEX duration_lists_by_op ON duration_lists (op_id, bucket, last_start_ns);
CREATE INDEX duration_lists_by_start ON duration_lists (last_start_ns);
`;

/**
 * A converted list ends at this many spans or once it covers this much time: a list is
 * read whole by a search whose window it reaches into, so keep it about a pass's size, and
 * a sparse (operation, bucket) from spanning the whole retention in one list.
 */
const LIST_SIZE = 2_048;
const LIST_SPAN_NS = 10n * 60n * 1_000_000_000n;
const PROGRESS_EVERY = 1_000_000;
const PAGE_ROWS = 100_000;

type IndexRow = [bigint, bigint, bigint, bigint, bigint];

/** Lists every span_index row (an operation at a time, read in start order), then drops the old index. */
export function convert(db: Database.Database, progress: (done: number) => void): void {
  const insert = db.prepare(INSERT_DURATION_LIST);
  const ops = db.prepare<[], number>('SELECT op_id FROM span_ops').pluck().all();
  // Read in pages: the connection cannot write while a read iterates.
  const page = db
    .prepare<[number, bigint, bigint, bigint, number], IndexRow>(
      `SELECT start_ns, trace_num, span_id, duration_ns, is_error FROM span_index
       WHERE op_id = ? AND (start_ns, trace_num, span_id) > (?, ?, ?) ORDER BY start_ns, trace_num, span_id LIMIT ?`,
    )
    .raw()
    .safeIntegers(true);
  let done = 0;
  for (const op of ops) {
    const groups = new Map<number, DurationEntry[]>();
    const flush = (bucket: number, entries: DurationEntry[]) => {
      insert.run(...durationListParams(toDurationListRow(op, bucket, entries)));
      groups.delete(bucket);
    };
    let after: [bigint, bigint, bigint] = [-(2n ** 63n), 0n, 0n];
    for (let rows = page.all(op, ...after, PAGE_ROWS); rows.length > 0; rows = page.all(op, ...after, PAGE_ROWS)) {
      for (const [startNs, traceNum, spanId, durationNs, isError] of rows) {
        const bucket = durationBucketOf(durationNs);
        let entries = groups.get(bucket);
        if (!entries || startNs - entries[0]!.startNs > LIST_SPAN_NS) {
          if (entries) flush(bucket, entries);
          groups.set(bucket, (entries = []));
        }
        entries.push({ startNs, durationNs, traceNum: Number(traceNum), spanId, isError: Number(isError) });
        if (entries.length >= LIST_SIZE) flush(bucket, entries);
        if (++done % PROGRESS_EVERY === 0) progress(done);
      }
      const last = rows[rows.length - 1]!;
      after = [last[0], last[1], last[2]];
    }
    for (const [bucket, entries] of groups) flush(bucket, entries);
  }
  db.exec('DROP INDEX span_index_by_duration_bucket');
}
