import { SpanKind, StatusCode, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TraceSummary } from '../span-store.js';
import { openDatabase } from './open-database.js';
import { SpanReader } from './span-reader.js';
import { SpanWriter } from './span-writer.js';
import { at, BASE_NS, spanIdOf, testSpan, traceIdOf } from './test-spans.js';

let db: Database.Database;
let writer: SpanWriter;
let reader: SpanReader;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  writer = new SpanWriter(db);
  reader = new SpanReader(db);
});
afterEach(() => db.close());

const TRACE = traceIdOf(0xabc);
const MS = 1_000_000n;

function span(
  id: number,
  parent: number,
  serviceName: string,
  name: string,
  startMs: number,
  endMs: number,
  extra: Partial<Span> = {},
): Span {
  return testSpan({
    traceId: TRACE,
    spanId: spanIdOf(id),
    parentSpanId: parent === 0 ? '' : spanIdOf(parent),
    serviceName,
    name,
    startTimeUnixNano: at(startMs),
    endTimeUnixNano: at(endMs),
    ...extra,
  });
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** One checkout request: frontend → api → db, and a worker consuming a message later. */
const BATCHES: Span[][] = [
  [
    span(1, 0, 'frontend', 'GET /checkout', 0, 100),
    span(2, 1, 'frontend', 'POST api/orders', 5, 60, { kind: SpanKind.CLIENT }),
  ],
  [
    span(3, 2, 'api', 'POST /orders', 10, 55, { status: { code: StatusCode.ERROR, message: 'declined' } }),
    span(4, 3, 'api', 'INSERT orders', 12, 40, { kind: SpanKind.CLIENT }),
  ],
  // The database host's clock runs behind: its span seems to start before the root.
  [span(5, 4, 'db', 'INSERT', -8, 10)],
  [span(6, 1, 'worker', 'process order', 90, 150, { kind: SpanKind.CONSUMER })],
];

const EXPECTED: TraceSummary = {
  traceId: TRACE,
  rootService: 'frontend',
  rootOperation: 'GET /checkout',
  startNs: BASE_NS - 8n * MS,
  durationNs: 158n * MS,
  spanCount: 6,
  errorCount: 1,
  services: ['api', 'db', 'frontend', 'worker'],
};

describe('trace summaries', () => {
  it('come out right whatever order the batches of a trace arrive in', () => {
    for (const order of permutations(BATCHES)) {
      db.exec('DELETE FROM span_index; DELETE FROM trace_summaries; DELETE FROM span_chunks; DELETE FROM tag_posting_lists');
      for (const batch of order) writer.write(batch);
      expect(reader.getTraceSummaries([TRACE])).toEqual([EXPECTED]);
    }
  });

  it('come out right when the spans arrive one by one in any order', () => {
    const spans = BATCHES.flat();
    for (const order of [spans, [...spans].reverse(), [spans[4]!, spans[0]!, spans[5]!, spans[2]!, spans[1]!, spans[3]!]]) {
      db.exec('DELETE FROM span_index; DELETE FROM trace_summaries; DELETE FROM span_chunks; DELETE FROM tag_posting_lists');
      for (const s of order) writer.write([s]);
      expect(reader.getTraceSummaries([TRACE])).toEqual([EXPECTED]);
    }
  });

  it('name a trace after its earliest span while its root is missing', () => {
    writer.write(BATCHES[1]!);
    expect(reader.getTraceSummaries([TRACE])[0]).toMatchObject({ rootService: 'api', rootOperation: 'POST /orders' });
    writer.write(BATCHES[2]!);
    expect(reader.getTraceSummaries([TRACE])[0]).toMatchObject({ rootService: 'db', rootOperation: 'INSERT' });
    writer.write(BATCHES[0]!);
    expect(reader.getTraceSummaries([TRACE])[0]).toMatchObject({ rootService: 'frontend', rootOperation: 'GET /checkout' });
  });

  it('pick the earliest of several roots', () => {
    writer.write([span(7, 0, 'cron', 'late root', 50, 60), span(8, 0, 'cron', 'early root', 20, 30)]);
    expect(reader.getTraceSummaries([TRACE])[0]).toMatchObject({ rootOperation: 'early root' });
  });

  it('still name a root when parents form a cycle', () => {
    writer.write([span(1, 2, 'a', 'one', 5, 6)]);
    writer.write([span(2, 1, 'b', 'two', 3, 4)]);
    expect(reader.getTraceSummaries([TRACE])[0]).toMatchObject({ rootService: 'b', rootOperation: 'two' });
  });

  it('treat a span that is its own parent as a root', () => {
    writer.write([span(1, 1, 'a', 'selfish', 5, 6), span(2, 1, 'b', 'child', 1, 2)]);
    expect(reader.getTraceSummaries([TRACE])[0]).toMatchObject({ rootOperation: 'selfish' });
  });
});
