import express, { type ErrorRequestHandler, type Request, type Router } from 'express';
import { COMPACT_TRACE_FORMAT, COMPACT_TRACE_FORMAT_3, COMPACT_TRACE_MEDIA_TYPE } from '@threadline/shared';
import { notFound } from '../../app-error.js';
import type { NettraceStore, SpanStore, TraceQuery, TraceSummary } from '../../store/span-store.js';
import { parseSpanKindParam, parseTraceIdParam, searchParamsOf } from '../param-parsing.js';
import { cutIfAnswerBegan, type ErrorLogger, loggerOf, type QueryRouterOptions, toHttpFailure } from '../query-router-options.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { toSharedChildrenRepointedJson } from '../../receivers/zipkin/zipkin-shared-spans.js';
import { compactTraceText, type CompactFormat } from './compact-trace.js';
import { uncompressedForLocalClient } from '../api-compression.js';
import { takingTurns } from '../taking-turns.js';
import { collectGarbage } from '../../threads/full-collection.js';
import { createLatencyRouter } from './latency-router.js';
import { createV1NettraceRouter } from './nettrace-router.js';
import { createProfilesQueryRouter } from '../profiles/profiles-query-router.js';
import type { ProfileStore } from '../../store/profile-store.js';
import { parseV1Search } from './v1-params.js';
import type {
  V1ErrorResponse,
  V1OperationsResponse,
  V1SearchResponse,
  V1ServicesResponse,
  V1TraceSummary,
} from './v1-types.js';

/**
 * `errorsOnly` is applied to summaries after the store's search, so the store is asked
 * for this many times more traces to still fill the page when errors are rare. It is a
 * stopgap: a store-side filter would be exact.
 */
const ERRORS_ONLY_OVERFETCH = 10;
const MAX_FETCH = 1500;
/** A compact trace this long (~10 MB, about 60k spans) leaves enough garbage behind to collect it at once (full-collection.ts). */
const BIG_ANSWER_CHARS = 10_000_000;

export interface V1RouterOptions extends QueryRouterOptions {
  /** Serves `/nettrace/*` when given. */
  nettrace?: NettraceStore;
  /** Serves the Go diagnostics routes (profiles-query-router.ts) when given. */
  profiles?: ProfileStore;
}

/** Threadline's own query API for the UI (mounted at `/api/v1`, before the Jaeger router at `/api`). */
export function createV1Router(store: SpanStore, options: V1RouterOptions = {}): Router {
  const router = express.Router();

  router.get('/traces/:traceId', async (req, res) => {
    const traceId = parseTraceIdParam(req.params.traceId);
    res.vary('Accept');
    const compact = compactFormatOf(req);
    if (compact) {
      // A page at a time from the store to the socket: a big trace is never whole in memory.
      const pages = (store.streamTraceProto?.(traceId) ?? store.streamTrace(traceId))[Symbol.asyncIterator]();
      const first = await pages.next();
      if (first.done) throw notFound(`trace ${traceId} not found`);
      // Encodes the first page now: a store failing to read it is answered with an error status, not a cut stream.
      const text = compactTraceText(traceId, first.value, pages, compact);
      res.type(COMPACT_TRACE_MEDIA_TYPE);
      uncompressedForLocalClient(res);
      let written = 0;
      try {
        // pipeline waits for the client to read (backpressure) and ends or destroys the response.
        await pipeline(Readable.from(takingTurns(counted(text, (n) => (written += n), () => flushCompressor(res)))), res);
      } catch (err) {
        if (res.destroyed) return;
        throw err;
      } finally {
        if (written >= BIG_ANSWER_CHARS) collectGarbage();
      }
      return;
    }
    // V1TraceResponse, assembled as text: the spans arrive from the store already as JSON.
    const stored = await store.getTraceJson(traceId);
    if (stored === '[]') throw notFound(`trace ${traceId} not found`);
    const spans = toSharedChildrenRepointedJson(stored);
    res.type('application/json').send(`{"traceId":${JSON.stringify(traceId)},"spans":${spans}}`);
  });

  router.get('/services', async (_req, res) => {
    const body: V1ServicesResponse = { services: await store.getServices() };
    res.json(body);
  });

  router.get('/services/:service/operations', async (req, res) => {
    const operations = await store.getOperations(req.params.service, parseSpanKindParam(searchParamsOf(req)));
    const body: V1OperationsResponse = { operations: operations.map((op) => ({ name: op.name, spanKind: op.spanKind })) };
    res.json(body);
  });

  router.get('/search', async (req, res) => {
    const { query, errorsOnly } = parseV1Search(searchParamsOf(req));
    const body: V1SearchResponse = { traces: (await searchSummaries(store, query, errorsOnly)).map(toV1Summary) };
    res.json(body);
  });

  if (options.nettrace) router.use(createV1NettraceRouter(options.nettrace));
  if (options.profiles) router.use(createProfilesQueryRouter(store, options.profiles));
  router.use(createLatencyRouter(store, options));

  router.use((req, _res, next) => {
    next(notFound(`no API endpoint ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(v1ErrorHandler(loggerOf(options)));
  return router;
}

/**
 * The pieces as they are, telling `add` the length of each, and calling `sent` once a piece
 * was taken (written on), before waiting for the next.
 */
async function* counted<T extends { length: number }>(pieces: AsyncIterable<T>, add: (n: number) => void, sent: () => void): AsyncGenerator<T> {
  for await (const piece of pieces) {
    add(piece.length);
    yield piece;
    sent();
  }
}

/**
 * Makes the compression middleware emit what it holds. Brotli buffers megabytes before its
 * first output, so a streamed trace reached the browser's decoder ~0.5 s late without it.
 */
function flushCompressor(res: { flush?: () => void }): void {
  res.flush?.();
}

/** compact-2 is asked for with `?format=compact` or its media type in `Accept`; compact-3 with `?format=compact-3`. */
function compactFormatOf(req: Request): CompactFormat | undefined {
  if (req.query.format === COMPACT_TRACE_FORMAT_3) return COMPACT_TRACE_FORMAT_3;
  return req.query.format === 'compact' || (req.get('accept') ?? '').includes(COMPACT_TRACE_MEDIA_TYPE) ? COMPACT_TRACE_FORMAT : undefined;
}

/** Summaries in the store's order (most recent first); traces that vanished meanwhile are skipped. */
async function searchSummaries(store: SpanStore, query: TraceQuery, errorsOnly: boolean): Promise<TraceSummary[]> {
  const fetchQuery = errorsOnly ? { ...query, limit: Math.min(query.limit * ERRORS_ONLY_OVERFETCH, MAX_FETCH) } : query;
  const ids = await store.findTraceIds(fetchQuery);
  const byId = new Map((await store.getTraceSummaries(ids)).map((s) => [s.traceId, s]));
  const ordered = ids.flatMap((id) => byId.get(id) ?? []);
  return (errorsOnly ? ordered.filter((s) => s.errorCount > 0) : ordered).slice(0, query.limit);
}

function toV1Summary(s: TraceSummary): V1TraceSummary {
  return {
    traceId: s.traceId,
    rootService: s.rootService,
    rootOperation: s.rootOperation,
    startTimeUnixNano: s.startNs.toString(),
    durationNano: s.durationNs.toString(),
    spanCount: s.spanCount,
    errorCount: s.errorCount,
    services: s.services,
  };
}

function v1ErrorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const failure = toHttpFailure(err, logger);
    if (cutIfAnswerBegan(res)) return;
    const body: V1ErrorResponse = { error: { code: failure.code, message: failure.message } };
    res.set(failure.headers).status(failure.status).json(body);
  };
}
