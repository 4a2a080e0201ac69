import { AppError } from '../../app-error.js';
import type { SlowSpan, SlowSpanPage, SlowSpanQuery } from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { ClickhouseConnection, QueryParams } from './clickhouse-connection.js';
import { MAX_TAG_FILTERS, spanFilterSql, type Sql } from './trace-search-sql.js';

/**
 * `<duration>.<start>.<span ID>` of a page's last span (the API caps cursors at 64
 * characters, so the trace ID is left out: spans equal in all three are as good as never).
 */
const CURSOR = /^(\d{1,19})\.(\d{1,19})\.([0-9a-f]{16})$/;

interface SlowSpanRow {
  trace_id: string;
  span_id: string;
  service: string;
  name: string;
  kind: number;
  start_ns: string;
  duration_ns: string;
  is_error: number;
}

/** The page's order is (duration, start, span, trace) descending; the cursor is the first three of a page's last span. */
export function buildSlowSpanSql(spans: string, query: SlowSpanQuery): Sql {
  if (query.tags.length > MAX_TAG_FILTERS) throw new AppError(400, 'invalid_query', `at most ${MAX_TAG_FILTERS} tags`);
  if (!Number.isInteger(query.limit) || query.limit < 1 || !Number.isInteger(query.offset) || query.offset < 0) {
    throw new AppError(400, 'invalid_query', 'limit must be positive and offset non-negative');
  }
  const params: QueryParams = {};
  const terms = spanFilterSql(
    { service: query.service, operation: query.operation, startNs: query.startNs, endNs: query.endNs, minDurationNs: query.minDurationNs, maxDurationNs: query.maxDurationNs, tags: query.tags },
    params,
  );
  if (query.spanKind !== undefined) {
    params.kind = toSpanKind(query.spanKind);
    terms.push('kind = {kind:UInt8}');
  }
  if (query.errorsOnly) terms.push('is_error = 1');
  if (query.cursor !== undefined) {
    const m = CURSOR.exec(query.cursor);
    if (!m) throw new AppError(400, 'invalid_query', 'the cursor is not one this server gave out');
    Object.assign(params, { cd: m[1], cs: m[2], cp: m[3] });
    terms.push('(duration_ns, start_ns, span_id) < ({cd:Int64}, {cs:Int64}, {cp:String})');
  }
  params.limit = query.limit + 1;
  params.offset = query.offset;
  return {
    sql: `SELECT trace_id, span_id, service, name, kind, start_ns, duration_ns, is_error
      FROM ${spans} WHERE ${terms.join(' AND ')}
      ORDER BY duration_ns DESC, start_ns DESC, span_id DESC, trace_id DESC
      LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
  };
}

export async function findSlowSpans(connection: ClickhouseConnection, spans: string, query: SlowSpanQuery): Promise<SlowSpanPage> {
  const { sql, params } = buildSlowSpanSql(spans, query);
  const rows = await connection.rows<SlowSpanRow>(sql, params);
  const page = rows.slice(0, query.limit).map(
    (r): SlowSpan => ({
      traceId: r.trace_id,
      spanId: r.span_id,
      service: r.service,
      operation: r.name,
      spanKind: toSpanKindName(Number(r.kind)),
      startNs: BigInt(r.start_ns),
      durationNs: BigInt(r.duration_ns),
      error: Number(r.is_error) === 1,
    }),
  );
  const last = page[page.length - 1];
  return rows.length > query.limit && last
    ? { spans: page, nextCursor: `${last.durationNs}.${last.startNs}.${last.spanId}` }
    : { spans: page };
}
