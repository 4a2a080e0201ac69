import type { RetentionStep } from '../latency-queries.js';
import type { ClickhouseConnection } from './clickhouse-connection.js';
import { dataTable, onCluster, TABLE_NAMES, type SchemaTarget } from './schema.js';

const NOTHING: RetentionStep = { spans: 0, traces: 0, sketches: 0, records: 0 };
/** Deletes rewrite the parts they touch before answering, so sizes drop and no node sees deleted rows. */
const SYNC = { mutations_sync: '2' } as const;

/**
 * Retention on ClickHouse. A step is one ALTER … DELETE per table (a mutation: ClickHouse
 * rewrites the affected parts, a whole day's partition at a time), not `maxSpans` at a
 * time as on SQLite: a mutation costs the same for one row as for a million, so one step
 * takes everything due and the next finds nothing. Retention by age deletes by start time
 * (spans, trace index, net/trace records); by size, whole traces go, oldest first.
 * Sketches are computed from spans, so nothing else has to follow.
 */
export class ClickhouseRetention {
  private readonly t: (name: string) => string;

  constructor(
    private readonly connection: ClickhouseConnection,
    private readonly target: SchemaTarget,
  ) {
    this.t = (name) => dataTable(target, name);
  }

  async deleteBefore(cutoffNs: bigint, _maxSpans: number): Promise<RetentionStep> {
    const cutoff = { cutoff: String(cutoffNs) };
    const [due] = await this.connection.rows<{ spans: string; traces: string; requests: string; logs: string }>(
      `SELECT (SELECT count() FROM ${this.t('spans')} WHERE start_ns < {cutoff:Int64}) AS spans,
         (SELECT uniqExact(trace_id) FROM ${this.t('trace_index')} WHERE first_start_ns < {cutoff:Int64}) AS traces,
         (SELECT count() FROM ${this.t('nettrace_requests')} WHERE start_ns < {cutoff:Int64}) AS requests,
         (SELECT count() FROM ${this.t('nettrace_event_logs')} WHERE end_ns < {cutoff:Int64}) AS logs`,
      cutoff,
      true,
    );
    const step = { spans: Number(due?.spans ?? 0), traces: Number(due?.traces ?? 0), sketches: 0, records: Number(due?.requests ?? 0) + Number(due?.logs ?? 0) };
    if (step.spans + step.traces + step.records === 0) return NOTHING;
    await this.mutate('spans', 'start_ns < {cutoff:Int64}', cutoff);
    await this.mutate('trace_index', 'first_start_ns < {cutoff:Int64}', cutoff);
    await this.mutate('nettrace_requests', 'start_ns < {cutoff:Int64}', cutoff);
    await this.mutate('nettrace_log_events', 'time_ns < {cutoff:Int64}', cutoff);
    await this.mutate('nettrace_event_logs', 'end_ns < {cutoff:Int64}', cutoff);
    return step;
  }

  /** The oldest traces whole, about `maxSpans` spans' worth: those whose first span started before the cut. */
  async deleteOldestTraces(maxSpans: number): Promise<RetentionStep> {
    const [cut] = await this.connection.rows<{ at: string | null }>(
      `SELECT toString(start_ns) AS at FROM ${this.t('spans')} ORDER BY start_ns LIMIT 1 OFFSET {offset:UInt64}`,
      { offset: Math.max(0, maxSpans - 1) },
      true,
    );
    // Fewer spans than a step: everything goes.
    const at = cut?.at ?? '9223372036854775807';
    const params = { at };
    const [counts] = await this.connection.rows<{ spans: string; traces: string }>(
      `WITH old AS (SELECT DISTINCT trace_id FROM ${this.t('trace_index')} WHERE first_start_ns <= {at:Int64})
       SELECT (SELECT count() FROM ${this.t('spans')} WHERE trace_id IN old) AS spans, (SELECT count() FROM old) AS traces`,
      params,
      true,
    );
    if (Number(counts?.traces ?? 0) === 0) return NOTHING;
    const oldTraces = `trace_id IN (SELECT trace_id FROM ${this.t('trace_index')} WHERE first_start_ns <= {at:Int64})`;
    await this.mutate('spans', oldTraces, params);
    await this.mutate('trace_index', 'first_start_ns <= {at:Int64}', params);
    return { spans: Number(counts?.spans ?? 0), traces: Number(counts?.traces ?? 0), sketches: 0, records: 0 };
  }

  /** Replaced net/trace record spans: a lightweight delete of those rows only. */
  async deleteSpans(spans: ReadonlyArray<{ traceId: string; spanId: string }>): Promise<void> {
    if (spans.length === 0) return;
    await this.connection.command(
      `ALTER TABLE ${this.t('spans')}${onCluster(this.target)} DELETE WHERE (trace_id, span_id) IN
         (SELECT tupleElement(p, 1), tupleElement(p, 2) FROM (SELECT arrayJoin(arrayZip({traces:Array(String)}, {spanIds:Array(String)})) AS p))`,
      { traces: spans.map((s) => s.traceId), spanIds: spans.map((s) => s.spanId) },
      SYNC,
    );
  }

  /** Bytes of the active parts of Threadline's tables (what --max-db-size limits). */
  async getStorageBytes(): Promise<number> {
    const [row] = await this.connection.rows<{ bytes: string }>(
      `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND database = {database:String} AND table IN {tables:Array(String)}`,
      { database: this.target.database, tables: TABLE_NAMES.map((name) => (this.target.cluster ? `${name}_local` : name)) },
    );
    return Number(row?.bytes ?? 0);
  }

  private mutate(table: string, condition: string, params: Record<string, unknown>): Promise<void> {
    return this.connection.command(`ALTER TABLE ${this.t(table)}${onCluster(this.target)} DELETE WHERE ${condition}`, params, SYNC);
  }
}
