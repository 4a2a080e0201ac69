import type Database from 'better-sqlite3';
import type { SlowSpan, SlowSpanPage, SlowSpanQuery } from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { LatencySketchReader } from './latency-sketch-reader.js';
import { toHexId } from './prepared-batch.js';
import { spanHasTags, toIndexedText, type SearchTag } from './search-tags.js';
import { durationBucketRange } from './duration-buckets.js';
import { decodeDurationList, type DurationEntry } from './duration-lists.js';
import { StoreInputError } from './store-input-error.js';
import { TraceChunks } from './trace-chunks.js';
import { MAX_TAG_FILTERS } from './trace-search.js';

interface SlowSpanRow {
  start_ns: bigint;
  trace_num: bigint;
  span_id: bigint;
  duration_ns: bigint;
  is_error: bigint;
  trace_id: Buffer;
}

interface Operation {
  op_id: number;
  name: string;
  kind: number;
}

/** Where a page ended: the order's full key of its last span. */
interface Cursor {
  durationNs: bigint;
  startNs: bigint;
  traceNum: bigint;
  spanId: bigint;
}

const INT64_MAX = 2n ** 63n - 1n;
const CURSOR = /^(\d{1,19})\.(\d{1,19})\.(\d{1,19})\.([0-9a-f]{16})$/;

/** The index one operation's scan walks. */
export type SlowSpanPlan = 'duration' | 'start';

/**
 * Walking the (op, duration) index downwards visits spans of all time and keeps those in
 * the window, so it fills a page of `wanted` spans after about wanted × all / inWindow
 * rows (matches spread evenly over time); it wins for a wide window or a high threshold.
 * Walking the window's (op, start) range visits each span of the window once, then SQLite
 * sorts the matches; it wins for a narrow window over a long retention, such as a heatmap
 * cell. Counts come from the sketches.
 */
export function chooseSlowSpanPlan(inWindow: number, all: number, wanted: number): SlowSpanPlan {
  if (inWindow === 0) return 'start';
  return (wanted * all) / inWindow <= inWindow ? 'duration' : 'start';
}

/**
 * The start plan's scan of one operation, slowest first: the window's (op, start) range of
 * span_index, sorted by SQLite (unary + keeps the duration terms off any index on them).
 * The order is (duration, start, trace, span ID), as the cursor's.
 */
export function buildSlowSpanSql(query: SlowSpanQuery, cursor: Cursor | undefined): { sql: string; params: unknown[] } {
  const conditions = ['i.op_id = ?', '+i.duration_ns >= ?', '+i.duration_ns <= ?', 'i.start_ns >= ?', 'i.start_ns <= ?'];
  const params: unknown[] = [query.minDurationNs, maxDurationOf(query, cursor), query.startNs, query.endNs];
  if (query.errorsOnly) conditions.push('i.is_error = 1');
  if (cursor) {
    conditions.push('(+i.duration_ns, i.start_ns, i.trace_num, i.span_id) < (?, ?, ?, ?)');
    params.push(cursor.durationNs, cursor.startNs, cursor.traceNum, cursor.spanId);
  }
  return {
    sql: `SELECT i.start_ns, i.trace_num, i.span_id, i.duration_ns, i.is_error, t.trace_id
      FROM span_index i
      JOIN trace_summaries t ON t.trace_num = i.trace_num
      WHERE ${conditions.join(' AND ')}
      ORDER BY i.duration_ns DESC, i.start_ns DESC, i.trace_num DESC, i.span_id DESC`,
    params,
  };
}

/** The query's upper duration bound, lowered to the cursor's. */
function maxDurationOf(query: SlowSpanQuery, cursor: Cursor | undefined): bigint {
  const max = query.maxDurationNs ?? INT64_MAX;
  return cursor && cursor.durationNs < max ? cursor.durationNs : max;
}

/** The duration plan's lists of one (operation, bucket) that can hold spans starting in the window. */
export const SLOW_LISTS_SQL = 'SELECT entries FROM duration_lists WHERE op_id = ? AND bucket = ? AND last_start_ns >= ? AND first_start_ns <= ?';

