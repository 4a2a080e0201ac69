import { SpanKind, StatusCode, stringAttr, type KeyValue, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TagFilter, TraceQuery } from '../span-store.js';
import { openDatabase } from './open-database.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { StoreInputError } from './store-input-error.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';
import { MAX_TAG_FILTERS, SEARCH_SQL, TraceSearch } from './trace-search.js';
import { HOUR_NS } from './chunk-time.js';
import { decodePostingList, windowBoundsMs } from './posting-lists.js';
import { tagHash } from './tag-hash.js';

const [T1, T2, T3, T4, T5] = [1, 2, 3, 4, 5].map(traceIdOf) as [string, string, string, string, string];
const INJECTION = `' OR '1'='1'; DROP TABLE spans; --`;
const LONG = 'x'.repeat(1000);

const intAttr = (key: string, value: number): KeyValue => ({ key, value: { intValue: String(value) } });

function on(service: string, host: string, fields: Partial<Span>): Span {
  return testSpan({
    serviceName: service,
    resource: { attributes: [stringAttr('service.name', service), stringAttr('host.name', host)], droppedAttributesCount: 0 },
    ...fields,
  });
}

function spanOf(
  traceId: string,
  id: number,
  parent: number,
  startMs: number,
  durationMs: number,
  fields: Partial<Span>,
  service = 'api',
  host = 'h1',
): Span {
  return on(service, host, {
    traceId,
    spanId: spanIdOf(id),
    parentSpanId: parent === 0 ? '' : spanIdOf(parent),
    startTimeUnixNano: at(startMs),
    endTimeUnixNano: at(startMs + durationMs),
    ...fields,
  });
}

const SPANS: Span[] = [
  // T1 at 0 ms: a fast GET on api@h1, with a database call.
  spanOf(T1, 1, 0, 0, 10, { name: 'GET /users', attributes: [stringAttr('http.method', 'GET'), intAttr('http.status_code', 200)] }),
  spanOf(T1, 2, 1, 2, 2, { name: 'SELECT', kind: SpanKind.CLIENT, attributes: [stringAttr('db.system', 'postgres')] }, 'db', 'h1'),
  // T2 at 1000 ms: a slow failing GET on api@h2.
  spanOf(T2, 1, 0, 1000, 500, {
    name: 'GET /users',
    attributes: [stringAttr('http.method', 'GET'), intAttr('http.status_code', 500)],
    status: { code: StatusCode.ERROR, message: '' },
  }, 'api', 'h2'),
  // T3 at 2000 ms: a POST whose 200 is on another span; SQL-looking and long values.
  spanOf(T3, 1, 0, 2000, 50, {
    name: 'POST /orders',
    attributes: [stringAttr('http.method', 'POST'), stringAttr('customer.id', INJECTION), stringAttr('note', LONG)],
  }),
  spanOf(T3, 2, 1, 2010, 5, { name: 'charge', kind: SpanKind.CLIENT, attributes: [intAttr('http.status_code', 200)] }),
  // T4 at 3000 ms: another service and host.
  spanOf(T4, 1, 0, 3000, 100, { name: 'GET /', attributes: [stringAttr('http.method', 'GET')] }, 'web', 'h3'),
  // T5 started first, but its batch span started last.
  spanOf(T5, 1, 0, -1000, 10, { name: 'schedule' }, 'batch', 'h3'),
  spanOf(T5, 2, 1, 5000, 10, { name: 'run' }, 'batch', 'h3'),
];

let db: Database.Database;
let search: TraceSearch;
beforeAll(() => {
  db = openDatabase(':memory:', 'writer');
  new SpanWriter(db).write(SPANS);
  search = new TraceSearch(db);
});
afterAll(() => db.close());

const find = (query: Partial<TraceQuery>) => search.find({ tags: [], limit: 20, ...query });
const tags = (...pairs: [string, string][]): TagFilter[] => pairs.map(([key, value]) => ({ key, value }));
const ms = (n: number) => BigInt(n) * 1_000_000n;

