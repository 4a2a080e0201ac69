import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringAttr, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeDurationList } from './duration-lists.js';
import { openDatabase } from './open-database.js';
import { buildPreparedBatch } from './prepared-batch.js';
import { packBatch } from './packed-batch.js';
import { createStoreOperations } from './store-operations.js';
import { at, spanIdOf, storedPostings, testSpan, traceIdOf } from './test-spans.js';
import type { StoreOperations } from './worker-protocol.js';

const packed = (spans: Parameters<typeof buildPreparedBatch>[0]) => packBatch(buildPreparedBatch(spans));

const LIMIT = 4 * 1024 * 1024;
const CHECKPOINT = { everyCommits: 200, everyMs: 30_000 };

let dir: string;
let file: string;
let db: Database.Database;
let ops: Partial<StoreOperations>;
let errors: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-size-guard-'));
  file = path.join(dir, 'threadline.db');
  db = openDatabase(file, 'writer');
  errors = [];
  ops = createStoreOperations(db, 'writer', CHECKPOINT, (_level, msg) => errors.push(msg), LIMIT);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string) => db.prepare(sql).pluck().get() as number;
const fileBytes = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Trace `n`: 40 spans starting at second `n`, each with attributes of its own (postings that differ per trace). */
function trace(n: number): Span[] {
  return Array.from({ length: 40 }, (_, i) =>
    testSpan({
      traceId: traceIdOf(n),
      spanId: spanIdOf(n * 100 + i + 1),
      parentSpanId: i === 0 ? '' : spanIdOf(n * 100 + 1),
      name: `op ${i % 8}`,
      startTimeUnixNano: at(n * 1000 + i),
      endTimeUnixNano: at(n * 1000 + i + 2),
      attributes: [stringAttr('request.id', `${n}-${i}`), stringAttr('user', `u${n % 97}`), stringAttr('payload', `${n}:${i}:`.repeat(20))],
    }),
  );
}

describe('--max-db-size in the writer', () => {
  it('evicts the oldest traces after commits, before db + WAL pass the limit, and leaves no index rows of evicted traces', async () => {
    let maxFiles = 0;
    const traces = 1_500;
    // A trace from a skewed clock, a year ahead: evicted last, its chunk is the oldest stored.
    const future = trace(traces + 1).map((s) => ({ ...s, startTimeUnixNano: at(366 * 86_400_000), endTimeUnixNano: at(366 * 86_400_000 + 1) }));
    ops.writeBatch!(packed(future));
    ops.indexPending!();
    for (let n = 1; n <= traces; n += 10) {
      // Ten traces per batch, as an exporter sends them; the ingest log indexes them in passes.
      ops.writeBatch!(packed(Array.from({ length: 10 }, (_, i) => trace(n + i)).flat()));
      if (n % 50 === 1) ops.indexPending!();
      maxFiles = Math.max(maxFiles, fileBytes(file) + fileBytes(`${file}-wal`));
      await nextTurn();
    }
    ops.indexPending!();
    // A round under way goes on in turns between requests: let it finish.
    for (let i = 0; i < 500; i++) await nextTurn();

    const evicted = ops.getSizeEvictions!();
    expect(errors).toEqual([]);
    // 60k spans of ~300 bytes each would take several times the limit.
    expect(evicted.traces).toBeGreaterThan(traces / 2);
    expect(maxFiles).toBeLessThanOrEqual(LIMIT * 1.1);
    // Oldest first: the first trace went, the last is whole.
    const stored = (n: number) => count(`SELECT count(*) FROM trace_summaries WHERE trace_id = x'${traceIdOf(n)}'`);
    expect(stored(1)).toBe(0);
    expect(stored(traces)).toBe(1);
    expect(stored(traces + 1)).toBe(1);
    expect(count('SELECT count(*) FROM trace_summaries')).toBe(traces + 1 - evicted.traces);
    // Every index row and posting left belongs to a trace left (the round that evicted last has finished).
    expect(count('SELECT count(*) FROM span_index')).toBe(count('SELECT sum(span_count) FROM trace_summaries'));
    const live = new Set(db.prepare('SELECT trace_num FROM trace_summaries').pluck().all());
    const postings = storedPostings(db);
    expect(postings.length).toBeGreaterThan(0);
    expect(postings.filter(([, , num]) => !live.has(num))).toEqual([]);
    // Duration lists: every span left is listed, and a list holding spans of evicted traces
    // is one that reaches past the last round's bound, so holds a live one too.
    const rows = db
      .prepare<[], { first: bigint; last: bigint; entries: Buffer }>('SELECT first_start_ns AS first, last_start_ns AS last, entries FROM duration_lists')
      .safeIntegers(true)
      .all();
    const lists = rows.map((r) => decodeDurationList(r.entries));
    expect(lists.flat().filter((e) => live.has(e.traceNum))).toHaveLength(count('SELECT count(*) FROM span_index'));
    expect(lists.filter((entries) => !entries.some((e) => live.has(e.traceNum)))).toEqual([]);
    // Each list's range is its spans' (rewritten lists included).
    const ranges = (entries: ReturnType<typeof decodeDurationList>) => entries.map((e) => e.startNs).sort((a, b) => (a < b ? -1 : 1));
    expect(rows.map((r) => [r.first, r.last])).toEqual(lists.map((l) => [ranges(l)[0], ranges(l)[l.length - 1]]));
    expect(count('SELECT count(*) FROM span_chunks WHERE trace_num NOT IN (SELECT trace_num FROM trace_summaries)')).toBe(0);
    expect(count('SELECT count(*) FROM span_blocks WHERE block_id NOT IN (SELECT block_id FROM span_chunks)')).toBe(0);
  });

  it('evicts nothing below the limit', async () => {
    for (let n = 1; n <= 50; n++) ops.writeBatch!(packed(trace(n)));
    ops.indexPending!();
    await nextTurn();
    expect(ops.getSizeEvictions!()).toEqual({ rounds: 0, spans: 0, traces: 0, indexRows: 0 });
    expect(count('SELECT count(*) FROM trace_summaries')).toBe(50);
  });
});