/** Whether a listed span passes the query's duration, window and error filters. */
function entryMatches(e: DurationEntry, query: SlowSpanQuery, maxDurationNs: bigint): boolean {
  if (e.durationNs < query.minDurationNs || e.durationNs > maxDurationNs) return false;
  if (e.startNs < query.startNs || e.startNs > query.endNs) return false;
  return !query.errorsOnly || e.isError === 1;
}

/** The order's full key of a span. */
type SpanKey = Pick<SlowSpanRow, 'duration_ns' | 'start_ns' | 'trace_num' | 'span_id'>;

function cursorKey(cursor: Cursor): SpanKey {
  return { duration_ns: cursor.durationNs, start_ns: cursor.startNs, trace_num: cursor.traceNum, span_id: cursor.spanId };
}

/** findSlowSpans over one connection. */
export class SlowSpanSearch {
  private readonly selectOps;
  private readonly selectLists;
  private readonly storedTraceId;

  constructor(
    private readonly db: Database.Database,
    private readonly sketches: LatencySketchReader,
    private readonly chunks: TraceChunks = new TraceChunks(db),
  ) {
    this.selectOps = db.prepare<[string], Operation>('SELECT op_id, name, kind FROM span_ops WHERE service = ? ORDER BY name, kind');
    this.selectLists = db.prepare<[number, number, bigint, bigint], Buffer>(SLOW_LISTS_SQL).pluck();
    // A list is a hint (duration-lists.ts): a listed span counts only while span_index holds it, with that duration.
    this.storedTraceId = db
      .prepare<[number, bigint, bigint, bigint, bigint], Buffer>(
        `SELECT t.trace_id FROM span_index i JOIN trace_summaries t ON t.trace_num = i.trace_num
         WHERE i.op_id = ? AND i.start_ns = ? AND i.trace_num = ? AND i.span_id = ? AND i.duration_ns = ?`,
      )
      .pluck();
  }

  /**
   * Every operation of the service is a scan of its own, on the index its plan picks;
   * they are merged here slowest first and stop once the page is full. Tags are checked on
   * the span itself, decoded from its trace.
   */
  find(query: SlowSpanQuery): SlowSpanPage {
    checkPaging(query);
    const cursor = query.cursor === undefined ? undefined : parseCursor(query.cursor);
    const tags: SearchTag[] = query.tags.map((t) => ({ key: toIndexedText(t.key), value: toIndexedText(t.value) }));
    const kind = query.spanKind === undefined ? undefined : toSpanKind(query.spanKind);
    const ops = this.selectOps
      .all(query.service)
      .filter((op) => (query.operation === undefined || op.name === query.operation) && (kind === undefined || op.kind === kind));
    const wanted = query.offset + query.limit + 1;
    const byOpId = new Map(ops.map((op) => [op.op_id, op]));
    const streams = ops.map((op) => {
      if (this.planFor(query, op, wanted) === 'duration') return { op, rows: this.slowestByBucket(op.op_id, query, cursor) };
      const { sql, params } = buildSlowSpanSql(query, cursor);
      return { op, rows: this.db.prepare<unknown[], SlowSpanRow>(sql).safeIntegers(true).iterate(op.op_id, ...params) };
    });
    try {
      const matches = tags.length === 0 ? undefined : (row: SlowSpanRow) => this.hasTags(row, tags);
      const merged = mergeSlowestFirst(streams, wanted, matches).slice(query.offset);
      const page = merged.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        spans: page.map(({ op, row }) => toSlowSpan(query.service, byOpId.get(op.op_id)!, row)),
        ...(merged.length > query.limit && last
          ? { nextCursor: `${last.row.duration_ns}.${last.row.start_ns}.${last.row.trace_num}.${toHexId(last.row.span_id)}` }
          : {}),
      };
    } finally {
      // Ends each statement's read, including scans that still had rows.
      for (const stream of streams) stream.rows.return?.();
    }
  }

  /**
   * The duration plan's spans of one operation: its lists bucket by bucket from the slowest,
   * each bucket's matches sorted here, so that the scan stops in the bucket that fills the
   * page. A listed span no longer stored (a list straddling a retention bound, a span
   * replaced) is skipped.
   */
  private *slowestByBucket(opId: number, query: SlowSpanQuery, cursor: Cursor | undefined): Generator<SlowSpanRow> {
    const maxDurationNs = maxDurationOf(query, cursor);
    const after = cursor && cursorKey(cursor);
    const { lo, hi } = durationBucketRange(query.minDurationNs, maxDurationNs);
    for (let bucket = hi; bucket >= lo; bucket--) {
      const rows: Array<Omit<SlowSpanRow, 'trace_id'>> = [];
      for (const list of this.selectLists.all(opId, bucket, query.startNs, query.endNs)) {
        for (const e of decodeDurationList(list)) {
          if (!entryMatches(e, query, maxDurationNs)) continue;
          const row = { duration_ns: e.durationNs, start_ns: e.startNs, trace_num: BigInt(e.traceNum), span_id: e.spanId, is_error: BigInt(e.isError) };
          // Pages go on after their cursor: only spans below it in the order.
          if (!after || isSlower(after, row)) rows.push(row);
        }
      }
      rows.sort((a, b) => (isSlower(a, b) ? -1 : isSlower(b, a) ? 1 : 0));
      for (const row of rows) {
        const traceId = this.storedTraceId.get(opId, row.start_ns, row.trace_num, row.span_id, row.duration_ns);
        if (traceId) yield { ...row, trace_id: traceId };
      }
    }
  }

  private hasTags(row: SlowSpanRow, tags: readonly SearchTag[]): boolean {
    const spanId = toHexId(row.span_id);
    const span = this.chunks.byTraceNum(Number(row.trace_num)).find((s) => s.spanId === spanId);
    return span !== undefined && spanHasTags(span, tags);
  }

  private planFor(query: SlowSpanQuery, op: Operation, wanted: number): SlowSpanPlan {
    const scope = { service: query.service, operation: op.name, spanKind: toSpanKindName(op.kind) };
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
  if (!match) throw new StoreInputError('invalid_query', 'invalid cursor');
  const [durationNs, startNs, traceNum] = [BigInt(match[1]!), BigInt(match[2]!), BigInt(match[3]!)];
  if (durationNs > INT64_MAX || startNs > INT64_MAX || traceNum > INT64_MAX) throw new StoreInputError('invalid_query', 'invalid cursor');
  return { durationNs, startNs, traceNum, spanId: BigInt.asIntN(64, BigInt(`0x${match[4]!}`)) };
}