describe('findTraceIds', () => {
  it('returns every trace, most recent matching span first, without filters', () => {
    expect(find({})).toEqual([T5, T4, T3, T2, T1]);
  });

  it('stops at the limit', () => {
    expect(find({ limit: 2 })).toEqual([T5, T4]);
    expect(find({ limit: 0 })).toEqual([]);
  });

  it('filters by service', () => {
    expect(find({ service: 'api' })).toEqual([T3, T2, T1]);
    expect(find({ service: 'db' })).toEqual([T1]);
    expect(find({ service: 'nope' })).toEqual([]);
  });

  it('filters by operation, with or without a service', () => {
    expect(find({ service: 'api', operation: 'GET /users' })).toEqual([T2, T1]);
    expect(find({ service: 'web', operation: 'GET /users' })).toEqual([]);
    expect(find({ operation: 'charge' })).toEqual([T3]);
  });

  it('filters by span start, bounds included', () => {
    expect(find({ startNs: BigInt(at(1000)), endNs: BigInt(at(2000)) })).toEqual([T3, T2]);
    expect(find({ startNs: BigInt(at(2001)) })).toEqual([T5, T4, T3]);
    expect(find({ endNs: BigInt(at(-1)) })).toEqual([T5]);
  });

  it('filters by duration, bounds included', () => {
    expect(find({ minDurationNs: ms(50) })).toEqual([T4, T3, T2]);
    expect(find({ maxDurationNs: ms(5) })).toEqual([T3, T1]);
    expect(find({ minDurationNs: ms(20), maxDurationNs: ms(100) })).toEqual([T4, T3]);
  });

  it('takes a span from the duration lists only while span_index holds it, with that duration', () => {
    const own = openDatabase(':memory:', 'writer');
    new SpanWriter(own).write(SPANS);
    const ownSearch = new TraceSearch(own);
    const slow = (q: Partial<TraceQuery>) => ownSearch.find({ tags: [], limit: 20, minDurationNs: ms(400), ...q });
    expect(slow({})).toEqual([T2]);
    // The lists still say 500 ms (as after a span was replaced by a shorter one, or a trace number reused).
    own.prepare('UPDATE span_index SET duration_ns = 1000 WHERE duration_ns = ?').run(ms(500));
    expect(slow({})).toEqual([]);
    own.prepare('DELETE FROM span_index WHERE duration_ns = 1000').run();
    expect(slow({ maxDurationNs: ms(600) })).toEqual([]);
    own.close();
  });

  it('filters by span attributes, compared as flat strings', () => {
    expect(find({ tags: tags(['http.status_code', '500']) })).toEqual([T2]);
    expect(find({ tags: tags(['http.method', 'GET']) })).toEqual([T4, T2, T1]);
    expect(find({ tags: tags(['http.method', 'get']) })).toEqual([]);
  });

  it('needs every tag on one and the same span', () => {
    expect(find({ tags: tags(['http.method', 'GET'], ['http.status_code', '200']) })).toEqual([T1]);
    // T3 has POST on one span and 200 on another.
    expect(find({ tags: tags(['http.method', 'POST'], ['http.status_code', '200']) })).toEqual([]);
  });

  it('matches tags on the resource (process tags) too', () => {
    expect(find({ tags: tags(['host.name', 'h2']) })).toEqual([T2]);
    expect(find({ tags: tags(['host.name', 'h1']) })).toEqual([T3, T1]);
    expect(find({ service: 'db', tags: tags(['host.name', 'h1']) })).toEqual([T1]);
    expect(find({ tags: tags(['host.name', 'h1'], ['db.system', 'postgres']) })).toEqual([T1]);
    expect(find({ tags: tags(['service.name', 'web']) })).toEqual([T4]);
  });

  it('matches the tags Jaeger derives from status and kind', () => {
    expect(find({ tags: tags(['error', 'true']) })).toEqual([T2]);
    expect(find({ service: 'api', tags: tags(['span.kind', 'client']) })).toEqual([T3]);
  });

  it('combines every filter on one span', () => {
    const query: Partial<TraceQuery> = {
      service: 'api',
      operation: 'GET /users',
      tags: tags(['http.method', 'GET'], ['host.name', 'h2']),
      startNs: BigInt(at(500)),
      endNs: BigInt(at(1500)),
      minDurationNs: ms(100),
      maxDurationNs: ms(1000),
    };
    expect(find(query)).toEqual([T2]);
    expect(find({ ...query, maxDurationNs: ms(499) })).toEqual([]);
    expect(find({ ...query, tags: tags(['host.name', 'h1']) })).toEqual([]);
    expect(find({ ...query, startNs: BigInt(at(1001)) })).toEqual([]);
  });

  it('takes SQL-looking keys and values literally', () => {
    expect(find({ tags: tags(['customer.id', INJECTION]) })).toEqual([T3]);
    expect(find({ service: 'api', tags: tags(['customer.id', INJECTION]) })).toEqual([T3]);
    expect(find({ tags: tags(['customer.id', '%']) })).toEqual([]);
    expect(find({ tags: tags([INJECTION, 'x']) })).toEqual([]);
    expect(find({ service: INJECTION, operation: INJECTION })).toEqual([]);
    expect(find({})).toHaveLength(5);
  });

  it('finds a long value by its full text', () => {
    expect(find({ tags: tags(['note', LONG]) })).toEqual([T3]);
  });

  it('refuses a limit that is not a count and too many tags', () => {
    expect(() => find({ limit: 1.5 })).toThrow(StoreInputError);
    const many = Array.from({ length: MAX_TAG_FILTERS + 1 }, (_, i): [string, string] => [`k${i}`, 'v']);
    expect(() => find({ tags: tags(...many) })).toThrow(/at most/);
  });
});

