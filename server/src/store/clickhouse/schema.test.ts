import { describe, expect, it } from 'vitest';
import { buildSchemaDdl, dataTable, queryTable } from './schema.js';

describe('buildSchemaDdl', () => {
  it('creates plain tables on a single server, every statement idempotent', () => {
    const ddl = buildSchemaDdl({ database: 'threadline' });
    expect(ddl[0]).toBe('CREATE DATABASE IF NOT EXISTS threadline');
    expect(ddl.every((sql) => sql.includes('IF NOT EXISTS'))).toBe(true);
    expect(ddl.some((sql) => sql.includes('ON CLUSTER') || sql.includes('Distributed'))).toBe(false);
    const spans = ddl.find((sql) => sql.includes('threadline.spans '))!;
    expect(spans).toMatch(/ENGINE = MergeTree PARTITION BY toDate\(fromUnixTimestamp64Nano\(start_ns, 'UTC'\)\)\s+ORDER BY \(service, name, start_ns\)/);
    expect(spans).toContain('INDEX trace_id_bloom trace_id TYPE bloom_filter');
    expect(ddl.find((sql) => sql.includes('threadline.trace_index '))).toContain('ORDER BY (trace_id, first_start_ns)');
    expect(ddl.find((sql) => sql.includes('threadline.nettrace_requests '))).toContain('ENGINE = ReplacingMergeTree(seq)');
  });

  it('on a cluster: replicated local tables ON CLUSTER, and Distributed tables sharded by trace or record', () => {
    const target = { database: 'tl', cluster: 'prod' };
    const ddl = buildSchemaDdl(target);
    expect(ddl.every((sql) => sql.includes(' ON CLUSTER prod'))).toBe(true);
    expect(ddl.find((sql) => sql.includes('tl.spans_local ON CLUSTER prod ('))).toContain('ENGINE = ReplicatedMergeTree');
    expect(ddl.find((sql) => sql.includes('tl.nettrace_requests_local ON CLUSTER prod ('))).toContain('ENGINE = ReplicatedReplacingMergeTree(seq)');
    expect(ddl).toContain('CREATE TABLE IF NOT EXISTS tl.spans ON CLUSTER prod AS tl.spans_local ENGINE = Distributed(prod, tl, spans_local, cityHash64(trace_id))');
    expect(ddl.find((sql) => sql.startsWith('CREATE TABLE IF NOT EXISTS tl.nettrace_event_logs '))).toContain('cityHash64(service, record_id)');
    expect(dataTable(target, 'spans')).toBe('tl.spans_local');
    expect(queryTable(target, 'spans')).toBe('tl.spans');
  });

  it('refuses names that are not plain identifiers (they go into DDL text)', () => {
    expect(() => buildSchemaDdl({ database: 'x; DROP DATABASE y' })).toThrow(/invalid ClickHouse database name/);
    expect(() => buildSchemaDdl({ database: 'ok', cluster: 'a b' })).toThrow(/invalid ClickHouse cluster name/);
  });
});
