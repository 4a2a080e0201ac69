import { stringAttr, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE_NS } from '../../sketch/time-slices.js';
import { openDatabase } from './open-database.js';
import type { RetentionStep } from '../latency-queries.js';
import { RetentionSweeper } from './retention-sweeper.js';
import { SpanWriter } from './span-writer.js';
import { spanIdOf, storedPostings, testSpan, traceIdOf } from './test-spans.js';

/** A whole minute. */
const T0 = 28_539_095n * MINUTE_NS;

let db: Database.Database;
let writer: SpanWriter;
let sweeper: RetentionSweeper;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  writer = new SpanWriter(db);
  sweeper = new RetentionSweeper(db);
});
afterEach(() => db.close());

const count = (sql: string, ...params: unknown[]) => db.prepare(sql).pluck().get(...params) as number;
const total = (step: RetentionStep) => step.spans + step.traces + step.sketches + step.records;

/** Trace `trace` with `size` spans, the root at `minute` and children a second apart. */
function trace(traceNo: number, minute: number, size: number): Span[] {
  const start = T0 + BigInt(minute) * MINUTE_NS;
  return Array.from({ length: size }, (_, i) => {
    const s = start + BigInt(i) * 1_000_000_000n;
    return testSpan({
      traceId: traceIdOf(traceNo),
      spanId: spanIdOf(traceNo * 1000 + i + 1),
      parentSpanId: i === 0 ? '' : spanIdOf(traceNo * 1000 + 1),
      startTimeUnixNano: String(s),
      endTimeUnixNano: String(s + 5_000_000n),
      attributes: [stringAttr('http.route', '/users/:id'), stringAttr('request.no', `${traceNo}-${i}`)],
    });
  });
}

function addNettraceRecords(): void {
  const request = db.prepare(
    `INSERT INTO nettrace_requests (record_id, service, seq, instance, family, title, start_ns, elapsed_ns, state,
       is_error, max_events, discarded_events, trace_id, span_id, joined, events, span)
     VALUES (?, 'api', 1, 'h1', 'grpc', 't', ?, 1000, 'finished', 0, 10, 0, ?, ?, 1, '[]', '{}')`,
  );
  request.run('old', T0, traceIdOf(90), spanIdOf(90));
  request.run('new', T0 + 10n * MINUTE_NS, traceIdOf(91), spanIdOf(91));
  const log = db.prepare(
    `INSERT INTO nettrace_event_logs (record_id, service, seq, instance, family, title, start_ns, elapsed_ns, end_ns,
       state, is_error, max_events, discarded_events, total_events)
     VALUES (?, 'api', 1, 'h1', 'conn', 't', ?, 0, ?, 'active', 0, 10, 0, 2) RETURNING log_pk`,
  );
  // Started long ago but still reporting: its last report counts, not its start.
  const stale = log.pluck().get('stale', T0, T0) as number;
  const alive = log.pluck().get('alive', T0, T0 + 10n * MINUTE_NS) as number;
  const event = db.prepare(
    `INSERT INTO nettrace_log_events (log_pk, event_no, time_ns, message, sensitive, is_error) VALUES (?, ?, ?, 'm', 0, 0)`,
  );
  for (const pk of [stale, alive]) for (const no of [0, 1]) event.run(pk, no, T0);
}

