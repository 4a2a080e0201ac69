import { SpanKind, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { READ_SQL, SpanReader } from './span-reader.js';
import { TRACE_SQL } from './trace-chunks.js';
import { SpanWriter } from './span-writer.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

const [T1, T2] = [traceIdOf(1), traceIdOf(2)] as [string, string];

function call(traceId: string, id: number, parent: number, serviceName: string, name: string, kind: Span['kind'], startMs: number): Span {
  return testSpan({
    traceId,
    spanId: spanIdOf(id),
    parentSpanId: parent === 0 ? '' : spanIdOf(parent),
    serviceName,
    name,
    kind,
    startTimeUnixNano: at(startMs),
    endTimeUnixNano: at(startMs + 1),
  });
}

const SPANS: Span[] = [
  // T1 at 0–4 ms: web → api (twice) → db, and an api-internal span.
  call(T1, 1, 0, 'web', 'GET /', SpanKind.SERVER, 0),
  call(T1, 2, 1, 'web', 'call api', SpanKind.CLIENT, 1),
  call(T1, 3, 2, 'api', 'handle', SpanKind.SERVER, 2),
  call(T1, 4, 3, 'api', 'compute', SpanKind.INTERNAL, 3),
  call(T1, 5, 4, 'db', 'query', SpanKind.SERVER, 4),
  call(T1, 6, 1, 'api', 'handle', SpanKind.SERVER, 4),
  // T2 at 100 ms: api → db, and a span whose parent never arrived.
  call(T2, 1, 0, 'api', 'handle', SpanKind.SERVER, 100),
  call(T2, 2, 1, 'db', 'query', SpanKind.SERVER, 101),
  call(T2, 3, 9, 'db', 'orphan', SpanKind.SERVER, 102),
  call(T2, 4, 0, 'api', 'Handle', SpanKind.CLIENT, 103),
];

let db: Database.Database;
let reader: SpanReader;
beforeAll(() => {
  db = openDatabase(':memory:', 'writer');
  // Stored out of order, as batches from several services would be.
  new SpanWriter(db).write([...SPANS].reverse());
  reader = new SpanReader(db);
});
afterAll(() => db.close());

describe('SpanReader', () => {
  it('returns a trace in start order, and nothing for an unknown one', () => {
    expect(reader.getTrace(T1).map((s) => s.spanId)).toEqual([1, 2, 3, 4, 5, 6].map(spanIdOf));
    expect(reader.getTrace(traceIdOf(404))).toEqual([]);
  });

  it('lists services sorted', () => {
    expect(reader.getServices()).toEqual(['api', 'db', 'web']);
  });

  it('lists operations sorted by name, optionally of one kind', () => {
    expect(reader.getOperations('api')).toEqual([
      { name: 'Handle', spanKind: 'client' },
      { name: 'compute', spanKind: 'internal' },
      { name: 'handle', spanKind: 'server' },
    ]);
    expect(reader.getOperations('api', 'server')).toEqual([{ name: 'handle', spanKind: 'server' }]);
    expect(reader.getOperations('api', 'consumer')).toEqual([]);
    expect(reader.getOperations('nope')).toEqual([]);
  });

  it('counts calls between services, not within one, for child spans started in the window', () => {
    const all = reader.getDependencies(BASE_NS, BASE_NS + 1_000_000_000n);
    expect(all).toEqual([
      { parent: 'api', child: 'db', callCount: 2 },
      { parent: 'web', child: 'api', callCount: 2 },
    ]);
    // In [2 ms, 4 ms] start two api spans called by web and one db span called by api.
    expect(reader.getDependencies(BASE_NS + 2_000_000n, BASE_NS + 4_000_000n)).toEqual([
      { parent: 'api', child: 'db', callCount: 1 },
      { parent: 'web', child: 'api', callCount: 2 },
    ]);
    expect(reader.getDependencies(BASE_NS + 5_000_000n, BASE_NS + 99_000_000n)).toEqual([]);
  });

  it('returns summaries in the order asked for, leaving out unknown traces', () => {
    const summaries = reader.getTraceSummaries([T2, traceIdOf(404), T1, T2]);
    expect(summaries).toEqual([
      {
        traceId: T2,
        rootService: 'api',
        rootOperation: 'handle',
        startNs: BASE_NS + 100_000_000n,
        durationNs: 4_000_000n,
        spanCount: 4,
        errorCount: 0,
        services: ['api', 'db'],
      },
      {
        traceId: T1,
        rootService: 'web',
        rootOperation: 'GET /',
        startNs: BASE_NS,
        durationNs: 5_000_000n,
        spanCount: 6,
        errorCount: 0,
        services: ['api', 'db', 'web'],
      },
    ]);
    expect(reader.getTraceSummaries([])).toEqual([]);
  });

  it('uses indexes for trace lookup, dependencies and summaries', () => {
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
    expect(plan(TRACE_SQL.traceNum, Buffer.alloc(16))).toMatch(/SEARCH trace_summaries USING COVERING INDEX sqlite_autoindex_trace_summaries_1 \(trace_id=\?\)/);
    expect(plan(TRACE_SQL.chunks, 1)).toMatch(/SEARCH span_chunks USING INDEX span_chunks_by_trace \(trace_num=\?\)/);
    expect(plan(READ_SQL.dependencyTraces, 0n, 1n)).toMatch(/SEARCH trace_summaries USING COVERING INDEX trace_summaries_by_start \(start_ns>\? AND start_ns<\?\)/);
    expect(plan(READ_SQL.summaries, '[]')).toMatch(/SEARCH trace_summaries USING INDEX sqlite_autoindex_trace_summaries_1 \(trace_id=\?\)/);
  });
});
