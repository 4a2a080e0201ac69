import type { RetentionStep } from '../latency-queries.js';
import type { ClickhouseConnection } from './clickhouse-connection.js';
import { dataTable, onCluster, TABLE_NAMES, type SchemaTarget } from './schema.js';

const NOTHING: RetentionStep = { spans: 0, traces: 0, sketches: 0, records: 0 };
/** Deletes rewrite the parts they touch before answering, so sizes drop and no node sees deleted rows. */
const SYNC = { mutations_sync: '2' } as const;

/**
 * Retention on ClickHouse. By age, the days wholly before the cutoff are dropped as
 * partitions (spans, trace index); the rest is one ALTER … DELETE per table (a mutation:
 * ClickHouse rewrites the parts involved), not `maxSpans` at a time as on SQLite: a
 * mutation costs about the same for one row as for a million, so one step takes
 * everything due and the next finds nothing. By size, whole traces go, oldest first.
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
    await this.dropDaysBefore('spans', cutoffNs);
    await this.dropDaysBefore('trace_index', cutoffNs);
    await this.mutate('spans', 'start_ns < {cutoff:Int64}', cutoff);
    await this.mutate('trace_index', 'first_start_ns < {cutoff:Int64}', cutoff);
    await this.mutate('nettrace_requests', 'start_ns < {cutoff:Int64}', cutoff);
    await this.mutate('nettrace_log_events', 'time_ns < {cutoff:Int64}', cutoff);
    await this.mutate('nettrace_event_logs', 'end_ns < {cutoff:Int64}', cutoff);
    return step;
  }

  /**
   * The oldest traces whole: those whose first span started before the cut, which lies
   * `maxSpans` spans in — or 5% of the spans, when that is more: each step is a mutation
   * that rewrites the parts it touches, whatever it deletes, so steps are made few.
   */
  async deleteOldestTraces(maxSpans: number): Promise<RetentionStep> {
    const [cut] = await this.connection.rows<{ at: string | null }>(
      `SELECT toString(start_ns) AS at FROM ${this.t('spans')} ORDER BY start_ns
       LIMIT 1 OFFSET greatest({offset:UInt64}, intDiv((SELECT count() FROM ${this.t('spans')}), 20))`,
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

  /** Whole days before the cutoff's day go as partitions: a metadata operation, nothing rewritten. */
  private async dropDaysBefore(table: string, cutoffNs: bigint): Promise<void> {
    const parts = await this.connection.rows<{ partition_id: string }>(
      `SELECT DISTINCT partition_id FROM system.parts
       WHERE active AND database = {database:String} AND table = {table:String}
         AND partition_id < formatDateTime(toDate(fromUnixTimestamp64Nano({cutoff:Int64}, 'UTC')), '%Y%m%d')`,
      { database: this.target.database, table: this.target.cluster ? `${table}_local` : table, cutoff: String(cutoffNs) },
      true,
    );
    for (const { partition_id: id } of parts) {
      // From system.parts, not from a user; checked anyway, since ALTER takes no parameter here.
      if (!/^\d{8}$/.test(id)) continue;
      await this.connection.command(`ALTER TABLE ${this.t(table)}${onCluster(this.target)} DROP PARTITION ID '${id}'`);
    }
  }

  private mutate(table: string, condition: string, params: Record<string, unknown>): Promise<void> {
    return this.connection.command(`ALTER TABLE ${this.t(table)}${onCluster(this.target)} DELETE WHERE ${condition}`, params, SYNC);
  }
}