describe('deleteBefore', () => {
  beforeEach(() => {
    writer.write([...trace(1, 0, 3), ...trace(2, 1, 2), ...trace(3, 5, 4)]);
    addNettraceRecords();
  });

  it('deletes traces that started before the cutoff whole, with their rows, in bounded steps', () => {
    const cutoff = T0 + 5n * MINUTE_NS;
    expect(sweeper.deleteBefore(cutoff, 3)).toMatchObject({ spans: 3, traces: 1 });
    expect(count('SELECT count(*) FROM trace_summaries')).toBe(2);
    expect(sweeper.deleteBefore(cutoff, 3)).toMatchObject({ spans: 2, traces: 1 });
    while (total(sweeper.deleteBefore(cutoff, 3)) > 0);
    expect(count('SELECT count(*) FROM trace_summaries')).toBe(1);
    expect(count('SELECT count(*) FROM span_chunks')).toBe(1);
    expect(count('SELECT count(*) FROM span_index')).toBe(4);
    expect(count('SELECT count(*) FROM span_index WHERE trace_num NOT IN (SELECT trace_num FROM trace_summaries)')).toBe(0);
  });

  it('deletes tag postings once their hour is wholly before the cutoff', () => {
    const postings = storedPostings(db);
    expect(postings.length).toBeGreaterThan(0);
    while (total(sweeper.deleteBefore(T0 + 5n * MINUTE_NS, 100)) > 0);
    // The cutoff's own hour may still hold postings of live traces: they stay.
    expect(storedPostings(db)).toEqual(postings);
    while (total(sweeper.deleteBefore(T0 + 120n * MINUTE_NS, 100)) > 0);
    expect(count('SELECT count(*) FROM tag_posting_lists')).toBe(0);
  });

  it('deletes sketches of minutes wholly before the cutoff, and old net/trace records', () => {
    const cutoff = T0 + 5n * MINUTE_NS + 30n;
    let sketches = 0;
    for (let step = sweeper.deleteBefore(cutoff, 100); total(step) > 0; step = sweeper.deleteBefore(cutoff, 100)) sketches += step.sketches;
    // Minutes 0 and 1 go; minute 5 holds the cutoff and stays, and so does the hour of all three.
    expect(sketches).toBe(2);
    expect(count('SELECT count(*) FROM latency_sketches_hourly')).toBe(1);
    expect(db.prepare('SELECT minute FROM latency_sketches').pluck().all()).toEqual([Number(T0 / MINUTE_NS) + 5]);
    expect(db.prepare('SELECT record_id FROM nettrace_requests').pluck().all()).toEqual(['new']);
    expect(db.prepare('SELECT record_id FROM nettrace_event_logs').pluck().all()).toEqual(['alive']);
    expect(count('SELECT count(*) FROM nettrace_log_events')).toBe(2);
  });

  it('deletes a trace the cutoff cuts through whole, since it started before it', () => {
    while (total(sweeper.deleteBefore(T0 + 5n * MINUTE_NS + 2_000_000_000n, 100)) > 0);
    expect(count('SELECT count(*) FROM trace_summaries')).toBe(0);
    expect(count('SELECT count(*) FROM span_chunks')).toBe(0);
  });
});

describe('duration lists', () => {
  it('go once their newest span started before the cutoff; one straddling it stays', () => {
    // A pass each: a list each (one operation, one duration bucket).
    writer.write(trace(1, 0, 3));
    writer.write(trace(2, 1, 2));
    writer.write([...trace(3, 4, 2), ...trace(4, 6, 2)]);
    const lastStarts = () => db.prepare('SELECT last_start_ns FROM duration_lists ORDER BY last_start_ns').pluck().safeIntegers(true).all();
    expect(lastStarts()).toHaveLength(3);
    while (total(sweeper.deleteBefore(T0 + 5n * MINUTE_NS, 100)) > 0);
    expect(lastStarts()).toEqual([T0 + 6n * MINUTE_NS + 1_000_000_000n]);
  });
});

describe('deleteOldestTraces', () => {
  it('deletes whole traces, oldest first, and what is older than every trace left', () => {
    writer.write([...trace(1, 0, 3), ...trace(2, 1, 2), ...trace(3, 5, 4)]);
    expect(sweeper.deleteOldestTraces(4)).toMatchObject({ spans: 5, traces: 2, sketches: 2 });
    expect(db.prepare('SELECT hex(trace_id) FROM trace_summaries').pluck().all()).toEqual([traceIdOf(3).toUpperCase()]);
    // The last minute row, and the one hour row all three traces fell in.
    expect(sweeper.deleteOldestTraces(1)).toMatchObject({ spans: 4, traces: 1, sketches: 2 });
    expect(count('SELECT count(*) FROM latency_sketches')).toBe(0);
    expect(count('SELECT count(*) FROM latency_sketches_hourly')).toBe(0);
    while (total(sweeper.deleteOldestTraces(1)) > 0);
    expect(count('SELECT count(*) FROM span_index') + count('SELECT count(*) FROM tag_posting_lists') + count('SELECT count(*) FROM duration_lists')).toBe(0);
  });

  it('measures storage as the pages in use, which deleting brings down', () => {
    // Enough that the data outweighs the empty schema's pages (a few hundred KiB).
    for (let t = 1; t <= 400; t++) writer.write(trace(t, t, 50));
    const full = sweeper.storageBytes();
    expect(full).toBeGreaterThan(2_000_000);
    while (total(sweeper.deleteOldestTraces(500)) > 0);
    expect(sweeper.storageBytes()).toBeLessThan(full / 4);
  });
});
