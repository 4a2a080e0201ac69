import { SpanKind, StatusCode, type Span } from '@threadline/shared';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { encodeSketch, parseSketch } from '../../sketch/sketch-codec.js';
import { MINUTE_NS } from '../../sketch/time-slices.js';
import { LatencySketchReader, buildSketchRowsSql } from './latency-sketch-reader.js';
import { LatencySketchWriter } from './latency-sketch-writer.js';
import { openDatabase } from './open-database.js';
import { SpanWriter } from './span-writer.js';
import { parseSpanRow } from './span-row.js';
import { spanIdOf, testSpan, traceIdOf } from './test-spans.js';

/** A whole minute, so tests can place spans in chosen minutes. */
const T0 = 28_539_095n * MINUTE_NS;

let db: Database.Database;
let writer: SpanWriter;
let reader: LatencySketchReader;
let nextId = 1;
beforeEach(() => {
  db = openDatabase(':memory:', 'writer');
  writer = new SpanWriter(db);
  reader = new LatencySketchReader(db);
});
afterEach(() => db.close());

interface SpanSpec {
  minute?: number;
  durationNs: bigint;
  name?: string;
  service?: string;
  kind?: Span['kind'];
  error?: boolean;
}

function span({ minute = 0, durationNs, name = 'GET /users', service = 'api', kind = SpanKind.SERVER, error = false }: SpanSpec): Span {
  const start = T0 + BigInt(minute) * MINUTE_NS + 1_000n;
  const id = nextId++;
  return testSpan({
    traceId: traceIdOf(id),
    spanId: spanIdOf(id),
    serviceName: service,
    name,
    kind,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + durationNs),
    status: { code: error ? StatusCode.ERROR : StatusCode.UNSET, message: '' },
  });
}

function sketchOf(durations: readonly bigint[]): LatencySketch {
  const s = new LatencySketch();
  for (const d of durations) s.add(d);
  return s;
}

interface Row {
  name: string;
  kind: number;
  minute: number;
  count: number;
  error_count: number;
  sum_ns: number;
  sketch: Buffer;
  error_sketch: Buffer | null;
}

const rows = () => db.prepare<[], Row>('SELECT * FROM latency_sketches ORDER BY name, kind, minute').all();
const minute0 = Number(T0 / MINUTE_NS);

describe('sketches at ingest', () => {
  it('keeps one row per (service, operation, kind, minute), in the batch’s transaction', () => {
    writer.write([
      span({ durationNs: 1_000_000n }),
      span({ durationNs: 3_000_000n, error: true }),
      span({ minute: 1, durationNs: 2_000_000n }),
      span({ durationNs: 5_000n, kind: SpanKind.CLIENT }),
    ]);
    const stored = rows();
    expect(stored.map((r) => [r.name, r.kind, r.minute - minute0, r.count, r.error_count, r.sum_ns])).toEqual([
      ['GET /users', SpanKind.SERVER, 0, 2, 1, 4_000_000],
      ['GET /users', SpanKind.SERVER, 1, 1, 0, 2_000_000],
      ['GET /users', SpanKind.CLIENT, 0, 1, 0, 5_000],
    ].sort((a, b) => (a[1] as number) - (b[1] as number) || (a[2] as number) - (b[2] as number)));
    const first = stored.find((r) => r.kind === SpanKind.SERVER && r.minute === minute0)!;
    expect(Buffer.from(encodeSketch(sketchOf([1_000_000n, 3_000_000n])))).toEqual(first.sketch);
    expect(Buffer.from(encodeSketch(sketchOf([3_000_000n])))).toEqual(first.error_sketch);
    expect(stored.find((r) => r.minute === minute0 + 1)!.error_sketch).toBeNull();
  });

  it('merges later batches into the stored rows, exactly as one sketch of everything', () => {
    const durations = Array.from({ length: 300 }, (_, i) => BigInt(1_000 + i * 7_919));
    for (let i = 0; i < durations.length; i += 50) writer.write(durations.slice(i, i + 50).map((d) => span({ durationNs: d })));
    const [row] = rows();
    expect(row!.count).toBe(300);
    expect(row!.sketch).toEqual(Buffer.from(encodeSketch(sketchOf(durations))));
  });

  it('does not count a span twice, whether repeated in a batch or sent again', () => {
    const batch = [span({ durationNs: 10n }), span({ durationNs: 20n })];
    writer.write([...batch, batch[0]!]);
    writer.write(batch);
    expect(rows()[0]!.count).toBe(2);
  });

  it('takes back a removed span, and drops a minute left empty', () => {
    const spans = [span({ durationNs: 100n, error: true }), span({ durationNs: 200n })];
    writer.write(spans);
    const sketches = new LatencySketchWriter(db);
    sketches.remove(parseSpanRow(spans[0]!));
    expect(rows()[0]).toMatchObject({ count: 1, error_count: 0, sum_ns: 200, error_sketch: null });
    const left = parseSketch(rows()[0]!.sketch);
    expect([left.count, left.sumNs, left.binRange]).toEqual([1, 200n, sketchOf([200n]).binRange]);
    sketches.remove(parseSpanRow(spans[1]!));
    expect(rows()).toEqual([]);
    // Nothing to take back: neither an error nor a change.
    sketches.remove(parseSpanRow(spans[1]!));
    expect(rows()).toEqual([]);
  });
});

