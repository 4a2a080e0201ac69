import { StatusCode, type Span, type SpanEvent } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NettraceBatch, NettraceEvent, NettraceRecordFields, NettraceRequestRecord } from '../span-store.js';
import { NETTRACE_READ_SQL, NettraceReader } from './nettrace-reader.js';
import { MAX_EVENTS_PER_LOG } from '../span-store.js';
import { NettraceWriter } from './nettrace-writer.js';
import { openDatabase } from './open-database.js';
import { SpanReader } from './span-reader.js';
import { SpanRemover } from './span-remover.js';
import { SpanWriter } from './span-writer.js';
import { decodeTracePages } from './trace-chunk-pages.js';
import { TracePieceReader } from './trace-piece-reader.js';
import { sortByStart } from './trace-chunks.js';
import { createSqliteStore } from './sqlite-store.js';
import { StoreInputError } from './store-input-error.js';
import { at, BASE_NS, readPieces, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let db: Database.Database;
let spans: SpanWriter;
let writer: NettraceWriter;
let reader: SpanReader;
let nettrace: NettraceReader;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  spans = new SpanWriter(db);
  writer = new NettraceWriter(db, spans);
  reader = new SpanReader(db);
  nettrace = new NettraceReader(db);
});
afterEach(() => db.close());

const MS = 1_000_000n;
const T = traceIdOf(1);
const ROOT = spanIdOf(1);
const CHILD = spanIdOf(2);
/** Where a record without IDs lives (the receiver derives these from service and record ID). */
const OWN = { traceId: traceIdOf(0xabc), spanId: spanIdOf(0xabc) };
const STAND_IN = spanIdOf(0xdef);

const count = (sql: string, ...params: unknown[]) => db.prepare(sql).pluck().get(...params) as number;

function event(ms: number, message: string, fields: Partial<NettraceEvent> = {}): NettraceEvent {
  return { timeNs: BASE_NS + BigInt(ms) * MS, message, sensitive: false, error: false, ...fields };
}

function fields(overrides: Partial<NettraceRecordFields> = {}): NettraceRecordFields {
  return {
    service: 'api',
    instance: 'h1',
    recordId: 'rec-1',
    seq: 1,
    family: 'grpc.Recv',
    title: '/Greeter/SayHello',
    startNs: BASE_NS,
    elapsedNs: 2n * MS,
    state: 'finished',
    error: false,
    maxEvents: 10,
    discardedEvents: 0,
    events: [event(1, 'recv')],
    ...overrides,
  };
}

const toSpanEvents = (events: readonly NettraceEvent[]): SpanEvent[] =>
  events.map((e) => ({ timeUnixNano: e.timeNs.toString(), name: e.message, attributes: [], droppedAttributesCount: 0 }));

/**
 * A request trace as the receiver makes it: joined to `join` (a span of trace T), else a
 * span of its own at `own` (derived IDs, or a trace ID the record named).
 */
function requestRecord(
  overrides: Partial<NettraceRecordFields> = {},
  place: { join?: string; own?: { traceId: string; spanId: string } } = {},
): NettraceRequestRecord {
  const f = fields(overrides);
  const ids = place.join !== undefined ? { traceId: T, spanId: STAND_IN } : (place.own ?? OWN);
  const span = testSpan({
    ...ids,
    parentSpanId: place.join ?? '',
    name: f.title,
    serviceName: f.service,
    startTimeUnixNano: f.startNs.toString(),
    endTimeUnixNano: (f.startNs + f.elapsedNs).toString(),
    events: toSpanEvents(f.events),
    droppedEventsCount: f.discardedEvents,
    status: { code: f.error ? StatusCode.ERROR : StatusCode.UNSET, message: '' },
  });
  return { ...f, joinedSpanId: place.join ?? '', span };
}

const write = (batch: Partial<NettraceBatch>) => writer.write({ requests: [], eventLogs: [], ...batch });
/**
 * The trace read whole, checked against the same trace read a piece at a time and a span
 * per page (SpanStore.streamTrace's path): the same spans, joined records merged the same way.
 */
