import { SpanKind, StatusCode, stringAttr, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SlowSpanQuery } from '../latency-queries.js';
import { LatencySketchReader } from './latency-sketch-reader.js';
import { openDatabase } from './open-database.js';
import { buildSlowSpanSql, chooseSlowSpanPlan, SLOW_LISTS_SQL, SlowSpanSearch } from './slow-span-search.js';
import { SpanWriter } from './span-writer.js';
import { StoreInputError } from './store-input-error.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let db: Database.Database;
let search: SlowSpanSearch;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  search = new SlowSpanSearch(db, new LatencySketchReader(db));
});
afterEach(() => db.close());

interface Spec {
  id: number;
  ms: number;
  durationUs: number;
  name?: string;
  kind?: Span['kind'];
  error?: boolean;
  region?: string;
  host?: string;
}

function span({ id, ms, durationUs, name = 'GET /users', kind = SpanKind.SERVER, error = false, region, host = 'h1' }: Spec): Span {
  const start = BigInt(at(ms));
  return testSpan({
    traceId: traceIdOf(id),
    spanId: spanIdOf(id),
    name,
    kind,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + BigInt(durationUs) * 1000n),
    attributes: region ? [stringAttr('region', region)] : [],
    status: { code: error ? StatusCode.ERROR : StatusCode.UNSET, message: '' },
    resource: { attributes: [stringAttr('service.name', 'api'), stringAttr('host.name', host)], droppedAttributesCount: 0 },
  });
}

const SPANS: Spec[] = [
  { id: 1, ms: 0, durationUs: 500 },
  { id: 2, ms: 10, durationUs: 900, error: true, region: 'eu' },
  { id: 3, ms: 20, durationUs: 700, name: 'SELECT', kind: SpanKind.CLIENT, host: 'h2' },
  { id: 4, ms: 30, durationUs: 900, region: 'us' },
  { id: 5, ms: 40, durationUs: 100, name: 'SELECT', kind: SpanKind.CLIENT },
  { id: 6, ms: 50, durationUs: 800, name: 'SELECT', kind: SpanKind.CLIENT, error: true, region: 'eu' },
  { id: 7, ms: 5000, durationUs: 9000 },
];

beforeEach(() => new SpanWriter(db).write(SPANS.map(span)));

function query(fields: Partial<SlowSpanQuery> = {}): SlowSpanQuery {
  return {
    service: 'api',
    startNs: BASE_NS,
    endNs: BigInt(at(100)),
    minDurationNs: 0n,
    tags: [],
    errorsOnly: false,
    limit: 50,
    offset: 0,
    ...fields,
  };
}

const ids = (q: SlowSpanQuery) => search.find(q).spans.map((s) => Number.parseInt(s.spanId, 16));