describe('hourly sketches', () => {
  // Three hours and a bit of spans, a few per minute, from a minute that is not on the hour.
  const durations = (m: number) => [BigInt(1_000 + m * 37), BigInt(90_000 + m * 11)];
  beforeEach(() => {
    const spans: Span[] = [];
    for (let m = 0; m < 200; m++) for (const d of durations(m)) spans.push(span({ minute: m, durationNs: d, error: m % 7 === 0 }));
    for (let i = 0; i < spans.length; i += 90) writer.write(spans.slice(i, i + 90));
  });

  const hourly = () =>
    db.prepare<[], Row & { hour: number }>('SELECT * FROM latency_sketches_hourly ORDER BY hour').all();

  it('hold exactly what the minutes of the hour hold', () => {
    const hours = hourly();
    expect(hours.map((h) => h.count).reduce((a, b) => a + b)).toBe(400);
    for (const h of hours) {
      const minutes = rows().filter((r) => Math.floor(r.minute / 60) === h.hour);
      expect(h.count).toBe(minutes.reduce((n, r) => n + r.count, 0));
      expect(h.error_count).toBe(minutes.reduce((n, r) => n + r.error_count, 0));
      const merged = new LatencySketch();
      for (const r of minutes) merged.merge(parseSketch(r.sketch));
      expect(h.sketch).toEqual(Buffer.from(encodeSketch(merged)));
    }
  });

  it('answer long windows as the minutes alone would', () => {
    const query = { service: 'api', startNs: T0 + 3n * MINUTE_NS, endNs: T0 + 190n * MINUTE_NS };
    const stats = reader.getLatencyStats(query);
    const expected = new LatencySketch();
    for (let m = 3; m <= 190; m++) for (const d of durations(m)) expected.add(d);
    expect(stats.count).toBe(expected.count);
    expect(Buffer.from(stats.sketch)).toEqual(Buffer.from(encodeSketch(expected)));
    const heatmap = reader.getLatencyHeatmap({ ...query, timeBuckets: 4, latencyBuckets: 10 });
    expect(heatmap.timeBucketNs).toBe(60n * MINUTE_NS);
    expect(heatmap.counts.flat().reduce((a, b) => a + b)).toBe(expected.count);
  });

  it('take a removed span back too', () => {
    const gone = span({ minute: 1, durationNs: 5n });
    writer.write([gone]);
    new LatencySketchWriter(db).remove(parseSpanRow(gone));
    expect(hourly().map((h) => h.count).reduce((a, b) => a + b)).toBe(400);
  });
});

