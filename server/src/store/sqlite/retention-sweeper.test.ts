import { stringAttr, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE_NS } from '../../sketch/time-slices.js';
import { openDatabase } from './open-database.js';
import { RetentionSweeper } from './retention-sweeper.js';
import { SpanWriter } from './span-writer.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';

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

  it('deletes old spans with every derived row, in bounded steps', () => {
    const cutoff = T0 + 5n * MINUTE_NS;
    const first = sweeper.deleteBefore(cutoff, 3);
    expect(first).toMatchObject({ spans: 3, traces: 1 });
    expect(count('SELECT count(*) FROM spans')).toBe(6);
    const second = sweeper.deleteBefore(cutoff, 3);
    expect(second).toMatchObject({ spans: 2, traces: 1 });
    expect(sweeper.deleteBefore(cutoff, 3)).toEqual({ spans: 0, traces: 0, sketches: 0, records: 0 });
    expect(count('SELECT count(*) FROM spans')).toBe(4);
    expect(count('SELECT count(*) FROM traces')).toBe(1);
    expect(count('SELECT count(*) FROM root_candidates WHERE trace_id <> ?', traceIdOf(3))).toBe(0);
    // Two attributes plus span.kind per span, and nothing left of the deleted ones.
    expect(count('SELECT count(*) FROM span_attributes')).toBe(4 * 3);
    expect(count('SELECT count(*) FROM span_attributes WHERE span_pk NOT IN (SELECT span_pk FROM spans)')).toBe(0);
  });

  it('deletes sketches of minutes wholly before the cutoff, and old net/trace records', () => {
    const cutoff = T0 + 5n * MINUTE_NS + 30n;
    let total = { sketches: 0, records: 0 };
    for (let step = sweeper.deleteBefore(cutoff, 100); step.spans + step.sketches + step.records > 0; step = sweeper.deleteBefore(cutoff, 100)) {
      total = { sketches: total.sketches + step.sketches, records: total.records + step.records };
    }
    // Minutes 0 and 1 go; minute 5 holds the cutoff and stays, and so does the hour of all three.
    expect(total).toEqual({ sketches: 2, records: 2 });
    expect(count('SELECT count(*) FROM latency_sketches_hourly')).toBe(1);
    expect(db.prepare('SELECT minute FROM latency_sketches').pluck().all()).toEqual([Number(T0 / MINUTE_NS) + 5]);
    expect(db.prepare('SELECT record_id FROM nettrace_requests').pluck().all()).toEqual(['new']);
    expect(db.prepare('SELECT record_id FROM nettrace_event_logs').pluck().all()).toEqual(['alive']);
    expect(count('SELECT count(*) FROM nettrace_log_events')).toBe(2);
  });

  it('keeps the summary of a trace the cutoff cuts through until its last span goes', () => {
    const cutoff = T0 + 5n * MINUTE_NS + 2_000_000_000n;
    while (sweeper.deleteBefore(cutoff, 100).spans > 0);
    expect(count('SELECT count(*) FROM spans WHERE trace_id = ?', traceIdOf(3))).toBe(2);
    expect(count('SELECT span_count FROM traces WHERE trace_id = ?', traceIdOf(3))).toBe(4);
  });
});

describe('deleteOldestTraces', () => {
  it('deletes whole traces, oldest first, and what is older than every trace left', () => {
    writer.write([...trace(1, 0, 3), ...trace(2, 1, 2), ...trace(3, 5, 4)]);
    expect(sweeper.deleteOldestTraces(4)).toMatchObject({ spans: 5, traces: 2, sketches: 2 });
    expect(db.prepare('SELECT DISTINCT trace_id FROM spans').pluck().all()).toEqual([traceIdOf(3)]);
    // The last minute row, and the one hour row all three traces fell in.
    expect(sweeper.deleteOldestTraces(1)).toMatchObject({ spans: 4, traces: 1, sketches: 2 });
    expect(count('SELECT count(*) FROM latency_sketches')).toBe(0);
    expect(count('SELECT count(*) FROM latency_sketches_hourly')).toBe(0);
    expect(sweeper.deleteOldestTraces(1)).toEqual({ spans: 0, traces: 0, sketches: 0, records: 0 });
  });

  it('measures storage as the pages in use, which deleting brings down', () => {
    for (let t = 1; t <= 60; t++) writer.write(trace(t, t, 50));
    const full = sweeper.storageBytes();
    expect(full).toBeGreaterThan(500_000);
    while (sweeper.deleteOldestTraces(500).spans > 0);
    expect(sweeper.storageBytes()).toBeLessThan(full / 4);
  });
});