interface Stream {
  op: Operation;
  rows: IterableIterator<SlowSpanRow>;
}

/** The first `count` matching rows of the streams' union, each stream already slowest first. */
function mergeSlowestFirst(streams: readonly Stream[], count: number, matches?: (row: SlowSpanRow) => boolean): Array<{ op: Operation; row: SlowSpanRow }> {
  const next = (s: Stream): IteratorResult<SlowSpanRow> => {
    for (;;) {
      const r = s.rows.next();
      if (r.done || !matches || matches(r.value)) return r;
    }
  };
  const heads = streams.map(next);
  const out: Array<{ op: Operation; row: SlowSpanRow }> = [];
  while (out.length < count) {
    let best = -1;
    heads.forEach((head, k) => {
      if (head.done) return;
      if (best === -1 || isSlower(head.value, heads[best]!.value as SlowSpanRow)) best = k;
    });
    if (best === -1) break;
    out.push({ op: streams[best]!.op, row: heads[best]!.value as SlowSpanRow });
    heads[best] = next(streams[best]!);
  }
  return out;
}

function isSlower(a: SpanKey, b: SpanKey): boolean {
  if (a.duration_ns !== b.duration_ns) return a.duration_ns > b.duration_ns;
  if (a.start_ns !== b.start_ns) return a.start_ns > b.start_ns;
  if (a.trace_num !== b.trace_num) return a.trace_num > b.trace_num;
  return a.span_id > b.span_id;
}

function toSlowSpan(service: string, op: Operation, row: SlowSpanRow): SlowSpan {
  return {
    traceId: row.trace_id.toString('hex'),
    spanId: toHexId(row.span_id),
    service,
    operation: op.name,
    spanKind: toSpanKindName(op.kind),
    startNs: row.start_ns,
    durationNs: row.duration_ns,
    error: row.is_error === 1n,
  };
}
