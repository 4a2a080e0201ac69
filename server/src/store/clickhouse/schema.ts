/**
 * The ClickHouse schema, designed for ClickHouse rather than copied from SQLite:
 *
 * - `spans`: one row per span, ordered by (service, name, start) — the key of every search,
 *   catalog and latency query — partitioned by day (retention drops whole days). The span
 *   itself is kept as JSON in a ZSTD column; the columns beside it are what queries filter
 *   and aggregate: start and duration (Delta/T64 codecs), error flag, the span's sketch
 *   bucket (`latency_bucket`, so percentiles, histograms and heatmaps are a GROUP BY with
 *   the very buckets of the SQLite store's sketches) and the searchable tags as parallel
 *   key/value arrays with bloom-filter skip indexes. A bloom filter on trace_id lets a
 *   trace read skip the granules that do not hold it.
 * - `trace_index`: (trace ID → first/last span start) ordered by trace ID: a trace read
 *   finds its time range there, then reads only the partitions and granules of `spans`
 *   in that range (the layout of Jaeger's ClickHouse storage).
 * - `operations`: the (service, name, kind) catalog, deduplicated by ReplacingMergeTree.
 * - net/trace: request traces and event-log heads keep the newest `seq` per
 *   (service, record) (ReplacingMergeTree(seq), read with FINAL); events are appended.
 *
 * With `--clickhouse-cluster`, every table is a replicated `*_local` table created ON
 * CLUSTER, and the name without `_local` is a Distributed table over it, sharded by trace
 * (spans, trace index) or by record, so that a trace's rows and a record's seqs meet on
 * one shard, where ReplacingMergeTree and FINAL can see them together.
 */

/** Bumped by every schema change; a database with a newer version is refused. */
export const SCHEMA_VERSION = 1;

/** Sketch bucket stored for a zero duration (the sketch keeps zeros apart from its buckets). */
export const ZERO_BUCKET = -32768;

interface TableSpec {
  name: string;
  columns: string;
  engine: 'MergeTree' | 'ReplacingMergeTree' | 'ReplacingMergeTree(seq)';
  tail: string;
  /** Sharding key of the Distributed table on a cluster. */
  shardBy: string;
}

/** Columns of every net/trace record (NettraceRecordFields), requests and event logs alike. */
const NETTRACE_RECORD_COLUMNS = `
      service LowCardinality(String),
      record_id String,
      seq UInt64,
      instance LowCardinality(String),
      family LowCardinality(String),
      title String,
      start_ns Int64,
      elapsed_ns Int64,
      state LowCardinality(String),
      is_error UInt8,
      max_events UInt32,
      discarded_events UInt32,`;

