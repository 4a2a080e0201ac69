import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringAttr } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestLog, INDEX_AFTER_MS, INDEX_AT_SPANS } from './ingest-log.js';
import { IngestLogFile, listSegments, segmentPath } from './ingest-log-file.js';
import { frameHeader } from './ingest-log-frames.js';
import { openDatabase } from './open-database.js';
import { buildPreparedBatch, chunkParts, mergePreparedBatches } from './prepared-batch.js';
import { parseSpanChunk } from './span-chunk-codec.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let dir: string;
let dbPath: string;
let db: Database.Database;
let clock: number;
let log: IngestLog;
let reader: SpanReader;
const reports: Array<[string, Record<string, unknown>]> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'threadline-ingest-log-'));
  dbPath = join(dir, 'threadline.db');
  db = openDatabase(dbPath, 'writer');
  clock = 0;
  log = new IngestLog(db, new SpanWriter(db), () => clock);
  reader = new SpanReader(db);
  reports.length = 0;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const T = traceIdOf(7);
/** The spans of trace T that one service's batch carries. */
const part = (from: number, service: string) =>
  [0, 1].map((i) => testSpan({ traceId: T, spanId: spanIdOf(from + i), serviceName: service, attributes: [stringAttr('svc', service)] }));
/** What a restart after kill -9 does: a new IngestLog on the database, recovering. */
const restart = () => new IngestLog(db, new SpanWriter(db)).recover((msg, fields) => reports.push([msg, fields]));
/** Appends batches to the log files as the receiving thread does, and returns the files' numbers. */
async function appendToFiles(...batches: ReturnType<typeof part>[]): Promise<number[]> {
  const file = IngestLogFile.open(dbPath);
  const segments = [];
  for (const spans of batches) segments.push(await file.append(buildPreparedBatch(spans).data));
  await file.close();
  return segments;
}