describe('reading sketches', () => {
  beforeEach(() => {
    writer.write([
      span({ durationNs: 1_000n }),
      span({ durationNs: 2_000n, error: true }),
      span({ minute: 5, durationNs: 4_000n }),
      span({ minute: 5, durationNs: 0n }),
      span({ minute: 9, durationNs: 8_000n, name: 'SELECT', kind: SpanKind.CLIENT }),
      span({ durationNs: 99n, service: 'other' }),
    ]);
  });

  const window = (fromMinute: number, toMinute: number) => ({
    startNs: T0 + BigInt(fromMinute) * MINUTE_NS + 30n,
    endNs: T0 + BigInt(toMinute) * MINUTE_NS + 30n,
  });

  it('merges the minutes a window touches, widened to whole minutes', () => {
    const stats = reader.getLatencyStats({ service: 'api', operation: 'GET /users', ...window(0, 5) });
    expect([stats.count, stats.errorCount]).toEqual([4, 1]);
    expect(parseSketch(stats.sketch).quantile(1)).toBeCloseTo(4_000, -2);
    expect(stats.windowStartNs).toBe(T0);
    expect(stats.windowEndNs).toBe(T0 + 6n * MINUTE_NS);
    expect(reader.getLatencyStats({ service: 'api', operation: 'GET /users', ...window(1, 4) }).count).toBe(0);
  });

  it('covers every operation of the service, or one span kind', () => {
    expect(reader.getLatencyStats({ service: 'api', ...window(0, 9) }).count).toBe(5);
    expect(reader.getLatencyStats({ service: 'api', spanKind: 'client', ...window(0, 9) }).count).toBe(1);
    expect(reader.getLatencyStats({ service: 'nobody', ...window(0, 9) }).count).toBe(0);
  });

  it('gives per-operation stats with a p99 series', () => {
    const stats = reader.getOperationStats({ service: 'api', ...window(0, 9), buckets: 2 });
    expect(stats.bucketStartsNs).toEqual([T0, T0 + 5n * MINUTE_NS]);
    // Each p99 is the sketch's, within 1% of the exact value.
    expect(stats.operations.map((o) => [o.name, o.spanKind, o.count, o.errorCount, o.p99SeriesNs])).toEqual([
      ['GET /users', 'server', 4, 1, [sketchOf([1_000n, 2_000n]).quantile(0.99), 3_985]],
      ['SELECT', 'client', 1, 0, [null, 8_000]],
    ]);
  });

  it('gives histograms and heatmaps whose counts add up to the span count', () => {
    const histogram = reader.getLatencyHistogram({ service: 'api', ...window(0, 9), maxBuckets: 10 });
    expect(histogram.buckets.reduce((n, b) => n + b.count, 0)).toBe(5);
    expect(histogram.buckets.reduce((n, b) => n + b.errorCount, 0)).toBe(1);
    expect(histogram.buckets[0]).toMatchObject({ lowNs: 0n, highNs: 0n, count: 1 });
    const heatmap = reader.getLatencyHeatmap({ service: 'api', ...window(0, 9), timeBuckets: 4, latencyBuckets: 10 });
    expect(heatmap.timeBucketNs).toBe(3n * MINUTE_NS);
    // Three-minute slices on the clock: minute 0 is the last of its slice.
    expect(heatmap.counts.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([2, 0, 2, 1]);
    expect(heatmap.errorCounts.flat().reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('refuses windows it cannot serve', () => {
    expect(() => reader.getLatencyStats({ service: 'api', startNs: 10n, endNs: 5n })).toThrow(/time window/);
    expect(() =>
      reader.getLatencyHeatmap({ service: 'api', startNs: 0n, endNs: 10n ** 15n, timeBuckets: 1e6, latencyBuckets: 9 }),
    ).toThrow(/time buckets/);
  });

  it('seeks each operation’s minutes or hours by primary key', () => {
    for (const unit of ['minute', 'hour'] as const) {
      for (const [operation, kind] of [[false, false], [true, true]] as const) {
        const params = [1, ...(operation ? [1] : []), ...(kind ? [1] : []), 1, 1];
        const sql = `EXPLAIN QUERY PLAN ${buildSketchRowsSql(unit, operation, kind)}`;
        const plan = db.prepare(sql).all(...params) as Array<{ detail: string }>;
        expect(plan.map((p) => p.detail)).toContainEqual(
          `SEARCH l USING PRIMARY KEY (service=? AND name=? AND kind=? AND ${unit}>? AND ${unit}<?)`,
        );
      }
    }
  });
});
