import { AppError } from '../../app-error.js';
import { buildLatencyGrid, buildLatencyHistogram, type SketchPair } from '../../sketch/latency-buckets.js';
import { LatencySketch, type SketchParts } from '../../sketch/latency-sketch.js';
import { buildTimeSlices, MINUTE_NS, minuteWindowOf, sliceStartsNs, type MinuteWindow, type TimeSlices } from '../../sketch/time-slices.js';
import type {
  CoveredWindow,
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  LatencyStats,
  OperationLatency,
  OperationStats,
  OperationStatsQuery,
} from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import type { ClickhouseConnection, QueryParams } from './clickhouse-connection.js';
import { ZERO_BUCKET } from './schema.js';

/** Series and heatmaps beyond this many time buckets are refused, as on SQLite. */
const MAX_TIME_SLICES = 10_000;
const SERIES_QUANTILE = 0.99;

/** One GROUP BY row: the spans of one sketch bucket in one (operation, slice, error) group. */
export interface BucketRow {
  name: string;
  kind: number;
  slice: number;
  is_error: number;
  bucket: number;
  n: string;
  sum_ns: string;
  min_ns: string;
  max_ns: string;
}

export interface SketchGroup {
  name: string;
  kind: number;
  slice: number;
  all: LatencySketch;
  errors: LatencySketch;
}

interface Grouping {
  byOperation: boolean;
  slices?: TimeSlices;
}

/**
 * Sketches built from the spans themselves: ClickHouse counts spans per sketch bucket
 * (`latency_bucket`, computed at ingest with the sketch's own function) and group, and
 * the counts become the same LatencySketch the SQLite store keeps per minute: the same
 * 1% relative accuracy over the same whole minutes, and no sketch table to keep in step
 * with deletes and replaced spans.
 */
export function groupBucketRows(rows: readonly BucketRow[]): SketchGroup[] {
  const parts = new Map<string, { group: SketchGroup; all: SketchParts; errors: SketchParts }>();
  const emptyParts = (): SketchParts => ({ zeroCount: 0, indexes: [], counts: [], sumNs: 0n, minNs: Infinity, maxNs: -Infinity });
  for (const row of rows) {
    const key = `${row.name}\u0000${row.kind}\u0000${row.slice}`;
    let entry = parts.get(key);
    if (!entry) {
      entry = { group: { name: row.name, kind: row.kind, slice: row.slice, all: new LatencySketch(), errors: new LatencySketch() }, all: emptyParts(), errors: emptyParts() };
      parts.set(key, entry);
    }
    const n = Number(row.n);
    const targets = row.is_error ? [entry.all, entry.errors] : [entry.all];
    for (const p of targets) {
      if (row.bucket === ZERO_BUCKET) p.zeroCount += n;
      else {
        p.indexes.push(row.bucket);
        p.counts.push(n);
      }
      p.sumNs += BigInt(row.sum_ns);
      p.minNs = Math.min(p.minNs, Number(row.min_ns));
      p.maxNs = Math.max(p.maxNs, Number(row.max_ns));
    }
  }
  return [...parts.values()].map(({ group, all, errors }) => {
    group.all.mergeParts(sortedParts(all));
    group.errors.mergeParts(sortedParts(errors));
    return group;
  });
}

/** Error and non-error rows of one bucket arrive apart: add them up, in increasing index order. */
function sortedParts(p: SketchParts): SketchParts {
  const byIndex = new Map<number, number>();
  p.indexes.forEach((index, k) => byIndex.set(index, (byIndex.get(index) ?? 0) + p.counts[k]!));
  const indexes = [...byIndex.keys()].sort((a, b) => a - b);
  return { ...p, indexes, counts: indexes.map((i) => byIndex.get(i)!) };
}

export class LatencyReader {
  constructor(
    private readonly connection: ClickhouseConnection,
    private readonly spansTable: string,
  ) {}

  async getLatencyStats(query: LatencyQuery): Promise<LatencyStats> {
    const window = checkedWindow(query.startNs, query.endNs);
    const [group] = await this.groups(query, window, { byOperation: false });
    const sketch = group?.all ?? new LatencySketch();
    return { ...coveredWindowOf(window), count: sketch.count, errorCount: group?.errors.count ?? 0, sketch };
  }

