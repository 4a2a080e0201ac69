import type Database from 'better-sqlite3';
import type { Span } from '@threadline/shared';
import type {
  EventLog,
  EventLogFamily,
  EventLogListQuery,
  EventLogQuery,
  EventLogSummary,
  NettraceEvent,
  NettracePageKey,
  NettraceRecordFields,
  NettraceRequest,
  NettraceRequestQuery,
  NettraceState,
} from '../span-store.js';
import type { StoredNettraceEvent } from './nettrace-writer.js';
import { joinWholeTrace, type JoinedRecordRow } from './nettrace-join.js';
import { StoreInputError } from './store-input-error.js';

/** Exported so that tests can check their query plans. */
export const NETTRACE_READ_SQL = {
  joinedToTrace: `SELECT span_id, span FROM nettrace_requests WHERE trace_id = ? AND joined = 1
    ORDER BY start_ns, request_pk`,
  logEvents: `SELECT time_ns, message, sensitive, is_error FROM nettrace_log_events WHERE log_pk = ?
    ORDER BY event_no`,
} as const;

const RECORD_COLUMNS = [
  'record_id', 'service', 'seq', 'instance', 'family', 'title', 'start_ns', 'elapsed_ns', 'state', 'is_error',
  'max_events', 'discarded_events',
];
const recordColumns = (prefix = '') => RECORD_COLUMNS.map((c) => `${prefix}${c}`).join(', ');

interface RecordRow {
  record_id: string;
  service: string;
  seq: bigint;
  instance: string;
  family: string;
  title: string;
  start_ns: bigint;
  elapsed_ns: bigint;
  state: NettraceState;
  is_error: bigint;
  max_events: bigint;
  discarded_events: bigint;
}

interface RequestRow extends RecordRow {
  trace_id: string;
  span_id: string;
  joined: bigint;
  events: string;
}

interface LogRow extends RecordRow {
  log_pk: bigint;
  total_events: bigint;
  event_count: bigint;
}

interface FamilyRow {
  service: string;
  family: string;
  log_count: bigint;
  active_count: bigint;
  error_count: bigint;
  last_ns: bigint;
}

interface LogEventRow {
  time_ns: bigint;
  message: string;
  sensitive: bigint;
  is_error: bigint;
}

interface Filter {
  where: string;
  params: unknown[];
}

/** `column = ?` for each given value; user input is only ever a bound parameter. */
function buildFilter(conditions: ReadonlyArray<readonly [string, unknown]>, after?: PageTerm): Filter {
  const present = conditions.filter(([, value]) => value !== undefined);
  const terms = present.map(([condition]) => condition);
  const params = present.map(([, value]) => value);
  if (after) {
    terms.push(after.condition);
    params.push(...after.params);
  }
  return { where: terms.length > 0 ? ` WHERE ${terms.join(' AND ')}` : '', params };
}

interface PageTerm {
  condition: string;
  params: unknown[];
}

/**
 * The rows after `key` in the order (nsColumn, service, record_id) descending. TEXT
 * compares by its bytes (BINARY collation), as ClickHouse's String does.
 */
function afterKey(prefix: string, nsColumn: string, key: NettracePageKey | undefined): PageTerm | undefined {
  if (!key) return undefined;
  return {
    condition: `(${prefix}${nsColumn}, ${prefix}service, ${prefix}record_id) < (?, ?, ?)`,
    params: [key.ns, key.service, key.recordId],
  };
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new StoreInputError('invalid_query', 'limit must be a positive integer');
}

/** Reads net/trace records over one connection, and merges joined ones into traces. */
export class NettraceReader {
  private readonly selectJoined;
  private readonly selectLogEvents;

  constructor(private readonly db: Database.Database) {
    this.selectJoined = db.prepare<[string], JoinedRecordRow>(NETTRACE_READ_SQL.joinedToTrace);
    this.selectLogEvents = db.prepare<[bigint], LogEventRow>(NETTRACE_READ_SQL.logEvents).safeIntegers(true);
  }

  /**
   * `spans` (one trace, in start order) with the request traces joined to it: each one's
   * events appended to the span it names, that span's events then sorted by time; while
   * that span is missing, the record's own span (a child of it) is shown instead.
   */
  mergeIntoTrace(traceId: string, spans: Span[]): Span[] {
    return joinWholeTrace(spans, this.joinedRecords(traceId));
  }

  /** The request traces joined to spans of the trace, for a NettraceJoin. */
  joinedRecords(traceId: string): JoinedRecordRow[] {
    return this.selectJoined.all(traceId);
  }