describe('tag search beyond span attributes', () => {
  it('matches event attributes and the instrumentation scope, as Jaeger storages do', () => {
    const own = openDatabase(':memory:', 'writer');
    const failing = spanOf(T1, 1, 0, 0, 10, {
      name: 'charge',
      events: [{ timeUnixNano: at(5), name: 'exception', attributes: [stringAttr('exception.type', 'CardDeclined')], droppedAttributesCount: 0 }],
      scope: { name: 'github.com/acme/payments', version: '2.1.0', attributes: [], droppedAttributesCount: 0 },
    });
    new SpanWriter(own).write([failing, spanOf(T2, 1, 0, 100, 10, { name: 'charge' })]);
    const ownSearch = new TraceSearch(own);
    const findIn = (...pairs: [string, string][]) => ownSearch.find({ tags: tags(...pairs), limit: 20 });
    expect(findIn(['exception.type', 'CardDeclined'])).toEqual([T1]);
    expect(findIn(['otel.scope.name', 'github.com/acme/payments'])).toEqual([T1]);
    expect(findIn(['otel.scope.name', 'github.com/acme/payments'], ['otel.scope.version', '2.1.0'])).toEqual([T1]);
    expect(findIn(['otel.scope.name', 'test-scope'])).toEqual([T2]);
    own.close();
  });
});

