import { toIndexedText } from '../sqlite/search-tags.js';
import type { TagFilter, TraceQuery } from '../span-store.js';
import type { QueryParams } from './clickhouse-connection.js';

/** As many as the SQLite store takes: each is one arrayExists over the span's tags. */
export const MAX_TAG_FILTERS = 32;
const INT64_MAX = 2n ** 63n - 1n;

export interface Sql {
  sql: string;
  params: QueryParams;
}

/**
 * `WHERE` terms for a span matching every filter at once (service, operation, window,
 * duration, tags), with the values as bound parameters `{pN:Type}`. A tag matches a key
 * and value pair of the span's search tags (its own, derived and resource tags), compared
 * on the indexed prefix, as in the SQLite store.
 */
export function spanFilterSql(
  filters: { service?: string; operation?: string; startNs?: bigint; endNs?: bigint; minDurationNs?: bigint; maxDurationNs?: bigint; tags?: readonly TagFilter[] },
  params: QueryParams,
): string[] {
  const bind = (value: unknown, type: string) => {
    const name = `p${Object.keys(params).length}`;
    params[name] = value;
    return `{${name}:${type}}`;
  };
  const terms: string[] = [];
  if (filters.service !== undefined) terms.push(`service = ${bind(filters.service, 'String')}`);
  if (filters.operation !== undefined) terms.push(`name = ${bind(filters.operation, 'String')}`);
  if (filters.startNs !== undefined) terms.push(`start_ns >= ${bind(String(filters.startNs), 'Int64')}`);
  if (filters.endNs !== undefined) terms.push(`start_ns <= ${bind(String(clampInt64(filters.endNs)), 'Int64')}`);
  if (filters.minDurationNs !== undefined && filters.minDurationNs > 0n) {
    terms.push(`duration_ns >= ${bind(String(clampInt64(filters.minDurationNs)), 'Int64')}`);
  }
  if (filters.maxDurationNs !== undefined) terms.push(`duration_ns <= ${bind(String(clampInt64(filters.maxDurationNs)), 'Int64')}`);
  for (const tag of filters.tags ?? []) {
    const key = bind(toIndexedText(tag.key), 'String');
    const value = bind(toIndexedText(tag.value), 'String');
    // has() first lets the bloom-filter skip indexes drop granules; arrayExists pairs them.
    terms.push(`has(tag_values, ${value}) AND arrayExists((k, v) -> k = ${key} AND v = ${value}, tag_keys, tag_values)`);
  }
  return terms;
}

function clampInt64(ns: bigint): bigint {
  return ns > INT64_MAX ? INT64_MAX : ns < -INT64_MAX ? -INT64_MAX : ns;
}

/** Trace IDs with a span matching every filter, by their newest matching span, newest first. */
export function buildFindTraceIdsSql(spans: string, query: TraceQuery): Sql {
  const params: QueryParams = {};
  const terms = spanFilterSql(query, params);
  params.limit = query.limit;
  return {
    sql: `SELECT trace_id FROM ${spans}${terms.length ? ` WHERE ${terms.join(' AND ')}` : ''}
      GROUP BY trace_id ORDER BY max(start_ns) DESC, trace_id DESC LIMIT {limit:UInt32}`,
    params,
  };
}
