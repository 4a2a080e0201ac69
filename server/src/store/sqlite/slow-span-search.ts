import type Database from 'better-sqlite3';
import type { SlowSpan, SlowSpanPage, SlowSpanQuery } from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { LatencySketchReader } from './latency-sketch-reader.js';
import { toIndexedText } from './search-tags.js';
import { StoreInputError } from './store-input-error.js';
import { MAX_TAG_FILTERS, ON_RESOURCE, ON_SPAN, type ResolvedTag, type SearchSql } from './trace-search.js';

interface SlowSpanRow {
  span_pk: bigint;
  trace_id: string;
  span_id: string;
  service: string;
  name: string;
  kind: bigint;
  start_ns: bigint;
  duration_ns: bigint;
  is_error: bigint;
}

/** Where a page ended: the last span's duration and primary key, the order's tie-breaker. */
interface Cursor {
  durationNs: bigint;
  spanPk: bigint;
}

const INT64_MAX = 2n ** 63n - 1n;
const CURSOR = /^(\d{1,19})\.(\d{1,19})$/;

/** The index one operation's scan walks. */
export type SlowSpanPlan = 'duration' | 'start';

/**
 * Walking the (service, name, duration) index downwards visits spans of all time and keeps
 * those in the window, so it fills a page of `wanted` spans after about
 * wanted × all / inWindow rows (matches spread evenly over time); it wins for a wide window
 * or a high threshold. Walking the window's (service, name, start) range visits each span
 * of the window once, then SQLite sorts the matches; it wins for a narrow window over a
 * long retention, such as a heatmap cell. Counts come from the sketches.
 */
export function chooseSlowSpanPlan(inWindow: number, all: number, wanted: number): SlowSpanPlan {
  if (inWindow === 0) return 'start';
  return (wanted * all) / inWindow <= inWindow ? 'duration' : 'start';
}

/**
 * The span scan of one operation, slowest first. INDEXED BY pins the plan's index rather
 * than leave it to the planner, which knows neither the window's share of the data nor
 * how soon the scan stops: on the duration index, walked backwards, rows come out in
 * order and the scan stops after the page; on the start index SQLite sorts the window's
 * matches. Other filters are checked per row.
 */
export function buildSlowSpanSql(
  query: SlowSpanQuery,
  name: string,
  tags: readonly ResolvedTag[],
  cursor: Cursor | undefined,
  plan: SlowSpanPlan,
): SearchSql {
  let maxDurationNs = query.maxDurationNs ?? INT64_MAX;
  if (cursor && cursor.durationNs < maxDurationNs) maxDurationNs = cursor.durationNs;
  const conditions = [
    's.service = ?',
    's.name = ?',
    's.duration_ns >= ?',
    's.duration_ns <= ?',
    's.start_ns >= ?',
    's.start_ns <= ?',
  ];
  const params: unknown[] = [query.service, name, query.minDurationNs, maxDurationNs, query.startNs, query.endNs];
  if (query.spanKind !== undefined) {
    conditions.push('s.kind = ?');
    params.push(toSpanKind(query.spanKind));
  }
  if (query.errorsOnly) conditions.push('s.is_error = 1');
  if (cursor) {
    conditions.push('(s.duration_ns < ? OR s.span_pk < ?)');
    params.push(cursor.durationNs, cursor.spanPk);
  }
  for (const tag of tags) {
    conditions.push(tag.onResources ? `(${ON_SPAN} OR ${ON_RESOURCE})` : ON_SPAN);
    params.push(tag.key, tag.value, ...(tag.onResources ? [tag.key, tag.value] : []));
  }
  return {
    sql: `SELECT s.span_pk, s.trace_id, s.span_id, s.service, s.name, s.kind, s.start_ns, s.duration_ns, s.is_error
      FROM spans s INDEXED BY ${plan === 'duration' ? 'spans_by_service_name_duration' : 'spans_by_service_name_start'}
      WHERE ${conditions.join(' AND ')}
      ORDER BY s.duration_ns DESC, s.span_pk DESC`,
    params,
  };
}

/** findSlowSpans over one connection. */
export class SlowSpanSearch {
  private readonly selectNames;
  private readonly selectNamesOfKind;
  private readonly resourceHasTag;

  constructor(
    private readonly db: Database.Database,
    private readonly sketches: LatencySketchReader,
  ) {
    this.selectNames = db.prepare<[string], string>('SELECT DISTINCT name FROM operations WHERE service = ?').pluck();
    this.selectNamesOfKind = db
      .prepare<[string, number], string>('SELECT DISTINCT name FROM operations WHERE service = ? AND kind = ?')
      .pluck();
    this.resourceHasTag = db
      .prepare<[string, string], number>('SELECT EXISTS (SELECT 1 FROM resource_attributes WHERE key = ? AND value = ?)')
      .pluck();
  }

