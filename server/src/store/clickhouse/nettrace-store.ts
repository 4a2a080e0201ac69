import { AppError } from '../../app-error.js';
import {
  MAX_EVENTS_PER_LOG,
  NETTRACE_ERROR_PERIODS,
  NETTRACE_REQUEST_BUCKETS_NS,
  type EventLog,
  type EventLogFamily,
  type EventLogListQuery,
  type EventLogQuery,
  type EventLogSummary,
  type NettraceBatch,
  type NettraceEventLogFamily,
  type NettraceFamilies,
  type NettraceFamiliesQuery,
  type NettracePageKey,
  type NettraceRecordFields,
  type NettraceRequest,
  type NettraceRequestQuery,
  type NettraceState,
} from '../span-store.js';
import type { Span } from '@threadline/shared';
import type { ClickhouseConnection, QueryParams } from './clickhouse-connection.js';
import {
  checkRecord,
  checkRequest,
  newestPerRecord,
  parseStoredEvents,
  recordColumns,
  recordKey,
  requestRow,
} from './nettrace-records.js';

export interface NettraceTables {
  requests: string;
  eventLogs: string;
  logEvents: string;
}

export interface SpanAccess {
  writeSpans(spans: readonly Span[]): Promise<void>;
  deleteSpans(spans: ReadonlyArray<{ traceId: string; spanId: string }>): Promise<void>;
}

interface RecordRow {
  service: string;
  record_id: string;
  seq: string;
  instance: string;
  family: string;
  title: string;
  start_ns: string;
  elapsed_ns: string;
  state: NettraceState;
  is_error: number;
  max_events: number;
  discarded_events: number;
}

const RECORD_COLUMNS = 'service, record_id, seq, instance, family, title, start_ns, elapsed_ns, state, is_error, max_events, discarded_events';

/**
 * net/trace records on ClickHouse. Per (service, record) only a newer seq changes
 * anything: the stored seqs of a batch's records are read first (one query per kind), so
 * retries and stale snapshots are skipped; ReplacingMergeTree(seq) and FINAL keep the
 * newest row even where two nodes raced. Writes go in dependency order (a record's span
 * and events before the row whose seq says they are there), so a failure part-way leaves
 * nothing that a retry would skip.
 */
export class ClickhouseNettrace {
  constructor(
    private readonly connection: ClickhouseConnection,
    private readonly tables: NettraceTables,
    private readonly spans: SpanAccess,
  ) {}

  async write(batch: NettraceBatch): Promise<void> {
    batch.requests.forEach((r, i) => checkRequest(r, `request ${i}`));
    batch.eventLogs.forEach((r, i) => checkRecord(r, `event log ${i}`));
    if (batch.requests.length > 0) await this.writeRequests(batch);
    if (batch.eventLogs.length > 0) await this.writeEventLogs(batch.eventLogs);
  }

  private async writeRequests(batch: NettraceBatch): Promise<void> {
    const stored = await this.storedHeads<{ stored_joined: number; stored_trace_id: string; stored_span_id: string }>(
      this.tables.requests,
      batch.requests,
      'argMax(joined, seq) AS stored_joined, argMax(trace_id, seq) AS stored_trace_id, argMax(span_id, seq) AS stored_span_id',
    );
    const fresh = newestPerRecord(batch.requests).filter((r) => {
      const s = stored.get(recordKey(r.service, r.recordId));
      return !s || BigInt(r.seq) > BigInt(s.stored_seq);
    });
    if (fresh.length === 0) return;
    // The previous snapshot's own span goes whatever replaces it (it may have joined a span since).
    const replaced = fresh
      .map((r) => stored.get(recordKey(r.service, r.recordId)))
      .filter((s): s is NonNullable<typeof s> => s !== undefined && Number(s.stored_joined) === 0)
      .map((s) => ({ traceId: s.stored_trace_id, spanId: s.stored_span_id }));
    await this.spans.deleteSpans(replaced);
    await this.spans.writeSpans(fresh.filter((r) => r.joinedSpanId === '').map((r) => r.span));
    await this.connection.insert(this.tables.requests, fresh.map(requestRow), { async: true });
  }

