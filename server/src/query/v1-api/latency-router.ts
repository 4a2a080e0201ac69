import express, { type Router } from 'express';
import { notFound } from '../../app-error.js';
import type { LatencySketch } from '../../sketch/latency-sketch.js';
import type { LatencyQuery, SlowSpan, SlowSpanPage } from '../../store/latency-queries.js';
import type { SpanStore } from '../../store/span-store.js';
import { quoteInput, searchParamsOf } from '../param-parsing.js';
import { systemNow, type QueryRouterOptions } from '../query-router-options.js';
import {
  parseDurationBox,
  parseIntegerParam,
  parseLatencyScope,
  parsePercentile,
  parseQuantiles,
  parseSpanListFilters,
} from './latency-params.js';
import type {
  V1HeatmapResponse,
  V1HistogramResponse,
  V1OperationStatsResponse,
  V1PercentilesResponse,
  V1SlowSpansResponse,
  V1SpanListItem,
  V1SpanListResponse,
} from './latency-types.js';

const SERIES_BUCKETS = { defaultValue: 30, min: 1, max: 500 };
const TIME_BUCKETS = { defaultValue: 60, min: 1, max: 500 };
const LATENCY_BUCKETS = { defaultValue: 40, min: 1, max: 200 };

/**
 * Percentiles, slow spans, operation stats, histograms and heatmaps (latency-types.ts has
 * every shape). Mounted by the v1 router, whose error handler answers for it.
 */
