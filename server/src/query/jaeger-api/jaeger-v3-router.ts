import express, { type ErrorRequestHandler, type Router } from 'express';
import { toOtlpJson } from '@threadline/shared';
import { notFound } from '../../app-error.js';
import type { SpanStore } from '../../store/span-store.js';
import { parseSpanKindParam, parseTraceIdParam, searchParamsOf } from '../param-parsing.js';
import { cutIfAnswerBegan, type ErrorLogger, loggerOf, type QueryRouterOptions, toHttpFailure } from '../query-router-options.js';
import { readTrace } from '../read-trace.js';
import { jsonListText, sendJsonPieces, tracesInOrder } from '../trace-list-text.js';
import { toJaegerSpanKind } from './jaeger-router.js';
import { parseV3TraceSearch } from './jaeger-v3-params.js';

/** Jaeger's answer when a trace ID or a search finds nothing (api_v3 answers 404 for both). */
const NO_TRACES = 'No traces found';

/**
 * Jaeger v2's api_v3 HTTP gateway (mounted at `/api/v3`), for Jaeger tooling that reads
 * OTLP: traces come as OTLP/JSON `TracesData` in `{"result": …}`, errors as
 * `{"error": {"httpCode", "message"}}`. Differences from Jaeger are listed in docs/api.md.
 */
export function createJaegerV3Router(store: SpanStore, options: QueryRouterOptions = {}): Router {
  const router = express.Router();

  router.get('/services', async (_req, res) => {
    res.json({ services: await store.getServices() });
  });

  router.get('/operations', async (req, res) => {
    const params = searchParamsOf(req);
    const operations = await store.getOperations(params.get('service') ?? '', parseSpanKindParam(params, 'span_kind'));
    res.json({ operations: operations.map((op) => ({ name: op.name, spanKind: toJaegerSpanKind(op.spanKind) })) });
  });

  router.get('/traces/:traceId', async (req, res) => {
    // `start_time`, `end_time` and `raw_traces` narrow or skip Jaeger's adjusters; a trace here is read whole either way.
    const spans = await readTrace(store, parseTraceIdParam(req.params.traceId));
    if (spans.length === 0) throw notFound(NO_TRACES, 'trace_not_found');
    res.json({ result: toOtlpJson(spans) });
  });

  router.get('/traces', async (req, res) => {
    const ids = await store.findTraceIds(parseV3TraceSearch(searchParamsOf(req)));
    const traces = tracesInOrder(store, ids);
    const first = await traces.next();
    if (first.done) throw notFound(NO_TRACES, 'trace_not_found');
    // As Jaeger: each trace's resource spans one after the other, in the search's order;
    // the text res.json({ result }) would send, written a trace at a time (trace-list-text.ts).
    async function* resourceSpans(): AsyncGenerator<string> {
      for (let next = first; !next.done; next = await traces.next()) {
        for (const rs of toOtlpJson(next.value.spans).resourceSpans) yield JSON.stringify(rs);
      }
    }
    await sendJsonPieces(res, jsonListText('{"result":{"resourceSpans":[', resourceSpans(), () => ']}}'));
  });

  router.use((req, _res, next) => {
    next(notFound(`no api_v3 endpoint ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(v3ErrorHandler(loggerOf(options)));
  return router;
}

function v3ErrorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const failure = toHttpFailure(err, logger);
    if (cutIfAnswerBegan(res)) return;
    res.set(failure.headers).status(failure.status).json({ error: { httpCode: failure.status, message: failure.message } });
  };
}
