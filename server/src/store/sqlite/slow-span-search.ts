import type Database from 'better-sqlite3';
import type { SlowSpan, SlowSpanPage, SlowSpanQuery } from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { LatencySketchReader } from './latency-sketch-reader.js';
import { toHexId } from './prepared-batch.js';
import { spanHasTags, toIndexedText, type SearchTag } from './search-tags.js';
import { durationBucketRange, durationBucketSql } from './duration-buckets.js';
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
 * The span scan of one operation, slowest first. On the start plan it is one statement:
 * the window's (op, start) range, sorted by SQLite (unary + keeps the duration terms off
 * the duration index). On the duration plan it is one statement per duration bucket
 * (`bucket` its parameter, the buckets walked from the slowest down by the caller): each
 * bucket's rows in the window, sorted, so that the scan stops in the bucket that fills the
 * page. The order is (duration, start, trace, span ID) throughout, as the cursor is.
 */
export function buildSlowSpanSql(
  query: SlowSpanQuery,
  cursor: Cursor | undefined,
  plan: SlowSpanPlan,
): { sql: string; params: unknown[]; maxDurationNs: bigint } {
  let maxDurationNs = query.maxDurationNs ?? INT64_MAX;
  if (cursor && cursor.durationNs < maxDurationNs) maxDurationNs = cursor.durationNs;
  const d = plan === 'duration' ? 'i.duration_ns' : '+i.duration_ns';
  const conditions = ['i.op_id = ?'];
  const params: unknown[] = [];
  if (plan === 'duration') conditions.push(`${durationBucketSql('i.duration_ns')} = ?`);
  conditions.push(`${d} >= ?`, `${d} <= ?`, 'i.start_ns >= ?', 'i.start_ns <= ?');
  params.push(query.minDurationNs, maxDurationNs, query.startNs, query.endNs);
  if (query.errorsOnly) conditions.push('i.is_error = 1');
  if (cursor) {
    conditions.push(`(${d}, i.start_ns, i.trace_num, i.span_id) < (?, ?, ?, ?)`);
    params.push(cursor.durationNs, cursor.startNs, cursor.traceNum, cursor.spanId);
  }
  return {
    sql: `SELECT i.start_ns, i.trace_num, i.span_id, i.duration_ns, i.is_error, t.trace_id
      FROM span_index i${plan === 'duration' ? ' INDEXED BY span_index_by_duration_bucket' : ''}
      JOIN trace_summaries t ON t.trace_num = i.trace_num
      WHERE ${conditions.join(' AND ')}
      ORDER BY i.duration_ns DESC, i.start_ns DESC, i.trace_num DESC, i.span_id DESC`,
    params,
    maxDurationNs,
  };
}

/** The duration plan's rows of one operation: bucket by bucket from the slowest, each sorted by SQLite. */
function* slowestByBucket(
  statement: Database.Statement<unknown[], SlowSpanRow>,
  opId: number,
  params: unknown[],
  minDurationNs: bigint,
  maxDurationNs: bigint,
): Generator<SlowSpanRow> {
  const { lo, hi } = durationBucketRange(minDurationNs, maxDurationNs);
  for (let bucket = hi; bucket >= lo; bucket--) yield* statement.all(opId, bucket, ...params);
}

/** findSlowSpans over one connection. */
export class SlowSpanSearch {
  private readonly selectOps;

  constructor(
    private readonly db: Database.Database,
    private readonly sketches: LatencySketchReader,
    private readonly chunks: TraceChunks = new TraceChunks(db),
  ) {
    this.selectOps = db.prepare<[string], Operation>('SELECT op_id, name, kind FROM span_ops WHERE service = ? ORDER BY name, kind');
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
      const plan = this.planFor(query, op, wanted);
      const { sql, params, maxDurationNs } = buildSlowSpanSql(query, cursor, plan);
      const statement = this.db.prepare<unknown[], SlowSpanRow>(sql).safeIntegers(true);
      const rows =
        plan === 'duration'
          ? slowestByBucket(statement, op.op_id, params, query.minDurationNs, maxDurationNs)
          : statement.iterate(op.op_id, ...params);
      return { op, rows };
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

function isSlower(a: SlowSpanRow, b: SlowSpanRow): boolean {
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