const trace = async (traceId = T) => {
  const whole = nettrace.mergeIntoTrace(traceId, reader.getTrace(traceId));
  const pages: Span[][] = [];
  for await (const page of decodeTracePages({ chunks: readPieces(new TracePieceReader(db, 1), traceId, 1), joined: nettrace.joinedRecords(traceId) }, 1)) pages.push(page);
  expect(pages.every((page) => page.length > 0)).toBe(true);
  expect(sortByStart(pages.flat())).toEqual(whole);
  return whole;
};
const requests = () => nettrace.findRequests({ errorsOnly: false, limit: 100 });

/** Trace T: a root and a child of it, 0–10 ms. */
function writeTraceT(rootEvents: SpanEvent[] = []): void {
  spans.write([
    testSpan({ traceId: T, spanId: ROOT, startTimeUnixNano: at(0), endTimeUnixNano: at(10), events: rootEvents }),
    testSpan({ traceId: T, spanId: CHILD, parentSpanId: ROOT, name: 'child', startTimeUnixNano: at(2), endTimeUnixNano: at(4) }),
  ]);
}

describe('request traces: latest seq wins', () => {
  it('replaces a snapshot with a newer seq and ignores older or repeated ones', () => {
    write({ requests: [requestRecord({ seq: 2, state: 'active', events: [event(1, 'a')] })] });
    write({ requests: [requestRecord({ seq: 1, title: 'stale', events: [] })] });
    expect(requests()).toMatchObject([{ seq: 2, state: 'active', title: '/Greeter/SayHello', events: [{ message: 'a' }] }]);

    write({ requests: [requestRecord({ seq: 3, state: 'finished', events: [event(1, 'a'), event(2, 'b')] })] });
    write({ requests: [requestRecord({ seq: 3, title: 'a retry that differs' })] });
    expect(requests()).toMatchObject([{ seq: 3, state: 'finished', title: '/Greeter/SayHello' }]);
    expect(requests()[0]!.events.map((e) => e.message)).toEqual(['a', 'b']);
    expect(count('SELECT count(*) FROM nettrace_requests')).toBe(1);
  });

  it("applies one batch's snapshots of a record in seq order, whatever order they came in", () => {
    write({ requests: [3, 1, 2].map((seq) => requestRecord({ seq, title: `seq ${seq}` })) });
    expect(requests()).toMatchObject([{ seq: 3, title: 'seq 3' }]);
  });

  it('keeps records of different services apart even with the same record ID', () => {
    write({ requests: [requestRecord({ service: 'api' }), requestRecord({ service: 'web' }, { own: { traceId: traceIdOf(9), spanId: spanIdOf(9) } })] });
    expect(requests().map((r) => r.service).sort()).toEqual(['api', 'web']);
  });
});

