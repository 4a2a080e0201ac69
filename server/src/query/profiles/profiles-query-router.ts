import express, { type Router } from 'express';
import { badRequest, notFound } from '../../app-error.js';
import type { ExecTraceInfo, ProfileKind, ProfileStacks, ProfileStore } from '../../store/profile-store.js';
import type { LatencyQuery } from '../../store/latency-queries.js';
import type { SpanStore } from '../../store/span-store.js';
import { optionalParam, parseTraceIdParam, quoteInput, searchParamsOf } from '../param-parsing.js';
import { parseLatencyScope, parsePercentile } from '../v1-api/latency-params.js';
import { buildInProcessSpans } from './in-process-spans.js';
import { subtractStacks } from './stack-diff.js';
import { parseSpanIdParam } from './span-id-param.js';

/** Stacks in one answer: a flame graph narrower than a pixel per stack gains nothing from more. */
const MAX_STACKS = 5_000;
/** Stacks summed before subtracting (the difference must see every stack of both sides). */
const DIFF_STACKS = 50_000;
/** Slow spans whose samples make up the "above p99" side. */
const MAX_SLOW_SPANS = 2_000;
const SLOW_PAGE = 500;

const KINDS: readonly ProfileKind[] = ['cpu', 'heap', 'goroutine', 'mutex', 'block', 'other'];

/**
 * Go diagnostics for the UI, under `/api/v1` (docs/api.md): a span's CPU flame graph and
 * execution-trace breakdown, the raw trace for `go tool trace`, waterfall markers, and an
 * operation's flame graph and differential flame graph (spans above a percentile vs rest).
 */
export function createProfilesQueryRouter(spans: SpanStore, profiles: ProfileStore, now: () => bigint = () => BigInt(Date.now()) * 1_000_000n): Router {
  const router = express.Router();

  router.get('/traces/:traceId/profile-markers', async (req, res) => {
    const traceId = parseTraceIdParam(req.params.traceId);
    res.json({ markers: await profiles.getProfileMarkers(traceId) });
  });

  router.get('/traces/:traceId/spans/:spanId/cpu', async (req, res) => {
    const traceId = parseTraceIdParam(req.params.traceId);
    const spanId = parseSpanIdParam(req.params.spanId);
    const trace = await spans.getTrace(traceId);
    if (trace.length === 0) throw notFound(`trace ${traceId} not found`);
    const inProcess = buildInProcessSpans(trace, spanId);
    if (inProcess === undefined) throw notFound(`span ${spanId} not found in trace ${traceId}`);
    const stacks = await profiles.getProfileStacks({ kind: 'cpu', spanIds: inProcess.spanIds, limit: MAX_STACKS });
    res.json({ ...stacks, spanIds: inProcess.spanIds, labeledSpanId: inProcess.labeledSpanId });
  });

  router.get('/traces/:traceId/spans/:spanId/exectrace', async (req, res) => {
    const info = await execTrace(profiles, req.params.traceId, req.params.spanId);
    res.json(toWire(info));
  });

  router.get('/traces/:traceId/spans/:spanId/exectrace/raw', async (req, res) => {
    const info = await execTrace(profiles, req.params.traceId, req.params.spanId);
    const raw = info.hasRaw ? await profiles.getExecTraceRaw(info.traceId, info.spanId) : undefined;
    if (raw === undefined) throw notFound(`the raw execution trace of span ${info.spanId} was not uploaded (${info.rawBytes} bytes, over the client's cap)`);
    res.type('application/octet-stream');
    res.set('Content-Disposition', `attachment; filename="exectrace-${info.traceId}-${info.spanId}.trace"`);
    res.send(Buffer.from(raw));
  });

  router.get('/profiles/operation', async (req, res) => {
    const params = searchParamsOf(req);
    const scope = parseLatencyScope(params, now());
    const stacks = await profiles.getProfileStacks({
      kind: parseKind(params),
      service: scope.service,
      ...(scope.operation === undefined ? {} : { spanName: scope.operation }),
      startNs: scope.startNs,
      endNs: scope.endNs,
      limit: MAX_STACKS,
    });
    res.json(stacks);
  });

  router.get('/profiles/diff', async (req, res) => {
    const params = searchParamsOf(req);
    const scope = parseLatencyScope(params, now());
    if (scope.operation === undefined) throw badRequest('operation is required for a differential flame graph');
    const percentile = parsePercentile(params);
    const threshold = (await spans.getLatencyStats(scope)).sketch.quantile(percentile);
    const slowIds = threshold === undefined ? [] : await slowSpanIds(spans, { ...scope, minDurationNs: BigInt(Math.round(threshold)) });
    const window = { kind: 'cpu' as const, service: scope.service, spanName: scope.operation, startNs: scope.startNs, endNs: scope.endNs, limit: DIFF_STACKS };
    const [all, slow] = await Promise.all([profiles.getProfileStacks(window), profiles.getProfileStacks({ kind: 'cpu', spanIds: slowIds, limit: DIFF_STACKS })]);
    res.json({
      thresholdNano: threshold === undefined ? null : BigInt(Math.round(threshold)).toString(),
      slowSpans: slowIds.length,
      slow: truncate(slow),
      rest: truncate(subtractStacks(all, slow)),
    });
  });

  return router;
}

async function execTrace(profiles: ProfileStore, rawTraceId: string, rawSpanId: string): Promise<ExecTraceInfo> {
  const traceId = parseTraceIdParam(rawTraceId);
  const spanId = parseSpanIdParam(rawSpanId);
  const info = await profiles.getExecTrace(traceId, spanId);
  if (info === undefined) throw notFound(`no execution trace for span ${spanId} of trace ${traceId}`);
  return info;
}

function toWire(info: ExecTraceInfo): object {
  return {
    traceId: info.traceId,
    spanId: info.spanId,
    service: info.service,
    spanName: info.spanName,
    startTimeUnixNano: info.startNs.toString(),
    durationNano: info.durationNs.toString(),
    error: info.error,
    summary: info.summary,
    rawTraceBytes: info.rawBytes,
    hasRawTrace: info.hasRaw,
  };
}

async function slowSpanIds(spans: SpanStore, query: LatencyQuery & { minDurationNs: bigint }): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await spans.findSlowSpans({ ...query, tags: [], errorsOnly: false, limit: SLOW_PAGE, offset: 0, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.spans.map((s) => s.spanId));
    cursor = page.nextCursor;
  } while (cursor !== undefined && ids.length < MAX_SLOW_SPANS);
  return ids.slice(0, MAX_SLOW_SPANS);
}

function truncate(stacks: ProfileStacks): ProfileStacks {
  return { ...stacks, stacks: stacks.stacks.slice(0, MAX_STACKS) };
}

function parseKind(params: URLSearchParams): ProfileKind {
  const kind = optionalParam(params, 'kind') ?? 'cpu';
  if (!(KINDS as readonly string[]).includes(kind)) throw badRequest(`unknown profile kind ${quoteInput(kind)}; one of ${KINDS.join(', ')}`);
  return kind as ProfileKind;
}