  /**
   * Every operation of the service is a scan of its own, on the index its plan picks;
   * they are merged here on (duration, span_pk) descending and stop once the page is full.
   */
  find(query: SlowSpanQuery): SlowSpanPage {
    checkPaging(query);
    const cursor = query.cursor === undefined ? undefined : parseCursor(query.cursor);
    const tags = query.tags.map((t): ResolvedTag => {
      const key = toIndexedText(t.key);
      const value = toIndexedText(t.value);
      return { key, value, onResources: this.resourceHasTag.get(key, value) === 1 };
    });
    const names =
      query.operation !== undefined
        ? [query.operation]
        : query.spanKind !== undefined
          ? this.selectNamesOfKind.all(query.service, toSpanKind(query.spanKind))
          : this.selectNames.all(query.service);
    const wanted = query.offset + query.limit + 1;
    const streams = names.map((name) => {
      const plan = this.planFor(query, name, wanted);
      const { sql, params } = buildSlowSpanSql(query, name, tags, cursor, plan);
      return this.db.prepare<unknown[], SlowSpanRow>(sql).safeIntegers(true).iterate(...params);
    });
    try {
      const rows = mergeSlowestFirst(streams, wanted).slice(query.offset);
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        spans: page.map(toSlowSpan),
        ...(rows.length > query.limit && last ? { nextCursor: `${last.duration_ns}.${last.span_pk}` } : {}),
      };
    } finally {
      // Ends each statement's read, including scans that still had rows.
      for (const stream of streams) stream.return?.();
    }
  }

  private planFor(query: SlowSpanQuery, name: string, wanted: number): SlowSpanPlan {
    const scope = { service: query.service, operation: name, ...(query.spanKind ? { spanKind: query.spanKind } : {}) };
    const inWindow = this.sketches.countSpans({ ...scope, startNs: query.startNs, endNs: query.endNs });
    const all = this.sketches.countSpans({ ...scope, startNs: 0n, endNs: INT64_MAX });
    return chooseSlowSpanPlan(inWindow, all, wanted);
  }
}

function checkPaging(query: SlowSpanQuery): void {
  if (!Number.isSafeInteger(query.limit) || query.limit < 1) {
    throw new StoreInputError('invalid_query', 'limit must be a positive integer');
  }
  if (!Number.isSafeInteger(query.offset) || query.offset < 0) {
    throw new StoreInputError('invalid_query', 'offset must be a non-negative integer');
  }
  if (query.tags.length > MAX_TAG_FILTERS) {
    throw new StoreInputError('invalid_query', `at most ${MAX_TAG_FILTERS} tag filters are supported`);
  }
}

function parseCursor(text: string): Cursor {
  const match = CURSOR.exec(text);
  const durationNs = match ? BigInt(match[1]!) : INT64_MAX + 1n;
  const spanPk = match ? BigInt(match[2]!) : 0n;
  if (durationNs > INT64_MAX || spanPk > INT64_MAX) throw new StoreInputError('invalid_query', 'invalid cursor');
  return { durationNs, spanPk };
}

/** The first `count` rows of the streams' union, each stream already slowest first. */
function mergeSlowestFirst(streams: ReadonlyArray<Iterator<SlowSpanRow>>, count: number): SlowSpanRow[] {
  const heads = streams.map((s) => s.next());
  const out: SlowSpanRow[] = [];
  while (out.length < count) {
    let best = -1;
    heads.forEach((head, k) => {
      if (head.done) return;
      const top = best === -1 ? undefined : (heads[best]!.value as SlowSpanRow);
      if (!top || isSlower(head.value, top)) best = k;
    });
    if (best === -1) break;
    out.push(heads[best]!.value as SlowSpanRow);
    heads[best] = streams[best]!.next();
  }
  return out;
}

function isSlower(a: SlowSpanRow, b: SlowSpanRow): boolean {
  return a.duration_ns > b.duration_ns || (a.duration_ns === b.duration_ns && a.span_pk > b.span_pk);
}

function toSlowSpan(row: SlowSpanRow): SlowSpan {
  return {
    traceId: row.trace_id,
    spanId: row.span_id,
    service: row.service,
    operation: row.name,
    spanKind: toSpanKindName(Number(row.kind)),
    startNs: row.start_ns,
    durationNs: row.duration_ns,
    error: row.is_error === 1n,
  };
}