describe('the ingest log', () => {
  it('indexes waiting batches regrouped by trace, one chunk per trace, answering each batch once committed', async () => {
    const indexed: number[] = [];
    const waits = [part(1, 'a'), part(3, 'b'), part(5, 'c')].map((spans, i) => log.enqueue(buildPreparedBatch(spans), 0).then(() => indexed.push(i)));
    await Promise.resolve();
    expect(indexed).toEqual([]);
    expect(count('span_index')).toBe(0);
    log.indexPending();
    await Promise.all(waits);
    expect(indexed).toEqual([0, 1, 2]);
    expect(count('span_chunks')).toBe(1);
    expect(count('span_index')).toBe(6);
    expect(reader.getTrace(T)).toHaveLength(6);
    expect(reader.findTraceIds({ tags: [{ key: 'svc', value: 'b' }], limit: 10 })).toEqual([T]);
    expect(reader.getTraceSummaries([T])).toMatchObject([{ spanCount: 6, services: ['a', 'b', 'c'] }]);
  });

  it('steps aside between traces in a background pass, leaving the time waited out of the pass', async () => {
    const passes: number[] = [];
    const spans = [1, 2, 3].flatMap((t) => [testSpan({ traceId: traceIdOf(t), spanId: spanIdOf(1) })]);
    const done = log.enqueue(buildPreparedBatch(spans), 0).then((pass) => passes.push(pass.ms));
    // Each step aside "waits" 100 ms on the log's clock.
    const stepAside = { waitedMs: 0, yield() { clock += 100; this.waitedMs += 100; } };
    log.indexPending(stepAside);
    await done;
    expect(stepAside.waitedMs).toBe(300);
    expect(passes).toEqual([0]);
    // A pass without one (a search's) does not step aside.
    log.enqueue(buildPreparedBatch([testSpan({ traceId: traceIdOf(9), spanId: spanIdOf(1) })]), 0);
    log.indexPending();
    expect(stepAside.waitedMs).toBe(300);
    expect(count('span_chunks')).toBe(4);
  });

  it('is due after a number of spans or a while', () => {
    void log.enqueue(buildPreparedBatch(part(1, 'a')), 0);
    expect(log.due).toBe(false);
    clock = INDEX_AFTER_MS;
    expect(log.due).toBe(true);
    log.indexPending();
    expect(log.due).toBe(false);
    const many = Array.from({ length: INDEX_AT_SPANS }, (_, i) => testSpan({ traceId: traceIdOf(100 + (i % 50)), spanId: spanIdOf(i + 1) }));
    void log.enqueue(buildPreparedBatch(many), 0);
    expect(log.due).toBe(true);
  });

  it('counts a span logged twice (a retried batch) once', () => {
    void log.enqueue(buildPreparedBatch(part(1, 'a')), 0);
    void log.enqueue(buildPreparedBatch(part(1, 'a')), 0);
    log.indexPending();
    expect(reader.getTraceSummaries([T])).toMatchObject([{ spanCount: 2 }]);
    expect(reader.getTrace(T)).toHaveLength(2);
  });

  it('deletes a log file once all it holds is indexed, but not the file still appended to', async () => {
    for (const n of [1, 2]) writeFileSync(segmentPath(dbPath, n), '');
    void log.enqueue(buildPreparedBatch(part(1, 'a')), 1);
    void log.enqueue(buildPreparedBatch(part(3, 'b')), 2);
    expect(listSegments(dbPath).map((s) => s.number)).toEqual([1, 2]);
    log.indexPending();
    expect(listSegments(dbPath).map((s) => s.number)).toEqual([2]);
    // At close the receiving thread has stopped appending: nothing is left to replay.
    log.closeAfterIndexing();
    expect(listSegments(dbPath)).toEqual([]);
  });

  it('indexes the log files a crash left, stopping at a torn last append, and deletes them', async () => {
    const [segment] = await appendToFiles(part(1, 'a'), part(3, 'b'));
    // A third append was cut short by the kill: it was never acknowledged.
    const torn = buildPreparedBatch(part(5, 'c')).data;
    appendFileSync(segmentPath(dbPath, segment!), Buffer.concat([frameHeader(torn), torn.subarray(0, 10)]));
    restart();
    expect(existsSync(segmentPath(dbPath, segment!))).toBe(false);
    expect(count('span_chunks')).toBe(1);
    expect(reader.getTraceSummaries([T])).toMatchObject([{ spanCount: 4, services: ['a', 'b'] }]);
    expect(reader.findTraceIds({ service: 'b', tags: [], limit: 10 })).toEqual([T]);
    expect(reports.find(([msg]) => msg === 'replayed an ingest log file')?.[1]).toMatchObject({ batches: 2, tornBytesIgnored: 22 });
    expect(reports.at(-1)).toEqual(['indexed the ingest log left by the last run', { batches: 2, spans: 4 }]);
  });

  it('replays a file whose batches were indexed before the crash without counting them again', async () => {
    await appendToFiles(part(1, 'a'));
    void log.enqueue(buildPreparedBatch(part(1, 'a')), 1);
    log.indexPending();
    restart();
    expect(count('span_index')).toBe(2);
    expect(reader.getTraceSummaries([T])).toMatchObject([{ spanCount: 2 }]);
    expect(listSegments(dbPath)).toEqual([]);
  });

  it('indexes batches an earlier version left in its ingest_log table', () => {
    db.prepare('INSERT INTO ingest_log (data) VALUES (?)').run(buildPreparedBatch(part(1, 'a')).data);
    restart();
    expect(count('ingest_log')).toBe(0);
    expect(reader.findTraceIds({ service: 'a', tags: [], limit: 10 })).toEqual([T]);
  });
});

describe('mergePreparedBatches', () => {
  it('joins the chunks of a trace and remaps operations', () => {
    const merged = mergePreparedBatches([buildPreparedBatch(part(1, 'a')), buildPreparedBatch([...part(3, 'b'), testSpan({ traceId: traceIdOf(9) })])]);
    expect(merged.chunks).toHaveLength(2);
    const chunk = merged.chunks.find((c) => c.traceId === T)!;
    const operations = [...merged.spans.operation.subarray(chunk.spanStart, chunk.spanEnd)];
    expect(operations.map((i) => merged.operations[i]!.service)).toEqual(['a', 'a', 'b', 'b']);
    expect(parseSpanChunk(Buffer.concat(chunkParts(merged, chunk))).map((s) => s.spanId)).toEqual([1, 2, 3, 4].map(spanIdOf));
    expect(chunk.services).toEqual(['a', 'b']);
  });
});