describe('a request trace without a span of its own', () => {
  const summary = () => reader.getTraceSummaries([OWN.traceId])[0];

  it('is a span like any other: in its trace, found by service, summarized', async () => {
    write({ requests: [requestRecord({ seq: 1, state: 'active', elapsedNs: 1n * MS })] });
    expect(await trace(OWN.traceId)).toMatchObject([{ spanId: OWN.spanId, name: '/Greeter/SayHello', events: [{ name: 'recv' }] }]);
    expect(reader.findTraceIds({ service: 'api', tags: [], limit: 10 })).toEqual([OWN.traceId]);
    expect(reader.getServices()).toEqual(['api']);
    expect(summary()).toMatchObject({ rootService: 'api', rootOperation: '/Greeter/SayHello', spanCount: 1, errorCount: 0, durationNs: 1n * MS });
    expect(requests()).toMatchObject([{ traceId: OWN.traceId, spanId: OWN.spanId, joined: false }]);
  });

  it('is replaced by a newer seq, with its summary and index row, and not by an older one', async () => {
    write({ requests: [requestRecord({ seq: 1, state: 'active', elapsedNs: 1n * MS })] });
    const later = requestRecord({ seq: 2, error: true, elapsedNs: 5n * MS, events: [event(1, 'recv'), event(4, 'failed', { error: true })] });
    write({ requests: [later] });
    write({ requests: [requestRecord({ seq: 1, state: 'active', elapsedNs: 1n * MS })] });

    expect(await trace(OWN.traceId)).toEqual([later.span]);
    expect(summary()).toMatchObject({ spanCount: 1, errorCount: 1, durationNs: 5n * MS });
    expect(count('SELECT count(*) FROM span_index')).toBe(1);
    expect(count('SELECT count(*) FROM span_chunks')).toBe(1);
    expect(reader.findTraceIds({ service: 'api', tags: [{ key: 'error', value: 'true' }], limit: 10 })).toEqual([OWN.traceId]);
    // Percentiles count the request once, as finally reported.
    expect(db.prepare('SELECT count, error_count FROM latency_sketches').all()).toEqual([{ count: 1, error_count: 1 }]);
  });

  it('moves into the span it names once it names one (x/net/trace SetTraceInfo)', async () => {
    writeTraceT();
    write({ requests: [requestRecord({ seq: 1 })] });
    write({ requests: [requestRecord({ seq: 2 }, { join: ROOT })] });
    expect(await trace(OWN.traceId)).toEqual([]);
    expect(reader.getTraceSummaries([OWN.traceId])).toEqual([]);
    expect(reader.findTraceIds({ service: 'api', tags: [], limit: 10 })).toEqual([T]);
    expect((await trace()).find((s) => s.spanId === ROOT)!.events.map((e) => e.name)).toEqual(['recv']);
    expect(count('SELECT count(*) FROM span_index')).toBe(2);
  });

  it('with only a trace ID, sits at the root of that trace and keeps its summary right when replaced', async () => {
    writeTraceT();
    const inT = { own: { traceId: T, spanId: STAND_IN } };
    write({ requests: [requestRecord({ seq: 1, startNs: BASE_NS + 1n * MS, elapsedNs: 2n * MS, error: true }, inT)] });
    expect(reader.getTraceSummaries([T])[0]).toMatchObject({ spanCount: 3, errorCount: 1, durationNs: 10n * MS, rootOperation: 'GET /users' });
    write({ requests: [requestRecord({ seq: 2, startNs: BASE_NS + 1n * MS, elapsedNs: 20n * MS, error: false }, inT)] });
    expect(reader.getTraceSummaries([T])[0]).toMatchObject({ spanCount: 3, errorCount: 0, durationNs: 21n * MS, rootOperation: 'GET /users' });
    expect((await trace()).map((s) => s.spanId)).toEqual([ROOT, STAND_IN, CHILD]);
  });
});

