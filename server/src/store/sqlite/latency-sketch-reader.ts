import type Database from 'better-sqlite3';
import { buildLatencyGrid, buildLatencyHistogram, type SketchPair } from '../../sketch/latency-buckets.js';
import { LatencySketch } from '../../sketch/latency-sketch.js';
import { encodeSketch, mergeEncodedSketch } from '../../sketch/sketch-codec.js';
import {
  buildTimeSlices,
  hoursFitSlices,
  MINUTE_NS,
  MINUTES_PER_HOUR,
  minuteWindowOf,
  planRowRanges,
  sliceIndexOf,
  sliceStartsNs,
  type MinuteWindow,
  type RowRange,
  type TimeSlices,
} from '../../sketch/time-slices.js';
import type {
  CoveredWindow,
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  OperationLatency,
  OperationStats,
  OperationStatsQuery,
} from '../latency-queries.js';
import { toSpanKind, toSpanKindName } from '../span-kind-name.js';
import { SKETCH_TABLES } from './latency-sketch-writer.js';
import { StoreInputError } from './store-input-error.js';

/** Sketches cross the worker boundary encoded: a class instance would arrive as a plain object. */
export interface EncodedLatencyStats extends CoveredWindow {
  count: number;
  errorCount: number;
  sketch: Uint8Array;
}

export interface EncodedOperationLatency extends Omit<OperationLatency, 'sketch'> {
  sketch: Uint8Array;
}

export interface EncodedOperationStats extends Omit<OperationStats, 'operations'> {
  operations: EncodedOperationLatency[];
}

interface SketchRow {
  name: string;
  kind: number;
  /** The row's minute or hour. */
  at: number;
  count: number;
  error_count: number;
  sketch: Buffer;
  error_sketch: Buffer | null;
}

/** A sketch row with its start as a Unix minute, whichever table it came from. */
interface TimedRow extends SketchRow {
  minute: number;
}

/** Series and heatmaps beyond this many time buckets are refused rather than computed. */
const MAX_TIME_SLICES = 10_000;
const SERIES_QUANTILE = 0.99;

/**
 * The sketch rows of a service's operations in a range of minutes or hours. The catalog
 * drives the join (CROSS JOIN keeps it outer) so that each (service, name, kind) is one
 * primary-key range seek, whatever else the table holds for other times.
 */
export function buildSketchRowsSql(unit: RowRange['unit'], withOperation: boolean, withKind: boolean): string {
  const { table } = SKETCH_TABLES.find((t) => t.unit === unit)!;
  return `SELECT o.name, o.kind, l.${unit} AS at, l.count, l.error_count, l.sketch, l.error_sketch
    FROM operations o CROSS JOIN ${table} l
    WHERE o.service = ?${withOperation ? ' AND o.name = ?' : ''}${withKind ? ' AND o.kind = ?' : ''}
      AND l.service = o.service AND l.name = o.name AND l.kind = o.kind AND l.${unit} >= ? AND l.${unit} <= ?`;
}

/** Latency answers from per-minute and per-hour sketches; never reads spans. */
export class LatencySketchReader {
  private readonly statements = new Map<string, Database.Statement<unknown[], SketchRow>>();

  constructor(private readonly db: Database.Database) {}

  getLatencyStats(query: LatencyQuery): EncodedLatencyStats {
    const window = checkedWindow(query.startNs, query.endNs);
    const sketch = new LatencySketch();
    let count = 0;
    let errorCount = 0;
    for (const row of this.rows(query, window, true)) {
      mergeEncodedSketch(sketch, row.sketch);
      count += row.count;
      errorCount += row.error_count;
    }
    return { ...coveredWindowOf(window), count, errorCount, sketch: encodeSketch(sketch) };
  }

  /** How many spans the sketches count in the window (whole minutes), without decoding any. */
  countSpans(query: LatencyQuery): number {
    let count = 0;
    for (const row of this.rows(query, checkedWindow(query.startNs, query.endNs), true)) count += row.count;
    return count;
  }