const TABLES: readonly TableSpec[] = [
  {
    name: 'spans',
    columns: `
      trace_id String CODEC(ZSTD(1)),
      span_id String CODEC(ZSTD(1)),
      parent_span_id String CODEC(ZSTD(1)),
      service LowCardinality(String),
      name LowCardinality(String),
      kind UInt8,
      start_ns Int64 CODEC(Delta, ZSTD(1)),
      duration_ns Int64 CODEC(T64, ZSTD(1)),
      is_error UInt8,
      latency_bucket Int16,
      tag_keys Array(LowCardinality(String)),
      tag_values Array(String) CODEC(ZSTD(1)),
      span String CODEC(ZSTD(3)),
      INDEX trace_id_bloom trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
      INDEX tag_keys_bloom tag_keys TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX tag_values_bloom tag_values TYPE bloom_filter(0.01) GRANULARITY 4,
      INDEX duration_minmax duration_ns TYPE minmax GRANULARITY 1`,
    engine: 'MergeTree',
    tail: `PARTITION BY toDate(fromUnixTimestamp64Nano(start_ns, 'UTC'))
      ORDER BY (service, name, start_ns)`,
    shardBy: 'cityHash64(trace_id)',
  },
  {
    name: 'trace_index',
    columns: `
      trace_id String CODEC(ZSTD(1)),
      first_start_ns Int64 CODEC(Delta, ZSTD(1)),
      last_start_ns Int64 CODEC(Delta, ZSTD(1))`,
    engine: 'MergeTree',
    tail: `PARTITION BY toDate(fromUnixTimestamp64Nano(first_start_ns, 'UTC'))
      ORDER BY (trace_id, first_start_ns)`,
    shardBy: 'cityHash64(trace_id)',
  },
  {
    name: 'operations',
    columns: `
      service LowCardinality(String),
      name LowCardinality(String),
      kind UInt8`,
    engine: 'ReplacingMergeTree',
    tail: 'ORDER BY (service, name, kind)',
    shardBy: 'cityHash64(service)',
  },
  {
    name: 'nettrace_requests',
    columns: `${NETTRACE_RECORD_COLUMNS}
      trace_id String,
      span_id String,
      joined UInt8,
      events String CODEC(ZSTD(3)),
      span String CODEC(ZSTD(3)),
      INDEX trace_id_bloom trace_id TYPE bloom_filter(0.01) GRANULARITY 1`,
    engine: 'ReplacingMergeTree(seq)',
    tail: 'ORDER BY (service, record_id)',
    shardBy: 'cityHash64(service, record_id)',
  },
  {
    name: 'nettrace_event_logs',
    columns: `${NETTRACE_RECORD_COLUMNS}
      end_ns Int64,
      total_events UInt64`,
    engine: 'ReplacingMergeTree(seq)',
    tail: 'ORDER BY (service, record_id)',
    shardBy: 'cityHash64(service, record_id)',
  },
  {
    name: 'nettrace_log_events',
    columns: `
      service LowCardinality(String),
      record_id String,
      event_no UInt64,
      time_ns Int64,
      message String CODEC(ZSTD(3)),
      sensitive UInt8,
      is_error UInt8`,
    engine: 'MergeTree',
    tail: 'ORDER BY (service, record_id, event_no)',
    shardBy: 'cityHash64(service, record_id)',
  },
  {
    name: 'schema_versions',
    columns: `
      version UInt32,
      created_at DateTime DEFAULT now()`,
    engine: 'MergeTree',
    tail: 'ORDER BY version',
    shardBy: 'version',
  },
];

export const TABLE_NAMES = TABLES.map((t) => t.name);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Database and cluster names go into DDL text (ClickHouse binds no identifiers there), so only plain identifiers pass. */
export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

export interface SchemaTarget {
  database: string;
  /** Set: ON CLUSTER DDL, replicated local tables, Distributed tables. */
  cluster?: string;
}

/** The tables that hold the data: what deletes and storage sizes address. */
export function dataTable(target: SchemaTarget, name: string): string {
  return `${target.database}.${target.cluster ? `${name}_local` : name}`;
}

/** The table queries and inserts address (Distributed on a cluster). */
export function queryTable(target: SchemaTarget, name: string): string {
  return `${target.database}.${name}`;
}

/** `ON CLUSTER name` for DDL and mutations, or nothing. */
export function onCluster(target: SchemaTarget): string {
  return target.cluster ? ` ON CLUSTER ${target.cluster}` : '';
}

/** Every statement that creates the schema; each is idempotent (IF NOT EXISTS). */
export function buildSchemaDdl(target: SchemaTarget): string[] {
  if (!isPlainIdentifier(target.database)) throw new Error(`invalid ClickHouse database name "${target.database}"`);
  if (target.cluster !== undefined && !isPlainIdentifier(target.cluster)) throw new Error(`invalid ClickHouse cluster name "${target.cluster}"`);
  const on = onCluster(target);
  const statements = [`CREATE DATABASE IF NOT EXISTS ${target.database}${on}`];
  for (const table of TABLES) {
    const engine = target.cluster ? `Replicated${table.engine}` : table.engine;
    statements.push(`CREATE TABLE IF NOT EXISTS ${dataTable(target, table.name)}${on} (${table.columns}\n) ENGINE = ${engine} ${table.tail}`);
    if (target.cluster) {
      statements.push(
        `CREATE TABLE IF NOT EXISTS ${queryTable(target, table.name)}${on} AS ${dataTable(target, table.name)} ` +
          `ENGINE = Distributed(${target.cluster}, ${target.database}, ${table.name}_local, ${table.shardBy})`,
      );
    }
  }
  return statements;
}