describe('joining a request trace to its span', () => {
  const rootOf = (spansOfTrace: Span[]) => spansOfTrace.find((s) => s.spanId === ROOT)!;

  it('appends its events to a span stored before it, sorted by time with the span’s own', async () => {
    writeTraceT([{ timeUnixNano: at(2), name: 'own event', attributes: [], droppedAttributesCount: 0 }]);
    write({ requests: [requestRecord({ events: [event(1, 'recv'), event(3, 'send')] }, { join: ROOT })] });
    const got = await trace();
    expect(got.map((s) => s.spanId)).toEqual([ROOT, CHILD]);
    expect(rootOf(got).events.map((e) => e.name)).toEqual(['recv', 'own event', 'send']);
    expect(requests()).toMatchObject([{ traceId: T, spanId: ROOT, joined: true }]);
  });

  it('shows the record under the missing span until that span arrives, then in it', async () => {
    write({ requests: [requestRecord({}, { join: ROOT })] });
    const before = await trace();
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ traceId: T, spanId: STAND_IN, parentSpanId: ROOT, events: [{ name: 'recv' }] });
    writeTraceT();
    const after = await trace();
    expect(after.map((s) => s.spanId)).toEqual([ROOT, CHILD]);
    expect(rootOf(after).events.map((e) => e.name)).toEqual(['recv']);
  });

  it('shows the newest snapshot when the record is updated later, never both', async () => {
    writeTraceT();
    write({ requests: [requestRecord({ seq: 1, state: 'active', events: [event(1, 'recv')] }, { join: ROOT })] });
    write({ requests: [requestRecord({ seq: 2, events: [event(1, 'recv'), event(5, 'done')], discardedEvents: 4 }, { join: ROOT })] });
    const root = rootOf(await trace());
    expect(root.events.map((e) => e.name)).toEqual(['recv', 'done']);
    expect(root.droppedEventsCount).toBe(4);
  });

  it('keeps several records on one span and leaves the stored span untouched', async () => {
    writeTraceT();
    write({
      requests: [
        requestRecord({ recordId: 'a', events: [event(3, 'a3')] }, { join: ROOT }),
        requestRecord({ recordId: 'b', events: [event(1, 'b1'), event(6, 'b6')] }, { join: ROOT }),
      ],
    });
    expect(rootOf(await trace()).events.map((e) => e.name)).toEqual(['b1', 'a3', 'b6']);
    expect(rootOf(reader.getTrace(T)).events).toEqual([]);
    expect(reader.getTraceSummaries([T])[0]!.spanCount).toBe(2);
  });

  it('finds joined records through the partial trace index', () => {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${NETTRACE_READ_SQL.joinedToTrace}`).all('x') as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX nettrace_requests_by_trace/);
  });
});

describe('listing request traces', () => {
  beforeEach(() => {
    const rec = (recordId: string, ms: number, elapsedMs: number, more: Partial<NettraceRecordFields> = {}) =>
      requestRecord(
        { recordId, startNs: BASE_NS + BigInt(ms) * MS, elapsedNs: BigInt(elapsedMs) * MS, ...more },
        { own: { traceId: traceIdOf(0x100 + ms), spanId: spanIdOf(0x100 + ms) } },
      );
    write({
      requests: [
        rec('a', 0, 1),
        rec('b', 10, 50, { error: true }),
        rec('c', 20, 5, { family: 'http.Server' }),
        rec('d', 30, 100, { service: 'web' }),
      ],
    });
  });
  const ids = (query: Partial<Parameters<NettraceReader['findRequests']>[0]>) =>
    nettrace.findRequests({ errorsOnly: false, limit: 100, ...query }).map((r) => r.recordId);

  it('lists newest first, filtered by service, family, duration, errors and start window', () => {
    expect(ids({})).toEqual(['d', 'c', 'b', 'a']);
    expect(ids({ service: 'api' })).toEqual(['c', 'b', 'a']);
    expect(ids({ service: 'api', family: 'grpc.Recv' })).toEqual(['b', 'a']);
    expect(ids({ minElapsedNs: 5n * MS })).toEqual(['d', 'c', 'b']);
    expect(ids({ errorsOnly: true })).toEqual(['b']);
    expect(ids({ startNs: BASE_NS + 10n * MS, endNs: BASE_NS + 20n * MS })).toEqual(['c', 'b']);
    expect(ids({ limit: 2 })).toEqual(['d', 'c']);
  });

  it('refuses a limit below 1', () => {
    expect(() => nettrace.findRequests({ errorsOnly: false, limit: 0 })).toThrow(StoreInputError);
  });
});

describe('event logs', () => {
  const log = (seq: number, events: NettraceEvent[], more: Partial<NettraceRecordFields> = {}) =>
    fields({ recordId: 'log-1', family: 'conn', title: 'db:5432', state: 'active', maxEvents: 100, seq, events, ...more });
  const stored = () => nettrace.getEventLogs('log-1')[0]!;

  it('appends each delta and takes the running totals from the newest seq', () => {
    write({ eventLogs: [log(1, [event(1, 'dial'), event(2, 'ok')], { elapsedNs: 2n * MS })] });
    write({ eventLogs: [log(2, [event(3, 'reset', { error: true })], { elapsedNs: 3n * MS, error: true, discardedEvents: 2 })] });
    write({ eventLogs: [log(3, [], { elapsedNs: 9n * MS, state: 'finished', error: true, discardedEvents: 2 })] });
    expect(stored()).toMatchObject({
      seq: 3, state: 'finished', error: true, elapsedNs: 9n * MS, discardedEvents: 2, eventCount: 3, droppedEvents: 0,
    });
    expect(stored().events.map((e) => [e.message, e.error])).toEqual([
      ['dial', false],
      ['ok', false],
      ['reset', true],
    ]);
  });

  it('ignores a repeated or stale delta instead of appending its events twice', () => {
    write({ eventLogs: [log(1, [event(1, 'one')])] });
    write({ eventLogs: [log(2, [event(2, 'two')])] });
    write({ eventLogs: [log(2, [event(2, 'two')])] });
    write({ eventLogs: [log(1, [event(1, 'one')], { title: 'stale' })] });
    expect(stored().events.map((e) => e.message)).toEqual(['one', 'two']);
    expect(stored()).toMatchObject({ seq: 2, title: 'db:5432' });
  });

  it('applies deltas of one batch in seq order', () => {
    write({ eventLogs: [log(2, [event(2, 'two')]), log(1, [event(1, 'one')])] });
    expect(stored().events.map((e) => e.message)).toEqual(['one', 'two']);
  });

  it(`keeps the newest ${MAX_EVENTS_PER_LOG} events of a log and counts the rest`, () => {
    const delta = (seq: number, n: number) => log(seq, Array.from({ length: n }, (_, i) => event(seq * 1000 + i, `e${seq}.${i}`)));
    write({ eventLogs: [delta(1, 600)] });
    write({ eventLogs: [delta(2, 600)] });
    expect(stored()).toMatchObject({ eventCount: MAX_EVENTS_PER_LOG, droppedEvents: 200 });
    expect(stored().events[0]!.message).toBe('e1.200');
    expect(stored().events.at(-1)!.message).toBe('e2.599');
    write({ eventLogs: [delta(3, 1000)] });
    expect(stored()).toMatchObject({ eventCount: MAX_EVENTS_PER_LOG, droppedEvents: 1200 });
    expect(stored().events[0]!.message).toBe('e3.0');
    expect(count('SELECT count(*) FROM nettrace_log_events')).toBe(MAX_EVENTS_PER_LOG);
  });

  it('bounds a single delta larger than the bound the same way', () => {
    write({ eventLogs: [log(1, Array.from({ length: MAX_EVENTS_PER_LOG + 500 }, (_, i) => event(i, `e${i}`)))] });
    expect(stored()).toMatchObject({ eventCount: MAX_EVENTS_PER_LOG, droppedEvents: 500 });
    expect(stored().events[0]!.message).toBe('e500');
  });

  it('lists families with counts, and logs most recently updated first', () => {
    write({
      eventLogs: [
        fields({ recordId: 'p1', family: 'conn', state: 'active', elapsedNs: 5n * MS }),
        fields({ recordId: 'p2', family: 'conn', state: 'finished', error: true, elapsedNs: 9n * MS, instance: 'h2' }),
        fields({ recordId: 'w1', family: 'worker', state: 'active', elapsedNs: 1n * MS }),
        fields({ recordId: 'x1', family: 'conn', service: 'web' }),
      ],
    });
    expect(nettrace.getEventLogFamilies({ service: 'api' })).toEqual([
      { service: 'api', family: 'conn', logCount: 2, activeCount: 1, errorCount: 1, lastUpdateNs: BASE_NS + 9n * MS },
      { service: 'api', family: 'worker', logCount: 1, activeCount: 1, errorCount: 0, lastUpdateNs: BASE_NS + 1n * MS },
    ]);
    expect(nettrace.getEventLogFamilies({}).map((f) => `${f.service}/${f.family}`)).toEqual(['api/conn', 'api/worker', 'web/conn']);
    expect(nettrace.getEventLogFamilies({ instance: 'h2' })).toMatchObject([{ family: 'conn', logCount: 1 }]);
    expect(nettrace.findEventLogs({ service: 'api', family: 'conn', limit: 10 }).map((l) => l.recordId)).toEqual(['p2', 'p1']);
    expect(nettrace.findEventLogs({ limit: 1 }).map((l) => l.recordId)).toEqual(['p2']);
    expect(nettrace.findEventLogs({ limit: 10 })[0]).not.toHaveProperty('events');
  });

  it('finds a log by record ID, narrowed by service when two services share it', () => {
    write({ eventLogs: [fields({ recordId: 'same', service: 'api' }), fields({ recordId: 'same', service: 'web', elapsedNs: 9n * MS })] });
    expect(nettrace.getEventLogs('same').map((l) => l.service)).toEqual(['web', 'api']);
    expect(nettrace.getEventLogs('same', 'api').map((l) => l.service)).toEqual(['api']);
    expect(nettrace.getEventLogs('unknown')).toEqual([]);
  });
});

describe('refusing malformed records', () => {
  it('writes nothing of a batch with a bad record', () => {
    const bad = requestRecord({ recordId: 'bad' });
    bad.span = { ...bad.span, traceId: 'nope' };
    expect(() => write({ requests: [requestRecord(), bad] })).toThrow(StoreInputError);
    expect(() => write({ eventLogs: [fields({ seq: -1 })] })).toThrow(/event log 0: seq/);
    expect(() => write({ requests: [{ ...requestRecord({}, { join: ROOT }), joinedSpanId: CHILD }] })).toThrow(/child of the span it joins/);
    expect(count('SELECT count(*) FROM nettrace_requests') + count('SELECT count(*) FROM span_chunks')).toBe(0);
  });
});

describe('SpanRemover', () => {
  it('names the trace after what remains until the removed span is stored again', () => {
    writeTraceT();
    const root = reader.getTrace(T)[0]!;
    new SpanRemover(db).remove(T, ROOT);
    expect(reader.getTraceSummaries([T])[0]).toMatchObject({ spanCount: 1, rootOperation: 'child' });
    spans.write([root]);
    expect(reader.getTraceSummaries([T])[0]).toMatchObject({ spanCount: 2, rootOperation: 'GET /users', durationNs: 10n * MS });
    expect(count('SELECT count(*) FROM span_index')).toBe(2);
  });
});

describe('through the store worker', () => {
  it('writes and reads net/trace records, bigints and the trace merge included', async () => {
    const store = await createSqliteStore({ path: ':memory:' });
    try {
      await store.writeBatch([testSpan({ traceId: T, spanId: ROOT })]);
      await store.writeNettrace({
        requests: [requestRecord({}, { join: ROOT })],
        eventLogs: [fields({ recordId: 'log', events: [event(1, 'x')] })],
      });
      expect((await store.getTrace(T))[0]!.events.map((e) => e.name)).toEqual(['recv']);
      expect(await store.findNettraceRequests({ errorsOnly: false, limit: 5 })).toMatchObject([{ startNs: BASE_NS, joined: true }]);
      expect(await store.getEventLogFamilies({})).toMatchObject([{ family: 'grpc.Recv', logCount: 1 }]);
      expect(await store.findEventLogs({ limit: 5 })).toMatchObject([{ recordId: 'log', eventCount: 1 }]);
      expect((await store.getEventLogs('log'))[0]!.events).toEqual([event(1, 'x')]);
      await expect(store.writeNettrace({ requests: [], eventLogs: [fields({ recordId: '' })] })).rejects.toMatchObject({
        status: 400,
        code: 'invalid_record',
      });
    } finally {
      await store.close();
    }
  });
});