  async getOperationStats(query: OperationStatsQuery): Promise<OperationStats> {
    const slices = slicesOf(checkedWindow(query.startNs, query.endNs), query.buckets);
    const groups = await this.groups(query, slices, { byOperation: true, slices });
    const byOperation = new Map<string, { name: string; kind: number; slices: SketchGroup[] }>();
    for (const g of groups) {
      const key = `${g.kind}:${g.name}`;
      let op = byOperation.get(key);
      if (!op) byOperation.set(key, (op = { name: g.name, kind: g.kind, slices: [] }));
      op.slices[g.slice] = g;
    }
    const operations = [...byOperation.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind - b.kind))
      .map((op): OperationLatency => {
        const all = new LatencySketch();
        const errors = new LatencySketch();
        const p99SeriesNs = Array.from({ length: slices.count }, (_, k): number | null => {
          const slice = op.slices[k];
          if (!slice) return null;
          all.merge(slice.all);
          errors.merge(slice.errors);
          return Math.round(slice.all.quantile(SERIES_QUANTILE)!);
        });
        return { name: op.name, spanKind: toSpanKindName(op.kind), count: all.count, errorCount: errors.count, sketch: all, p99SeriesNs };
      });
    return { ...coveredWindowOf(slices), bucketNs: BigInt(slices.minutesPerSlice) * MINUTE_NS, bucketStartsNs: sliceStartsNs(slices), operations };
  }

  async getLatencyHistogram(query: LatencyHistogramQuery): Promise<LatencyHistogram> {
    const window = checkedWindow(query.startNs, query.endNs);
    const [group] = await this.groups(query, window, { byOperation: false });
    const pair: SketchPair = group ?? { all: new LatencySketch(), errors: new LatencySketch() };
    return { ...coveredWindowOf(window), buckets: buildLatencyHistogram(pair, query.maxBuckets) };
  }

  async getLatencyHeatmap(query: LatencyHeatmapQuery): Promise<LatencyHeatmap> {
    const slices = slicesOf(checkedWindow(query.startNs, query.endNs), query.timeBuckets);
    const pairs: SketchPair[] = Array.from({ length: slices.count }, () => ({ all: new LatencySketch(), errors: new LatencySketch() }));
    for (const g of await this.groups(query, slices, { byOperation: false, slices })) pairs[g.slice] = g;
    const grid = buildLatencyGrid(pairs, query.latencyBuckets);
    return {
      ...coveredWindowOf(slices),
      timeBucketNs: BigInt(slices.minutesPerSlice) * MINUTE_NS,
      timeBucketStartsNs: sliceStartsNs(slices),
      latencyBuckets: grid.buckets,
      counts: grid.counts,
      errorCounts: grid.errorCounts,
    };
  }

  /** Span counts per sketch bucket over the window's whole minutes, grouped as asked. */
  private async groups(query: LatencyQuery | OperationStatsQuery, window: MinuteWindow, grouping: Grouping): Promise<SketchGroup[]> {
    const params: QueryParams = {
      service: query.service,
      from: String(BigInt(window.firstMinute) * MINUTE_NS),
      to: String(BigInt(window.lastMinute + 1) * MINUTE_NS),
    };
    const terms = ['service = {service:String}', 'start_ns >= {from:Int64}', 'start_ns < {to:Int64}'];
    if ('operation' in query && query.operation !== undefined) {
      params.operation = query.operation;
      terms.push('name = {operation:String}');
    }
    if ('spanKind' in query && query.spanKind !== undefined) {
      params.kind = toSpanKind(query.spanKind);
      terms.push('kind = {kind:UInt8}');
    }
    let slice = '0';
    if (grouping.slices) {
      params.origin = grouping.slices.originMinute;
      params.width = grouping.slices.minutesPerSlice;
      slice = `toUInt32(intDiv(intDiv(start_ns, ${MINUTE_NS}) - {origin:Int64}, {width:Int64}))`;
    }
    const rows = await this.connection.rows<Omit<BucketRow, 'name' | 'kind'> & { op_name: string; op_kind: number }>(
      // Aliases never reuse a column name: ClickHouse would read the alias in WHERE.
      `SELECT ${grouping.byOperation ? 'name AS op_name, kind AS op_kind' : `'' AS op_name, 0 AS op_kind`}, ${slice} AS slice, is_error,
         latency_bucket AS bucket, count() AS n, toString(sum(toInt128(duration_ns))) AS sum_ns,
         toString(min(duration_ns)) AS min_ns, toString(max(duration_ns)) AS max_ns
       FROM ${this.spansTable} WHERE ${terms.join(' AND ')}
       GROUP BY op_name, op_kind, slice, is_error, bucket`,
      params,
    );
    return groupBucketRows(
      rows.map((r) => ({ ...r, name: r.op_name, kind: Number(r.op_kind), slice: Number(r.slice), is_error: Number(r.is_error), bucket: Number(r.bucket) })),
    );
  }
}

function checkedWindow(startNs: bigint, endNs: bigint): MinuteWindow {
  if (startNs < 0n || endNs < startNs) throw new AppError(400, 'invalid_query', 'the time window is empty or negative');
  return minuteWindowOf(startNs, endNs);
}

function slicesOf(window: MinuteWindow, maxSlices: number): TimeSlices {
  const slices = buildTimeSlices(window, maxSlices);
  if (slices.count > MAX_TIME_SLICES) throw new AppError(400, 'invalid_query', `more than ${MAX_TIME_SLICES} time buckets asked for`);
  return slices;
}

function coveredWindowOf(window: MinuteWindow): CoveredWindow {
  return { windowStartNs: BigInt(window.firstMinute) * MINUTE_NS, windowEndNs: BigInt(window.lastMinute + 1) * MINUTE_NS };
}