export function createLatencyRouter(store: SpanStore, options: QueryRouterOptions = {}): Router {
  const router = express.Router();
  const now = options.now ?? systemNow;

  router.get('/percentiles', async (req, res) => {
    const params = searchParamsOf(req);
    const query = parseLatencyScope(params, now());
    const quantiles = parseQuantiles(params);
    await checkKnown(store, query);
    const stats = await store.getLatencyStats(query);
    const body: V1PercentilesResponse = {
      service: query.service,
      operation: query.operation ?? null,
      count: stats.count,
      errorCount: stats.errorCount,
      quantiles: quantiles.map((q) => ({ q, durationNano: quantileNano(stats.sketch, q) })),
    };
    res.json(body);
  });

  router.get('/slow-spans', async (req, res) => {
    const params = searchParamsOf(req);
    const query = parseLatencyScope(params, now());
    const percentile = parsePercentile(params);
    const filters = parseSpanListFilters(params);
    await checkKnown(store, query);
    const threshold = (await store.getLatencyStats(query)).sketch.quantile(percentile);
    const page: SlowSpanPage =
      threshold === undefined
        ? { spans: [] }
        : await store.findSlowSpans({ ...query, ...filters, minDurationNs: BigInt(Math.round(threshold)) });
    const body: V1SlowSpansResponse = {
      thresholdNano: threshold === undefined ? null : toNano(threshold),
      spans: page.spans.map(toSpanListItem),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
    res.json(body);
  });

  router.get('/spans', async (req, res) => {
    const params = searchParamsOf(req);
    const query = parseLatencyScope(params, now());
    const box = parseDurationBox(params);
    const filters = parseSpanListFilters(params);
    await checkKnown(store, query);
    const page = await store.findSlowSpans({ ...query, ...box, ...filters });
    const body: V1SpanListResponse = {
      spans: page.spans.map(toSpanListItem),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
    res.json(body);
  });

  router.get('/operations/stats', async (req, res) => {
    const params = searchParamsOf(req);
    const { service, startNs, endNs } = parseLatencyScope(params, now());
    const buckets = parseIntegerParam(params, 'buckets', SERIES_BUCKETS);
    await checkKnown(store, { service });
    const stats = await store.getOperationStats({ service, startNs, endNs, buckets });
    // Rates count only the part of the covered window that is not in the future.
    const coveredEnd = minBigint(stats.windowEndNs, maxBigint(now(), stats.windowStartNs + 1n));
    const seconds = Number(coveredEnd - stats.windowStartNs) / 1e9;
    const body: V1OperationStatsResponse = {
      service,
      startTimeUnixNano: stats.windowStartNs.toString(),
      endTimeUnixNano: stats.windowEndNs.toString(),
      bucketNano: stats.bucketNs.toString(),
      bucketStarts: stats.bucketStartsNs.map(String),
      operations: stats.operations.map((op) => ({
        name: op.name,
        spanKind: op.spanKind,
        count: op.count,
        errorCount: op.errorCount,
        rate: op.count / seconds,
        errorRate: op.count === 0 ? 0 : op.errorCount / op.count,
        p50Nano: quantileNano(op.sketch, 0.5) ?? '0',
        p90Nano: quantileNano(op.sketch, 0.9) ?? '0',
        p99Nano: quantileNano(op.sketch, 0.99) ?? '0',
        p99Series: op.p99SeriesNs.map((v) => (v === null ? null : toNano(v))),
      })),
    };
    res.json(body);
  });

  router.get('/latency/histogram', async (req, res) => {
    const params = searchParamsOf(req);
    const query = parseLatencyScope(params, now());
    const maxBuckets = parseIntegerParam(params, 'buckets', LATENCY_BUCKETS);
    await checkKnown(store, query);
    const histogram = await store.getLatencyHistogram({ ...query, maxBuckets });
    const body: V1HistogramResponse = {
      service: query.service,
      operation: query.operation ?? null,
      startTimeUnixNano: histogram.windowStartNs.toString(),
      endTimeUnixNano: histogram.windowEndNs.toString(),
      count: histogram.buckets.reduce((n, b) => n + b.count, 0),
      errorCount: histogram.buckets.reduce((n, b) => n + b.errorCount, 0),
      buckets: histogram.buckets.map((b) => ({
        lowNano: b.lowNs.toString(),
        highNano: b.highNs.toString(),
        count: b.count,
        errorCount: b.errorCount,
      })),
    };
    res.json(body);
  });

  router.get('/latency/heatmap', async (req, res) => {
    const params = searchParamsOf(req);
    const query = parseLatencyScope(params, now());
    const timeBuckets = parseIntegerParam(params, 'timeBuckets', TIME_BUCKETS);
    const latencyBuckets = parseIntegerParam(params, 'latencyBuckets', LATENCY_BUCKETS);
    await checkKnown(store, query);
    const heatmap = await store.getLatencyHeatmap({ ...query, timeBuckets, latencyBuckets });
    const body: V1HeatmapResponse = {
      service: query.service,
      operation: query.operation ?? null,
      startTimeUnixNano: heatmap.windowStartNs.toString(),
      endTimeUnixNano: heatmap.windowEndNs.toString(),
      timeBucketNano: heatmap.timeBucketNs.toString(),
      timeBuckets: heatmap.timeBucketStartsNs.map(String),
      latencyBuckets: heatmap.latencyBuckets.map((b) => ({ lowNano: b.lowNs.toString(), highNano: b.highNs.toString() })),
      cells: heatmap.counts,
      errorCells: heatmap.errorCounts,
    };
    res.json(body);
  });

  return router;
}

/**
 * An unknown service or operation is a 404, not an empty answer: a typo in an alert's
 * query must not read as "no traffic". One that is known but quiet in the window is a 200
 * with count 0.
 */
async function checkKnown(store: SpanStore, query: Pick<LatencyQuery, 'service' | 'operation'>): Promise<void> {
  const operations = await store.getOperations(query.service);
  if (operations.length === 0) throw notFound(`service ${quoteInput(query.service)} not found`);
  if (query.operation !== undefined && !operations.some((op) => op.name === query.operation)) {
    throw notFound(`operation ${quoteInput(query.operation)} of service ${quoteInput(query.service)} not found`);
  }
}

function toNano(ns: number): string {
  return BigInt(Math.round(ns)).toString();
}

function quantileNano(sketch: LatencySketch, q: number): string | null {
  const value = sketch.quantile(q);
  return value === undefined ? null : toNano(value);
}

function toSpanListItem(span: SlowSpan): V1SpanListItem {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    service: span.service,
    operation: span.operation,
    startTimeUnixNano: span.startNs.toString(),
    durationNano: span.durationNs.toString(),
    error: span.error,
  };
}

const minBigint = (a: bigint, b: bigint) => (a < b ? a : b);
const maxBigint = (a: bigint, b: bigint) => (a > b ? a : b);
