/** Decoders for the latency endpoints' responses; a shape we do not expect becomes a bad_response ApiError. */
import { JsonShapeError, expectArray, expectObject, expectString, optionalNumber, optionalString, type JsonObject } from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import type { OperationRow } from '../model/operation-rows';
import { decoding } from './decode-responses';
import type {
  LatencyHeatmapResult,
  LatencyHistogramResult,
  LatencySpan,
  OperationStatsResult,
  PercentilesResult,
  Quantile,
  SlowSpansResult,
  SpanPage,
} from './latency-types';

function unixNanos(value: unknown, path: string): string {
  const text = expectString(value, path);
  if (!isDecimalNanos(text)) throw new JsonShapeError(path, 'Unix nanoseconds as a decimal string');
  return text;
}

function durationNanos(value: unknown, path: string): number {
  return Number(unixNanos(value, path));
}

function count(value: unknown, path: string): number {
  const n = optionalNumber(value, path);
  if (!Number.isInteger(n) || n < 0) throw new JsonShapeError(path, 'a count');
  return n;
}

function expectBoolean(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new JsonShapeError(path, 'a boolean');
  return value;
}

/** A quantile is null when no span matched; it is left out. */
function quantiles(value: unknown, path: string): Quantile[] {
  return expectArray(value, path).flatMap((entry, i) => {
    const q = expectObject(entry, `${path}[${i}]`);
    const at = optionalNumber(q.q, `${path}[${i}].q`);
    return q.durationNano === null ? [] : [{ q: at, durationNano: durationNanos(q.durationNano, `${path}[${i}].durationNano`) }];
  });
}

function rate(value: unknown, path: string): number {
  const n = optionalNumber(value, path);
  if (n < 0) throw new JsonShapeError(path, 'a non-negative number');
  return n;
}

function latencySpan(value: unknown, path: string): LatencySpan {
  const s = expectObject(value, path);
  return {
    traceId: expectString(s.traceId, `${path}.traceId`),
    spanId: expectString(s.spanId, `${path}.spanId`),
    service: optionalString(s.service, `${path}.service`),
    operation: optionalString(s.operation, `${path}.operation`),
    startTimeUnixNano: unixNanos(s.startTimeUnixNano, `${path}.startTimeUnixNano`),
    durationNano: durationNanos(s.durationNano, `${path}.durationNano`),
    error: expectBoolean(s.error, `${path}.error`),
  };
}

function spanPage(doc: JsonObject): SpanPage {
  const cursor = doc.nextCursor;
  return {
    spans: expectArray(doc.spans, '$.spans').map((s, i) => latencySpan(s, `$.spans[${i}]`)),
    nextCursor: cursor === undefined || cursor === null || cursor === '' ? null : expectString(cursor, '$.nextCursor'),
  };
}

function coveredWindow(doc: JsonObject): { startTimeUnixNano: string; endTimeUnixNano: string } {
  return {
    startTimeUnixNano: unixNanos(doc.startTimeUnixNano, '$.startTimeUnixNano'),
    endTimeUnixNano: unixNanos(doc.endTimeUnixNano, '$.endTimeUnixNano'),
  };
}

function latencyRange(value: unknown, path: string): { lowNs: number; highNs: number } {
  const b = expectObject(value, path);
  return { lowNs: durationNanos(b.lowNano, `${path}.lowNano`), highNs: durationNanos(b.highNano, `${path}.highNano`) };
}

function countGrid(value: unknown, path: string): number[][] {
  return expectArray(value, path).map((column, i) => expectArray(column, `${path}[${i}]`).map((n, j) => count(n, `${path}[${i}][${j}]`)));
}

export function parsePercentilesResponse(body: unknown): PercentilesResult {
  return decoding('/api/v1/percentiles', () => {
    const doc = expectObject(body, '$');
    return {
      service: optionalString(doc.service, '$.service'),
      operation: optionalString(doc.operation, '$.operation'),
      count: count(doc.count, '$.count'),
      errorCount: count(doc.errorCount, '$.errorCount'),
      quantiles: quantiles(doc.quantiles ?? [], '$.quantiles'),
    };
  });
}