  private async writeEventLogs(records: readonly NettraceRecordFields[]): Promise<void> {
    const stored = await this.storedHeads<{ stored_total: string }>(this.tables.eventLogs, records, 'argMax(total_events, seq) AS stored_total');
    const state = new Map<string, { seq: bigint; total: bigint }>();
    for (const [key, s] of stored) state.set(key, { seq: BigInt(s.stored_seq), total: BigInt(s.stored_total) });
    const heads = new Map<string, Record<string, unknown>>();
    const events: Array<Record<string, unknown>> = [];
    // Deltas: every newer seq appends its events, in seq order.
    for (const r of [...records].sort((a, b) => a.seq - b.seq)) {
      const key = recordKey(r.service, r.recordId);
      const before = state.get(key);
      if (before && BigInt(r.seq) <= before.seq) continue;
      const first = before?.total ?? 0n;
      const total = first + BigInt(r.events.length);
      state.set(key, { seq: BigInt(r.seq), total });
      r.events.forEach((e, i) => {
        const eventNo = first + BigInt(i);
        if (eventNo + BigInt(MAX_EVENTS_PER_LOG) < total) return;
        events.push({ service: r.service, record_id: r.recordId, event_no: eventNo.toString(), time_ns: e.timeNs.toString(), message: e.message, sensitive: e.sensitive ? 1 : 0, is_error: e.error ? 1 : 0 });
      });
      heads.set(key, { ...recordColumns(r), end_ns: (r.startNs + r.elapsedNs).toString(), total_events: total.toString() });
    }
    await this.connection.insert(this.tables.logEvents, events, { async: true });
    await this.connection.insert(this.tables.eventLogs, [...heads.values()], { async: true });
  }

  /** The newest stored seq (and `more` columns) of each record of the batch. */
  private async storedHeads<T>(table: string, records: readonly NettraceRecordFields[], more: string): Promise<Map<string, T & { stored_seq: string }>> {
    const ids = [...new Set(records.map((r) => r.recordId))];
    const services = [...new Set(records.map((r) => r.service))];
    const rows = await this.connection.rows<T & { service: string; record_id: string; stored_seq: string }>(
      `SELECT service, record_id, max(seq) AS stored_seq, ${more} FROM ${table}
       WHERE service IN {services:Array(String)} AND record_id IN {ids:Array(String)} GROUP BY service, record_id`,
      { services, ids },
      true,
    );
    return new Map(rows.map((r) => [recordKey(r.service, r.record_id), r]));
  }

