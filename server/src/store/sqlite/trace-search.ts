import type Database from 'better-sqlite3';
import type { TraceQuery } from '../span-store.js';
import { toIndexedText } from './search-tags.js';
import { StoreInputError } from './store-input-error.js';

/** Each tag adds a subquery; this keeps a query far below SQLite's expression depth limit. */
export const MAX_TAG_FILTERS = 32;

// Naming the span's own start_ns makes the check one exact primary-key seek. Both take
// (key, value) parameters and need the span as `s`; slow-span-search.ts uses them too.
export const ON_SPAN =
  'EXISTS (SELECT 1 FROM span_attributes a' +
  ' WHERE a.key = ? AND a.value = ? AND a.start_ns = s.start_ns AND a.span_pk = s.span_pk)';
export const ON_RESOURCE =
  'EXISTS (SELECT 1 FROM resource_attributes r WHERE r.key = ? AND r.value = ? AND r.resource_id = s.resource_id)';

/** A tag filter cut to the indexed prefix, and whether any resource carries it. */
export interface ResolvedTag {
  key: string;
  value: string;
  onResources: boolean;
}

export interface SearchSql {
  sql: string;
  params: unknown[];
}

/**
 * Builds the span scan behind findTraceIds: one span must satisfy every filter, and rows
 * come out newest first so the caller can stop as soon as it has `limit` distinct traces.
 * The index walked is chosen here rather than left to the planner, which has no
 * statistics for how selective a tag is:
 * - a service → the (service, name, start) or (service, start) index, tags checked by an
 *   exact seek per span;
 * - no service, a tag that no resource carries → that tag's (key, value, start) range;
 * - otherwise → the start-time index.
 * User values only ever appear as bound parameters.
 */
export function buildTraceSearchSql(query: TraceQuery, tags: readonly ResolvedTag[]): SearchSql {
  const driver = query.service === undefined ? tags.find((t) => !t.onResources) : undefined;
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (condition: string, ...values: unknown[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  const start = driver ? 'd.start_ns' : 's.start_ns';
  if (driver) where('d.key = ? AND d.value = ?', driver.key, driver.value);
  if (query.service !== undefined) where('s.service = ?', query.service);
  if (query.operation !== undefined) where('s.name = ?', query.operation);
  if (query.startNs !== undefined) where(`${start} >= ?`, query.startNs);
  if (query.endNs !== undefined) where(`${start} <= ?`, query.endNs);
  if (query.minDurationNs !== undefined) where('s.duration_ns >= ?', query.minDurationNs);
  if (query.maxDurationNs !== undefined) where('s.duration_ns <= ?', query.maxDurationNs);
  for (const tag of tags) {
    if (tag === driver) continue;
    if (tag.onResources) where(`(${ON_SPAN} OR ${ON_RESOURCE})`, tag.key, tag.value, tag.key, tag.value);
    else where(ON_SPAN, tag.key, tag.value);
  }
  const from = driver ? 'span_attributes d JOIN spans s ON s.span_pk = d.span_pk' : 'spans s';
  const filter = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  return { sql: `SELECT s.trace_id FROM ${from}${filter} ORDER BY ${start} DESC`, params };
}

/** findTraceIds over one connection. */
export class TraceSearch {
  private readonly resourceHasTag;

  constructor(private readonly db: Database.Database) {
    this.resourceHasTag = db
      .prepare<[string, string], number>(
        'SELECT EXISTS (SELECT 1 FROM resource_attributes WHERE key = ? AND value = ?)',
      )
      .pluck();
  }

  find(query: TraceQuery): string[] {
    if (!Number.isInteger(query.limit) || query.limit < 0) {
      throw new StoreInputError('invalid_query', 'limit must be a non-negative integer');
    }
    if (query.tags.length > MAX_TAG_FILTERS) {
      throw new StoreInputError('invalid_query', `at most ${MAX_TAG_FILTERS} tag filters are supported`);
    }
    if (query.limit === 0) return [];
    const tags = query.tags.map((t): ResolvedTag => {
      const key = toIndexedText(t.key);
      const value = toIndexedText(t.value);
      return { key, value, onResources: this.resourceHasTag.get(key, value) === 1 };
    });
    const { sql, params } = buildTraceSearchSql(query, tags);
    const traceIds = new Set<string>();
    // The statement is reset when the loop breaks, so the scan stops at `limit` traces.
    for (const traceId of this.db.prepare<unknown[], string>(sql).pluck().iterate(...params)) {
      traceIds.add(traceId);
      if (traceIds.size >= query.limit) break;
    }
    return [...traceIds];
  }
}