  findRequests(query: NettraceRequestQuery): NettraceRequest[] {
    checkLimit(query.limit);
    const { where, params } = buildFilter(
      [
        ['service = ?', query.service],
        ['family = ?', query.family],
        ['instance = ?', query.instance],
        ['state = ?', query.active === undefined ? undefined : query.active ? 'active' : 'finished'],
        ['start_ns >= ?', query.startNs],
        ['start_ns <= ?', query.endNs],
        ['elapsed_ns >= ?', query.minElapsedNs],
        ['is_error = ?', query.errorsOnly ? 1 : undefined],
      ],
      afterKey('', 'start_ns', query.after),
    );
    const rows = this.db
      .prepare<unknown[], RequestRow>(
        `SELECT ${recordColumns()}, trace_id, span_id, joined, events FROM nettrace_requests${where}
         ORDER BY start_ns DESC, service DESC, record_id DESC LIMIT ?`,
      )
      .safeIntegers(true)
      .all(...params, query.limit);
    return rows.map((row) => ({
      ...toRecordBase(row),
      events: parseStoredEvents(row.events),
      traceId: row.trace_id,
      spanId: row.span_id,
      joined: row.joined === 1n,
    }));
  }

  getEventLogFamilies(query: EventLogQuery): EventLogFamily[] {
    const { where, params } = eventLogFilter(query);
    const rows = this.db
      .prepare<unknown[], FamilyRow>(
        `SELECT service, family, count(*) AS log_count, sum(state = 'active') AS active_count,
           sum(is_error) AS error_count, max(end_ns) AS last_ns
         FROM nettrace_event_logs${where} GROUP BY service, family ORDER BY service, family`,
      )
      .safeIntegers(true)
      .all(...params);
    return rows.map((r) => ({
      service: r.service,
      family: r.family,
      logCount: Number(r.log_count),
      activeCount: Number(r.active_count),
      errorCount: Number(r.error_count),
      lastUpdateNs: r.last_ns,
    }));
  }

  findEventLogs(query: EventLogListQuery): EventLogSummary[] {
    checkLimit(query.limit);
    const { where, params } = eventLogFilter(query, afterKey('l.', 'end_ns', query.after));
    return this.selectLogs(`${where} ORDER BY l.end_ns DESC, l.service DESC, l.record_id DESC LIMIT ?`, [...params, query.limit]).map(
      (row) => toLogSummary(row),
    );
  }

  getEventLogs(recordId: string, service?: string): EventLog[] {
    const { where, params } = buildFilter([
      ['l.record_id = ?', recordId],
      ['l.service = ?', service],
    ]);
    return this.selectLogs(`${where} ORDER BY l.end_ns DESC, l.log_pk DESC`, params).map((row) => ({
      ...toLogSummary(row),
      events: this.selectLogEvents.all(row.log_pk).map(
        (e): NettraceEvent => ({
          timeNs: e.time_ns,
          message: e.message,
          sensitive: e.sensitive === 1n,
          error: e.is_error === 1n,
        }),
      ),
    }));
  }

  private selectLogs(tail: string, params: unknown[]): LogRow[] {
    // Counting a log's events is a range of its primary key: at most MAX_EVENTS_PER_LOG rows.
    return this.db
      .prepare<unknown[], LogRow>(
        `SELECT l.log_pk, ${recordColumns('l.')}, l.total_events,
           (SELECT count(*) FROM nettrace_log_events e WHERE e.log_pk = l.log_pk) AS event_count
         FROM nettrace_event_logs l${tail}`,
      )
      .safeIntegers(true)
      .all(...params);
  }
}

function eventLogFilter(query: EventLogQuery, after?: PageTerm): Filter {
  return buildFilter(
    [
      ['service = ?', query.service],
      ['family = ?', query.family],
      ['instance = ?', query.instance],
    ],
    after,
  );
}

function toRecordBase(row: RecordRow): Omit<NettraceRecordFields, 'events'> {
  return {
    service: row.service,
    instance: row.instance,
    recordId: row.record_id,
    seq: Number(row.seq),
    family: row.family,
    title: row.title,
    startNs: row.start_ns,
    elapsedNs: row.elapsed_ns,
    state: row.state,
    error: row.is_error === 1n,
    maxEvents: Number(row.max_events),
    discardedEvents: Number(row.discarded_events),
  };
}

function toLogSummary(row: LogRow): EventLogSummary {
  return { ...toRecordBase(row), eventCount: Number(row.event_count), droppedEvents: Number(row.total_events - row.event_count) };
}

function parseStoredEvents(json: string): NettraceEvent[] {
  return (JSON.parse(json) as StoredNettraceEvent[]).map((e) => ({
    timeNs: BigInt(e.timeUnixNano),
    message: e.message,
    sensitive: e.sensitive,
    error: e.error,
  }));
}

