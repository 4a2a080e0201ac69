import { stringAttr } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestLog, INDEX_AFTER_MS, INDEX_AT_SPANS } from './ingest-log.js';
import { openDatabase } from './open-database.js';
import { buildPreparedBatch, chunkData, mergePreparedBatches } from './prepared-batch.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let db: Database.Database;
let clock: number;
let log: IngestLog;
let reader: SpanReader;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  clock = 0;
  log = new IngestLog(db, new SpanWriter(db), () => clock);
  reader = new SpanReader(db);
});
afterEach(() => db.close());

const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const T = traceIdOf(7);
/** The spans of trace T that one service's batch carries. */
const part = (from: number, service: string) =>
  [0, 1].map((i) => testSpan({ traceId: T, spanId: spanIdOf(from + i), serviceName: service, attributes: [stringAttr('svc', service)] }));

describe('the ingest log', () => {
  it('shows a trace whole from the moment its batches are appended, before any indexing', () => {
    log.append(buildPreparedBatch([...part(1, 'a'), testSpan({ traceId: traceIdOf(8) })]));
    log.append(buildPreparedBatch(part(3, 'b')));
    expect(count('span_index')).toBe(0);
    expect(reader.getTrace(T).map((s) => s.spanId)).toEqual([1, 2, 3, 4].map(spanIdOf));
    expect(reader.findTraceIds({ tags: [], limit: 10 })).toEqual([]);
  });

  it('indexes waiting batches regrouped by trace: one chunk per trace, and empties itself', () => {
    log.append(buildPreparedBatch(part(1, 'a')));
    log.append(buildPreparedBatch(part(3, 'b')));
    log.append(buildPreparedBatch(part(5, 'c')));
    log.indexPending();
    expect(count('span_chunks')).toBe(1);
    expect(count('span_index')).toBe(6);
    expect(count('ingest_log') + count('ingest_log_traces')).toBe(0);
    expect(reader.getTrace(T)).toHaveLength(6);
    expect(reader.findTraceIds({ tags: [{ key: 'svc', value: 'b' }], limit: 10 })).toEqual([T]);
    expect(reader.getTraceSummaries([T])).toMatchObject([{ spanCount: 6, services: ['a', 'b', 'c'] }]);
  });

  it('is due after a number of spans or a while', () => {
    log.append(buildPreparedBatch(part(1, 'a')));
    expect(log.due).toBe(false);
    clock = INDEX_AFTER_MS;
    expect(log.due).toBe(true);
    log.indexPending();
    expect(log.due).toBe(false);
    const many = Array.from({ length: INDEX_AT_SPANS }, (_, i) => testSpan({ traceId: traceIdOf(100 + (i % 50)), spanId: spanIdOf(i + 1) }));
    log.append(buildPreparedBatch(many));
    expect(log.due).toBe(true);
  });

  it('indexes what a crash left in the log when it is opened again', () => {
    log.append(buildPreparedBatch(part(1, 'a')));
    log.append(buildPreparedBatch(part(3, 'b')));
    // A new IngestLog on the same database is what a restart after kill -9 gets.
    new IngestLog(db, new SpanWriter(db));
    expect(count('ingest_log')).toBe(0);
    expect(count('span_chunks')).toBe(1);
    expect(reader.findTraceIds({ service: 'b', tags: [], limit: 10 })).toEqual([T]);
  });

  it('counts a span logged twice (a retried batch) once', () => {
    log.append(buildPreparedBatch(part(1, 'a')));
    log.append(buildPreparedBatch(part(1, 'a')));
    expect(reader.getTrace(T)).toHaveLength(2);
    log.indexPending();
    expect(reader.getTraceSummaries([T])).toMatchObject([{ spanCount: 2 }]);
    expect(reader.getTrace(T)).toHaveLength(2);
  });
});

describe('mergePreparedBatches', () => {
  it('joins the chunks of a trace and remaps operations', () => {
    const merged = mergePreparedBatches([buildPreparedBatch(part(1, 'a')), buildPreparedBatch([...part(3, 'b'), testSpan({ traceId: traceIdOf(9) })])]);
    expect(merged.chunks).toHaveLength(2);
    const chunk = merged.chunks.find((c) => c.traceId === T)!;
    const operations = [...merged.spans.operation.subarray(chunk.spanStart, chunk.spanEnd)];
    expect(operations.map((i) => merged.operations[i]!.service)).toEqual(['a', 'a', 'b', 'b']);
    expect(parseSpanChunk(chunkData(merged, chunk)).map((s) => s.spanId)).toEqual([1, 2, 3, 4].map(spanIdOf));
    expect(chunk.services).toEqual(['a', 'b']);
  });
});