describe('search query plans', () => {
  const plan = (sql: string, ...params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');

  it('walks one operation\'s (op, start) range newest first, with no sort', () => {
    const p = plan(SEARCH_SQL.walkStart, 1, 0n, 2n ** 62n);
    expect(p).toMatch(/SEARCH span_index USING PRIMARY KEY \(op_id=\? AND start_ns>\? AND start_ns<\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it('probes a min-duration on the duration lists of the (op, bucket) range that reach into the window', () => {
    expect(plan(SEARCH_SQL.probeDuration, 1, 4, 126, 5n, 2n ** 62n)).toMatch(
      /SEARCH duration_lists USING INDEX duration_lists_by_op \(op_id=\? AND bucket>\? AND bucket<\?\)/,
    );
  });

  it('reads one hour of one tag\'s posting lists, newest first, with no sort', () => {
    const p = plan(SEARCH_SQL.walkPostings, 1, 1, 0, 0);
    expect(p).toMatch(/SEARCH tag_posting_lists USING PRIMARY KEY \(hour=\? AND tag=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });
});

describe('a tag search whose window ends before many newer traces of the same hour', () => {
  it('passes over them by their summaries and finds the traces in the window', () => {
    const db = openDatabase(':memory:', 'writer');
    try {
      const writer = new SpanWriter(db);
      const tagged = (trace: number, ms: number) => spanOf(traceIdOf(trace), 1, 0, ms, 1, { attributes: [stringAttr('batch', 'nightly')] });
      writer.write([tagged(1, 0)]);
      // More newer traces than a search decodes: each was decoded, and the search gave up empty.
      writer.write(Array.from({ length: 2_100 }, (_, i) => tagged(2 + i, 1_000 + i)));
      const reader = new SpanReader(db);
      const window = { startNs: BASE_NS, endNs: BASE_NS + 500_000_000n, limit: 20 };
      const tags = [{ key: 'batch', value: 'nightly' }];
      // A lone tag (checked on the summary) and one with a service (checked span by span).
      expect(reader.findTraceIds({ ...window, tags })).toEqual([traceIdOf(1)]);
      expect(reader.findTraceIds({ ...window, service: 'api', tags })).toEqual([traceIdOf(1)]);
    } finally {
      db.close();
    }
  });

  it('does not even read the lists whose spans all start after the window (or before it), and reads lists written without bounds', () => {
    const db = openDatabase(':memory:', 'writer');
    try {
      const writer = new SpanWriter(db);
      const tagged = (trace: number, ms: number) => spanOf(traceIdOf(trace), 1, 0, ms, 1, { attributes: [stringAttr('batch', 'nightly')] });
      // Three passes of one hour: before the window, in it, after it.
      writer.write([tagged(1, 0), tagged(2, 10)]);
      writer.write([tagged(3, 1_000)]);
      writer.write(Array.from({ length: 50 }, (_, i) => tagged(4 + i, 2_000 + i)));
      const walk = db.prepare<unknown[], Buffer>(SEARCH_SQL.walkPostings).pluck();
      const hour = Number(BASE_NS / HOUR_NS);
      const listsIn = (fromMs: number, toMs: number) =>
        walk.all(hour, tagHash('batch', 'nightly'), ...windowBoundsMs(BASE_NS + BigInt(fromMs) * 1_000_000n, BASE_NS + BigInt(toMs) * 1_000_000n)).map((l) => decodePostingList(l));
      expect(listsIn(500, 1_500)).toEqual([[3]]);
      expect(listsIn(10, 1_000)).toEqual([[3], [1, 2]]);
      // Bounds are a millisecond loose at most (startBoundsOf): the last pass's start at 2,000 ms may meet a window ending at 1,999.
      expect(listsIn(1_500, 1_998)).toEqual([]);
      // The window's edges are inclusive, as the spans' check is: the last pass's spans start from 2,000 ms to 2,049 ms.
      expect(listsIn(2_049, 3_000)).toHaveLength(1);
      // A list from before the bounds (NULL) is read whatever the window.
      db.exec('UPDATE tag_posting_lists SET spans_from_ms = NULL, spans_to_ms = NULL WHERE last_num = 2');
      expect(listsIn(1_500, 1_998)).toEqual([[1, 2]]);
      const reader = new SpanReader(db);
      expect(reader.findTraceIds({ startNs: BASE_NS + 500_000_000n, endNs: BASE_NS + 1_500_000_000n, limit: 20, tags: [{ key: 'batch', value: 'nightly' }] })).toEqual([traceIdOf(3)]);
    } finally {
      db.close();
    }
  });
});