export function parseSlowSpansResponse(body: unknown): SlowSpansResult {
  return decoding('/api/v1/slow-spans', () => {
    const doc = expectObject(body, '$');
    const threshold = doc.thresholdNano;
    return {
      ...spanPage(doc),
      thresholdNano: threshold === undefined || threshold === null ? null : durationNanos(threshold, '$.thresholdNano'),
    };
  });
}

export function parseSpansResponse(body: unknown): SpanPage {
  return decoding('/api/v1/spans', () => spanPage(expectObject(body, '$')));
}

export function parseOperationStatsResponse(body: unknown): OperationStatsResult {
  return decoding('/api/v1/operations/stats', () => {
    const doc = expectObject(body, '$');
    const operations: OperationRow[] = expectArray(doc.operations, '$.operations').map((value, i) => {
      const path = `$.operations[${i}]`;
      const op = expectObject(value, path);
      return {
        name: expectString(op.name, `${path}.name`),
        spanKind: optionalString(op.spanKind, `${path}.spanKind`),
        count: count(op.count, `${path}.count`),
        errorCount: count(op.errorCount, `${path}.errorCount`),
        rate: rate(op.rate, `${path}.rate`),
        errorRate: rate(op.errorRate, `${path}.errorRate`),
        p50: durationNanos(op.p50Nano, `${path}.p50Nano`),
        p90: durationNanos(op.p90Nano, `${path}.p90Nano`),
        p99: durationNanos(op.p99Nano, `${path}.p99Nano`),
        p99Series: expectArray(op.p99Series ?? [], `${path}.p99Series`).map((v, j) =>
          v === null ? null : durationNanos(v, `${path}.p99Series[${j}]`),
        ),
      };
    });
    return {
      ...coveredWindow(doc),
      bucketNano: durationNanos(doc.bucketNano, '$.bucketNano'),
      bucketStarts: expectArray(doc.bucketStarts ?? [], '$.bucketStarts').map((v, i) => unixNanos(v, `$.bucketStarts[${i}]`)),
      operations,
    };
  });
}

export function parseLatencyHistogramResponse(body: unknown): LatencyHistogramResult {
  return decoding('/api/v1/latency/histogram', () => {
    const doc = expectObject(body, '$');
    return {
      ...coveredWindow(doc),
      buckets: expectArray(doc.buckets, '$.buckets').map((value, i) => {
        const b = expectObject(value, `$.buckets[${i}]`);
        return {
          ...latencyRange(b, `$.buckets[${i}]`),
          count: count(b.count, `$.buckets[${i}].count`),
          errorCount: count(b.errorCount, `$.buckets[${i}].errorCount`),
        };
      }),
    };
  });
}

export function parseLatencyHeatmapResponse(body: unknown): LatencyHeatmapResult {
  return decoding('/api/v1/latency/heatmap', () => {
    const doc = expectObject(body, '$');
    const timeStartsNs = expectArray(doc.timeBuckets, '$.timeBuckets').map((v, i) => BigInt(unixNanos(v, `$.timeBuckets[${i}]`)));
    const latencyBuckets = expectArray(doc.latencyBuckets, '$.latencyBuckets').map((b, i) => latencyRange(b, `$.latencyBuckets[${i}]`));
    const counts = countGrid(doc.cells, '$.cells');
    const errorCounts = countGrid(doc.errorCells ?? counts.map((column) => column.map(() => 0)), '$.errorCells');
    const shape = (grid: number[][]): boolean =>
      grid.length === timeStartsNs.length && grid.every((column) => column.length === latencyBuckets.length);
    if (!shape(counts)) throw new JsonShapeError('$.cells', `a ${timeStartsNs.length} × ${latencyBuckets.length} grid`);
    if (!shape(errorCounts)) throw new JsonShapeError('$.errorCells', `a ${timeStartsNs.length} × ${latencyBuckets.length} grid`);
    return {
      ...coveredWindow(doc),
      timeStartsNs,
      timeBucketNs: BigInt(unixNanos(doc.timeBucketNano, '$.timeBucketNano')),
      latencyBuckets,
      counts,
      errorCounts,
    };
  });
}
