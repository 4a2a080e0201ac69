import type Database from 'better-sqlite3';
import {
  NETTRACE_ERROR_PERIODS,
  NETTRACE_REQUEST_BUCKETS_NS,
  type NettraceEventLogFamily,
  type NettraceFamilies,
  type NettraceFamiliesQuery,
  type NettraceRequestFamily,
} from '../span-store.js';

/**
 * The fleet-wide `/debug/requests` and `/debug/events` summaries. Requests are counted
 * with one grouped scan (one `sum()` per latency column); event-log error columns come
 * from each log's newest error event, bucketed here, so a log counts once per period.
 */
export function readNettraceFamilies(db: Database.Database, query: NettraceFamiliesQuery): NettraceFamilies {
  return { requestFamilies: readRequestFamilies(db, query), eventLogFamilies: readEventLogFamilies(db, query) };
}

function conditions(query: NettraceFamiliesQuery, prefix: string, startColumn: string | null) {
  const parts: Array<[string, unknown]> = [
    [`${prefix}service = ?`, query.service],
    [`${prefix}instance = ?`, query.instance],
  ];
  if (startColumn) {
    parts.push([`${prefix}${startColumn} >= ?`, query.startNs]);
    parts.push([`${prefix}${startColumn} <= ?`, query.endNs]);
  }
  const present = parts.filter(([, v]) => v !== undefined);
  return { sql: present.map(([c]) => c), params: present.map(([, v]) => v) };
}

function readRequestFamilies(db: Database.Database, query: NettraceFamiliesQuery): NettraceRequestFamily[] {
  const where = conditions(query, '', 'start_ns');
  const bucketColumns = NETTRACE_REQUEST_BUCKETS_NS.map((_, i) => `sum(state = 'finished' AND elapsed_ns >= ?) AS b${i}`).join(', ');
  const rows = db
    .prepare<unknown[], Record<string, unknown>>(
      `SELECT family, sum(state = 'active') AS active, sum(state = 'finished' AND is_error) AS errors, ${bucketColumns}
       FROM nettrace_requests ${where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : ''}
       GROUP BY family ORDER BY family`,
    )
    .all(...NETTRACE_REQUEST_BUCKETS_NS, ...where.params);
  return rows.map((row) => ({
    family: String(row.family),
    active: Number(row.active),
    errors: Number(row.errors),
    buckets: NETTRACE_REQUEST_BUCKETS_NS.map((minNs, i) => ({ minNs, count: Number(row[`b${i}`]) })),
  }));
}

function readEventLogFamilies(db: Database.Database, query: NettraceFamiliesQuery): NettraceEventLogFamily[] {
  const where = conditions(query, 'l.', null);
  const filter = where.sql.length ? `WHERE ${where.sql.join(' AND ')}` : '';
  const totals = db
    .prepare<unknown[], { family: string; total: number }>(
      `SELECT l.family AS family, count(*) AS total FROM nettrace_event_logs l ${filter} GROUP BY l.family ORDER BY l.family`,
    )
    .all(...where.params);
  const longest = NETTRACE_ERROR_PERIODS[NETTRACE_ERROR_PERIODS.length - 1]![1];
  const lastErrors = db
    .prepare<unknown[], { family: string; last_ns: bigint }>(
      `SELECT l.family AS family, max(e.time_ns) AS last_ns
       FROM nettrace_event_logs l JOIN nettrace_log_events e ON e.log_pk = l.log_pk
       ${filter ? `${filter} AND` : 'WHERE'} e.is_error = 1 AND e.time_ns >= ?
       GROUP BY l.log_pk`,
    )
    .safeIntegers(true)
    .all(...where.params, query.nowNs - longest);
  const byFamily = new Map<string, NettraceEventLogFamily>();
  for (const t of totals) {
    byFamily.set(t.family, { family: t.family, total: Number(t.total), errors: Object.fromEntries(NETTRACE_ERROR_PERIODS.map(([label]) => [label, 0])) });
  }
  for (const { family, last_ns } of lastErrors) {
    const entry = byFamily.get(family);
    if (!entry) continue;
    for (const [label, periodNs] of NETTRACE_ERROR_PERIODS) if (last_ns >= query.nowNs - periodNs) entry.errors[label]!++;
  }
  return [...byFamily.values()];
}