  getOperationStats(query: OperationStatsQuery): EncodedOperationStats {
    const slices = slicesOf(checkedWindow(query.startNs, query.endNs), query.buckets);
    const byOperation = new Map<string, { name: string; kind: number; count: number; errorCount: number; slices: LatencySketch[] }>();
    for (const row of this.rows(query, slices, hoursFitSlices(slices))) {
      const key = `${row.kind}:${row.name}`;
      let op = byOperation.get(key);
      if (!op) {
        op = { name: row.name, kind: row.kind, count: 0, errorCount: 0, slices: [] };
        byOperation.set(key, op);
      }
      op.count += row.count;
      op.errorCount += row.error_count;
      const k = sliceIndexOf(slices, row.minute);
      mergeEncodedSketch((op.slices[k] ??= new LatencySketch()), row.sketch);
    }
    const operations = [...byOperation.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind - b.kind))
      .map((op): EncodedOperationLatency => {
        const all = new LatencySketch();
        const p99SeriesNs = Array.from({ length: slices.count }, (_, k): number | null => {
          const slice = op.slices[k];
          if (!slice) return null;
          all.merge(slice);
          return Math.round(slice.quantile(SERIES_QUANTILE)!);
        });
        return {
          name: op.name,
          spanKind: toSpanKindName(op.kind),
          count: op.count,
          errorCount: op.errorCount,
          sketch: encodeSketch(all),
          p99SeriesNs,
        };
      });
    return {
      ...coveredWindowOf(slices),
      bucketNs: BigInt(slices.minutesPerSlice) * MINUTE_NS,
      bucketStartsNs: sliceStartsNs(slices),
      operations,
    };
  }

  getLatencyHistogram(query: LatencyHistogramQuery): LatencyHistogram {
    const window = checkedWindow(query.startNs, query.endNs);
    const pair = newPair();
    for (const row of this.rows(query, window, true)) addRow(pair, row);
    return { ...coveredWindowOf(window), buckets: buildLatencyHistogram(pair, query.maxBuckets) };
  }

  getLatencyHeatmap(query: LatencyHeatmapQuery): LatencyHeatmap {
    const slices = slicesOf(checkedWindow(query.startNs, query.endNs), query.timeBuckets);
    const pairs = Array.from({ length: slices.count }, newPair);
    for (const row of this.rows(query, slices, hoursFitSlices(slices))) addRow(pairs[sliceIndexOf(slices, row.minute)]!, row);
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

  /** Rows covering the window, from hourly sketches where `useHours` allows and whole hours fit. */
  private *rows(query: LatencyQuery | OperationStatsQuery, window: MinuteWindow, useHours: boolean): Generator<TimedRow> {
    const operation = 'operation' in query ? query.operation : undefined;
    const spanKind = 'spanKind' in query ? query.spanKind : undefined;
    for (const range of planRowRanges(window, useHours)) {
      const sql = buildSketchRowsSql(range.unit, operation !== undefined, spanKind !== undefined);
      let statement = this.statements.get(sql);
      if (!statement) {
        statement = this.db.prepare<unknown[], SketchRow>(sql);
        this.statements.set(sql, statement);
      }
      const params: unknown[] = [query.service];
      if (operation !== undefined) params.push(operation);
      if (spanKind !== undefined) params.push(toSpanKind(spanKind));
      params.push(range.from, range.to);
      const perRow = range.unit === 'hour' ? MINUTES_PER_HOUR : 1;
      for (const row of statement.iterate(...params)) yield Object.assign(row, { minute: row.at * perRow });
    }
  }
}

function checkedWindow(startNs: bigint, endNs: bigint): MinuteWindow {
  if (startNs < 0n || endNs < startNs) throw new StoreInputError('invalid_query', 'the time window is empty or negative');
  return minuteWindowOf(startNs, endNs);
}

function slicesOf(window: MinuteWindow, maxSlices: number): TimeSlices {
  const slices = buildTimeSlices(window, maxSlices);
  if (slices.count > MAX_TIME_SLICES) {
    throw new StoreInputError('invalid_query', `more than ${MAX_TIME_SLICES} time buckets asked for`);
  }
  return slices;
}

function newPair(): SketchPair {
  return { all: new LatencySketch(), errors: new LatencySketch() };
}

function addRow(pair: SketchPair, row: SketchRow): void {
  mergeEncodedSketch(pair.all, row.sketch);
  if (row.error_sketch) mergeEncodedSketch(pair.errors, row.error_sketch);
}

function coveredWindowOf(window: MinuteWindow): CoveredWindow {
  return {
    windowStartNs: BigInt(window.firstMinute) * MINUTE_NS,
    windowEndNs: BigInt(window.lastMinute + 1) * MINUTE_NS,
  };
}
