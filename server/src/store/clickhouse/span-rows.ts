import type { Span } from '@threadline/shared';
import { bucketIndexOf } from '../../sketch/latency-sketch.js';
import { buildAllSearchTags } from '../sqlite/search-tags.js';
import { toJsonText } from '../sqlite/span-json.js';
import { parseSpanRow } from '../sqlite/span-row.js';
import { ZERO_BUCKET } from './schema.js';

/** A `spans` row as inserted (JSONEachRow: Int64 as decimal strings). */
export interface SpanInsertRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service: string;
  name: string;
  kind: number;
  start_ns: string;
  duration_ns: string;
  is_error: number;
  latency_bucket: number;
  tag_keys: string[];
  tag_values: string[];
  span: string;
}

export interface TraceIndexRow {
  trace_id: string;
  first_start_ns: string;
  last_start_ns: string;
}

export interface OperationRow {
  service: string;
  name: string;
  kind: number;
}

export interface SpanBatchRows {
  spans: SpanInsertRow[];
  traces: TraceIndexRow[];
  operations: OperationRow[];
}

/** The sketch bucket of a duration, as the SQLite store's sketches count it. */
export function latencyBucketOf(durationNs: bigint): number {
  return durationNs === 0n ? ZERO_BUCKET : bucketIndexOf(Number(durationNs));
}

/**
 * The rows one batch of spans becomes: a span row each, one trace-index row per trace
 * (its first and last span start in this batch) and the operations it uses. Validates
 * every span first (StoreInputError), so a bad span writes nothing.
 */
export function buildSpanBatchRows(spans: readonly Span[]): SpanBatchRows {
  const parsed = spans.map((span) => ({ span, row: parseSpanRow(span) }));
  const traces = new Map<string, { first: bigint; last: bigint }>();
  const operations = new Map<string, OperationRow>();
  const rows = parsed.map(({ span, row }): SpanInsertRow => {
    const range = traces.get(row.traceId);
    if (!range) traces.set(row.traceId, { first: row.startNs, last: row.startNs });
    else {
      if (row.startNs < range.first) range.first = row.startNs;
      if (row.startNs > range.last) range.last = row.startNs;
    }
    operations.set(`${row.kind}\u0000${row.service}\u0000${row.name}`, { service: row.service, name: row.name, kind: row.kind });
    const tags = buildAllSearchTags(span);
    return {
      trace_id: row.traceId,
      span_id: row.spanId,
      parent_span_id: row.parentSpanId,
      service: row.service,
      name: row.name,
      kind: row.kind,
      start_ns: row.startNs.toString(),
      duration_ns: row.durationNs.toString(),
      is_error: row.isError ? 1 : 0,
      latency_bucket: latencyBucketOf(row.durationNs),
      tag_keys: tags.map((t) => t.key),
      tag_values: tags.map((t) => t.value),
      span: toJsonText(span),
    };
  });
  return {
    spans: rows,
    traces: [...traces].map(([traceId, r]) => ({ trace_id: traceId, first_start_ns: r.first.toString(), last_start_ns: r.last.toString() })),
    operations: [...operations.values()],
  };
}