  async findRequests(query: NettraceRequestQuery): Promise<NettraceRequest[]> {
    checkLimit(query.limit);
    const params: QueryParams = { limit: query.limit };
    const terms = filterTerms(params, [
      ['service', 'String', query.service],
      ['family', 'String', query.family],
      ['instance', 'String', query.instance],
    ]);
    if (query.active !== undefined) terms.push(query.active ? `state = 'active'` : `state = 'finished'`);
    if (query.startNs !== undefined) terms.push(`start_ns >= ${bindNew(params, String(query.startNs), 'Int64')}`);
    if (query.endNs !== undefined) terms.push(`start_ns <= ${bindNew(params, String(query.endNs), 'Int64')}`);
    if (query.minElapsedNs !== undefined) terms.push(`elapsed_ns >= ${bindNew(params, String(query.minElapsedNs), 'Int64')}`);
    if (query.errorsOnly) terms.push('is_error = 1');
    const after = afterKey(params, 'start_ns', query.after);
    if (after) terms.push(after);
    const rows = await this.connection.rows<RecordRow & { trace_id: string; span_id: string; joined: number; events: string }>(
      `SELECT ${RECORD_COLUMNS}, trace_id, span_id, joined, events FROM ${this.tables.requests} FINAL
       ${where(terms)} ORDER BY start_ns DESC, service DESC, record_id DESC LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((row) => ({ ...toRecordBase(row), events: parseStoredEvents(row.events), traceId: row.trace_id, spanId: row.span_id, joined: Number(row.joined) === 1 }));
  }

  /** The request traces joined to a trace, for getTrace to merge. */
  async joinedTo(traceId: string): Promise<Array<{ spanId: string; spanJson: string }>> {
    const rows = await this.connection.rows<{ span_id: string; span: string }>(
      `SELECT span_id, span FROM ${this.tables.requests} FINAL WHERE trace_id = {traceId:String} AND joined = 1 ORDER BY start_ns, record_id`,
      { traceId },
    );
    return rows.map((r) => ({ spanId: r.span_id, spanJson: r.span }));
  }

  async getEventLogFamilies(query: EventLogQuery): Promise<EventLogFamily[]> {
    const params: QueryParams = {};
    const terms = eventLogTerms(params, query);
    const rows = await this.connection.rows<{ service: string; family: string; log_count: string; active_count: string; error_count: string; last_ns: string }>(
      `SELECT service, family, count() AS log_count, countIf(state = 'active') AS active_count, sum(is_error) AS error_count,
         toString(max(end_ns)) AS last_ns
       FROM ${this.tables.eventLogs} FINAL ${where(terms)} GROUP BY service, family ORDER BY service, family`,
      params,
    );
    return rows.map((r) => ({
      service: r.service,
      family: r.family,
      logCount: Number(r.log_count),
      activeCount: Number(r.active_count),
      errorCount: Number(r.error_count),
      lastUpdateNs: BigInt(r.last_ns),
    }));
  }

  async findEventLogs(query: EventLogListQuery): Promise<EventLogSummary[]> {
    checkLimit(query.limit);
    const params: QueryParams = { limit: query.limit };
    const terms = eventLogTerms(params, query);
    const after = afterKey(params, 'end_ns', query.after);
    if (after) terms.push(after);
    return (await this.selectLogs(`${where(terms)} ORDER BY end_ns DESC, service DESC, record_id DESC LIMIT {limit:UInt32}`, params)).map(toLogSummary);
  }

  async getEventLogs(recordId: string, service?: string): Promise<EventLog[]> {
    const params: QueryParams = {};
    const terms = filterTerms(params, [
      ['record_id', 'String', recordId],
      ['service', 'String', service],
    ]);
    const logs = await this.selectLogs(`${where(terms)} ORDER BY end_ns DESC, record_id DESC`, params);
    if (logs.length === 0) return [];
    const events = await this.connection.rows<{ service: string; time_ns: string; message: string; sensitive: number; is_error: number; event_no: string }>(
      `SELECT service, event_no, time_ns, message, sensitive, is_error FROM ${this.tables.logEvents}
       WHERE record_id = {recordId:String} AND service IN {services:Array(String)} ORDER BY service, event_no`,
      { recordId, services: logs.map((l) => l.service) },
    );
    return logs.map((log) => {
      const firstKept = BigInt(log.total_events) - BigInt(MAX_EVENTS_PER_LOG);
      const seen = new Set<string>();
      const kept = events.filter((e) => e.service === log.service && BigInt(e.event_no) >= firstKept && !seen.has(e.event_no) && seen.add(e.event_no));
      return {
        ...toLogSummary(log),
        events: kept.map((e) => ({ timeNs: BigInt(e.time_ns), message: e.message, sensitive: Number(e.sensitive) === 1, error: Number(e.is_error) === 1 })),
      };
    });
  }

  private selectLogs(tail: string, params: QueryParams): Promise<Array<RecordRow & { total_events: string }>> {
    return this.connection.rows(`SELECT ${RECORD_COLUMNS}, total_events FROM ${this.tables.eventLogs} FINAL ${tail}`, params);
  }

  async getFamilies(query: NettraceFamiliesQuery): Promise<NettraceFamilies> {
    const params: QueryParams = {};
    const scope = filterTerms(params, [
      ['service', 'String', query.service],
      ['instance', 'String', query.instance],
    ]);
    const window = [...scope];
    if (query.startNs !== undefined) window.push(`start_ns >= ${bindNew(params, String(query.startNs), 'Int64')}`);
    if (query.endNs !== undefined) window.push(`start_ns <= ${bindNew(params, String(query.endNs), 'Int64')}`);
    const bucketColumns = NETTRACE_REQUEST_BUCKETS_NS.map((ns, i) => `countIf(state = 'finished' AND elapsed_ns >= ${bindNew(params, String(ns), 'Int64')}) AS b${i}`).join(', ');
    const requestRows = await this.connection.rows<Record<string, string>>(
      `SELECT family, countIf(state = 'active') AS active, countIf(state = 'finished' AND is_error = 1) AS errors, ${bucketColumns}
       FROM ${this.tables.requests} FINAL ${where(window)} GROUP BY family ORDER BY family`,
      params,
    );
    const totals = await this.connection.rows<{ family: string; total: string }>(
      `SELECT family, count() AS total FROM ${this.tables.eventLogs} FINAL ${where(scope)} GROUP BY family ORDER BY family`,
      params,
    );
    const longest = NETTRACE_ERROR_PERIODS[NETTRACE_ERROR_PERIODS.length - 1]![1];
    const since = bindNew(params, String(query.nowNs - longest), 'Int64');
    const lastErrors = await this.connection.rows<{ family: string; last_ns: string }>(
      `SELECT l.family AS family, toString(max(e.time_ns)) AS last_ns
       FROM ${this.tables.logEvents} AS e
       INNER JOIN (SELECT service, record_id, family, total_events FROM ${this.tables.eventLogs} FINAL ${where(scope)}) AS l
         ON e.service = l.service AND e.record_id = l.record_id
       WHERE e.is_error = 1 AND e.time_ns >= ${since} AND e.event_no + ${MAX_EVENTS_PER_LOG} >= l.total_events
       GROUP BY e.service, e.record_id, l.family`,
      params,
    );
    const byFamily = new Map<string, NettraceEventLogFamily>();
    for (const t of totals) byFamily.set(t.family, { family: t.family, total: Number(t.total), errors: Object.fromEntries(NETTRACE_ERROR_PERIODS.map(([label]) => [label, 0])) });
    for (const { family, last_ns } of lastErrors) {
      const entry = byFamily.get(family);
      if (!entry) continue;
      for (const [label, periodNs] of NETTRACE_ERROR_PERIODS) if (BigInt(last_ns) >= query.nowNs - periodNs) entry.errors[label]!++;
    }
    return {
      requestFamilies: requestRows.map((row) => ({
        family: row.family!,
        active: Number(row.active),
        errors: Number(row.errors),
        buckets: NETTRACE_REQUEST_BUCKETS_NS.map((minNs, i) => ({ minNs, count: Number(row[`b${i}`]) })),
      })),
      eventLogFamilies: [...byFamily.values()],
    };
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new AppError(400, 'invalid_query', 'limit must be a positive integer');
}

function bindNew(params: QueryParams, value: unknown, type: string): string {
  const name = `v${Object.keys(params).length}`;
  params[name] = value;
  return `{${name}:${type}}`;
}

/** `column = {param}` for each given value. */
function filterTerms(params: QueryParams, conditions: ReadonlyArray<readonly [column: string, type: string, value: unknown]>): string[] {
  return conditions.filter(([, , value]) => value !== undefined).map(([column, type, value]) => `${column} = ${bindNew(params, value, type)}`);
}

/** The rows after `key` in the order (nsColumn, service, record_id) descending, as SQLite orders them. */
function afterKey(params: QueryParams, nsColumn: string, key: NettracePageKey | undefined): string | undefined {
  if (!key) return undefined;
  const ns = bindNew(params, String(key.ns), 'Int64');
  const service = bindNew(params, key.service, 'String');
  const recordId = bindNew(params, key.recordId, 'String');
  return `(${nsColumn}, service, record_id) < (${ns}, ${service}, ${recordId})`;
}

function eventLogTerms(params: QueryParams, query: EventLogQuery): string[] {
  return filterTerms(params, [
    ['service', 'String', query.service],
    ['family', 'String', query.family],
    ['instance', 'String', query.instance],
  ]);
}

function where(terms: readonly string[]): string {
  return terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
}

function toRecordBase(row: RecordRow): Omit<NettraceRecordFields, 'events'> {
  return {
    service: row.service,
    instance: row.instance,
    recordId: row.record_id,
    seq: Number(row.seq),
    family: row.family,
    title: row.title,
    startNs: BigInt(row.start_ns),
    elapsedNs: BigInt(row.elapsed_ns),
    state: row.state,
    error: Number(row.is_error) === 1,
    maxEvents: Number(row.max_events),
    discardedEvents: Number(row.discarded_events),
  };
}

function toLogSummary(row: RecordRow & { total_events: string }): EventLogSummary {
  const total = Number(row.total_events);
  const held = Math.min(total, MAX_EVENTS_PER_LOG);
  return { ...toRecordBase(row), eventCount: held, droppedEvents: total - held };
}