describe('findSlowSpans', () => {
  it('lists the spans of every operation in the window, slowest first', () => {
    // Equal durations: the later-stored span first, the same order on every page.
    expect(ids(query())).toEqual([4, 2, 6, 3, 1, 5]);
    const [first] = search.find(query()).spans;
    expect(first).toEqual({
      traceId: traceIdOf(4),
      spanId: spanIdOf(4),
      service: 'api',
      operation: 'GET /users',
      spanKind: 'server',
      startNs: BigInt(at(30)),
      durationNs: 900_000n,
      error: false,
    });
  });

  it('narrows by operation, kind, duration, errors and tags', () => {
    expect(ids(query({ operation: 'SELECT' }))).toEqual([6, 3, 5]);
    expect(ids(query({ spanKind: 'client' }))).toEqual([6, 3, 5]);
    expect(ids(query({ minDurationNs: 700_000n, maxDurationNs: 800_000n }))).toEqual([6, 3]);
    expect(ids(query({ errorsOnly: true }))).toEqual([2, 6]);
    expect(ids(query({ tags: [{ key: 'region', value: 'eu' }] }))).toEqual([2, 6]);
    expect(ids(query({ tags: [{ key: 'host.name', value: 'h2' }] }))).toEqual([3]);
    expect(ids(query({ endNs: BigInt(at(10)) }))).toEqual([2, 1]);
    expect(ids(query({ endNs: BigInt(at(10_000)) }))[0]).toBe(7);
    expect(ids(query({ service: 'nobody' }))).toEqual([]);
  });

  it('pages by offset and by cursor, without gaps or repeats', () => {
    expect(ids(query({ limit: 2, offset: 3 }))).toEqual([3, 1]);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = search.find(query({ limit: 4, ...(cursor === undefined ? {} : { cursor }) }));
      seen.push(...page.spans.map((s) => Number.parseInt(s.spanId, 16)));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual([4, 2, 6, 3, 1, 5]);
    expect(search.find(query({ limit: 6 })).nextCursor).toBeUndefined();
    expect(search.find(query({ limit: 5 })).nextCursor).toBeDefined();
  });

  it('takes a span from the duration lists only while span_index holds it', () => {
    // A page of one: the duration plan for both operations (chooseSlowSpanPlan(3, 3, 2)).
    expect(ids(query({ limit: 1 }))).toEqual([4]);
    // Spans 2 and 4 (900 µs) gone from span_index only: their list still holds them.
    db.prepare('DELETE FROM span_index WHERE duration_ns = 900000').run();
    expect(ids(query({ limit: 1 }))).toEqual([6]);
  });

  it('refuses a bad cursor or page', () => {
    expect(() => search.find(query({ cursor: 'nope' }))).toThrow(StoreInputError);
    expect(() => search.find(query({ cursor: '99999999999999999999.1' }))).toThrow('invalid cursor');
    expect(() => search.find(query({ limit: 0 }))).toThrow('limit');
    expect(() => search.find(query({ offset: -1 }))).toThrow('offset');
  });

  it('reads the duration lists a bucket at a time, or walks the window’s start range and sorts', () => {
    const planOf = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((p) => p.detail);
    // One bucket's lists that reach into the window.
    expect(planOf(SLOW_LISTS_SQL, 1, 40, 0n, 2n ** 62n)[0]).toBe('SEARCH duration_lists USING INDEX duration_lists_by_op (op_id=? AND bucket=? AND last_start_ns>?)');
    const cursor = { durationNs: 5n, startNs: 3n, traceNum: 2n, spanId: 1n };
    const { sql, params } = buildSlowSpanSql(query({ errorsOnly: true }), cursor);
    const byStart = planOf(sql, 1, ...params);
    expect(byStart[0]).toBe('SEARCH i USING PRIMARY KEY (op_id=? AND start_ns>? AND start_ns<?)');
    expect(byStart).toContain('USE TEMP B-TREE FOR ORDER BY');
  });

  it('scans the window instead when it holds a small share of the data, with the same answers', () => {
    expect(chooseSlowSpanPlan(1_000_000, 1_000_000, 51)).toBe('duration');
    expect(chooseSlowSpanPlan(20_000, 3_000_000, 51)).toBe('duration');
    expect(chooseSlowSpanPlan(2_000, 3_000_000, 51)).toBe('start');
    expect(chooseSlowSpanPlan(0, 10, 51)).toBe('start');
    // Spans a minute apart over ten hours; a five-minute window is a small share of them.
    const spread = Array.from({ length: 600 }, (_, i) => span({ id: 100 + i, ms: 60_000 * i, durationUs: 1 + ((i * 7919) % 1000) }));
    new SpanWriter(db).write(spread);
    const window = { startNs: BigInt(at(60_000 * 300)), endNs: BigInt(at(60_000 * 305)) };
    const inWindow = spread
      .map((s) => ({ id: Number.parseInt(s.spanId, 16), start: BigInt(s.startTimeUnixNano), d: BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano) }))
      .filter((s) => s.start >= window.startNs && s.start <= window.endNs)
      .sort((a, b) => (a.d > b.d ? -1 : a.d < b.d ? 1 : b.id - a.id));
    // Six spans in the window, 607 in all: the start plan (4 × 607 / 6 rows by duration is more).
    expect(inWindow).toHaveLength(6);
    expect(ids(query({ ...window, limit: 3 }))).toEqual(inWindow.slice(0, 3).map((s) => s.id));
    expect(ids(query({ ...window, minDurationNs: 300_000n }))).toEqual(inWindow.filter((s) => s.d >= 300_000n).map((s) => s.id));
  });
});
