import express, { type ErrorRequestHandler, type Router } from 'express';
import type { JaegerDependency, JaegerError, JaegerOperation, JaegerResponse } from '@threadline/shared';
import { badRequest, notFound } from '../../app-error.js';
import type { SpanKindName, SpanStore } from '../../store/span-store.js';
import { parseSpanKindParam, parseTraceIdParam, searchParamsOf } from '../param-parsing.js';
import { cutIfAnswerBegan, type ErrorLogger, loggerOf, type QueryRouterOptions, systemNow, toHttpFailure } from '../query-router-options.js';
import { parseJaegerDependencyQuery, parseJaegerTraceSearch } from './jaeger-params.js';
import { jsonListText, readInOrder, sendJsonPieces } from '../trace-list-text.js';
import { JaegerTraceWriter, jaegerTraceBytes } from './jaeger-trace-bytes.js';

/** Jaeger's message for a missing trace; the Jaeger UI and Grafana show it as is. */
const TRACE_NOT_FOUND = 'trace not found';

/**
 * Jaeger's HTTP query API (mounted at `/api`), close enough to the real query service
 * that Grafana's Jaeger data source and the Jaeger UI work against it unchanged.
 * Mount it after `/api/v1`: its catch-all answers every other path under `/api`.
 */
export function createJaegerRouter(store: SpanStore, options: QueryRouterOptions = {}): Router {
  const now = options.now ?? systemNow;
  const router = express.Router();

  router.get('/services', async (_req, res) => {
    const services = await store.getServices();
    res.json(envelope(services, services.length));
  });

  // The legacy form the Jaeger UI and Grafana call: names only, every span kind. Jaeger
  // answers `data: null` for a service it does not know (a Go nil slice); so do we.
  router.get('/services/:service/operations', async (req, res) => {
    const operations = await store.getOperations(req.params.service);
    const names = [...new Set(operations.map((op) => op.name))];
    res.json(envelope(names.length > 0 ? names : null, names.length));
  });

  router.get('/operations', async (req, res) => {
    const params = searchParamsOf(req);
    const service = params.get('service');
    if (!service) throw badRequest("parameter 'service' is required");
    const operations = await store.getOperations(service, parseSpanKindParam(params));
    const data: JaegerOperation[] = operations.map((op) => ({ name: op.name, spanKind: toJaegerSpanKind(op.spanKind) }));
    res.json(envelope(data, data.length));
  });

  router.get('/traces', async (req, res) => {
    const { traceIds, query } = parseJaegerTraceSearch(searchParamsOf(req), now());
    const ids = traceIds.length > 0 ? traceIds : await store.findTraceIds(query);
    const found = new Set<string>();
    // One writer for the answer: an attribute met in one trace is known in the next.
    const writer = new JaegerTraceWriter();
    async function* jaegerTraces(): AsyncGenerator<Buffer> {
      for await (const { traceId, value } of readInOrder(ids, (id) => jaegerTraceBytes(store, id, writer))) {
        found.add(traceId);
        yield value;
      }
    }
    // As in Jaeger: asked by ID, each missing trace is reported in `errors`.
    const missing = (): JaegerError[] | null => {
      const errors = traceIds.filter((id) => !found.has(id)).map((id) => ({ code: 404, msg: TRACE_NOT_FOUND, traceID: id }));
      return errors.length > 0 ? errors : null;
    };
    // The text res.json(envelope(traces)) would send, written a trace at a time (trace-list-text.ts).
    const tail = () => `]${envelopeTail(missing())}`;
    await sendJsonPieces(res, jsonListText('{"data":[', jaegerTraces(), tail));
  });

  router.get('/traces/:traceId', async (req, res) => {
    const traceId = parseTraceIdParam(req.params.traceId);
    const trace = await jaegerTraceBytes(store, traceId);
    if (trace === undefined) throw notFound(TRACE_NOT_FOUND, 'trace_not_found');
    // res.json(envelope([trace])), with the trace's text as it is.
    res.type('json').send(Buffer.concat([Buffer.from('{"data":['), trace, Buffer.from(`]${ENVELOPE_TAIL}`)]));
  });

  router.get('/dependencies', async (req, res) => {
    const { startNs, endNs, service } = parseJaegerDependencyQuery(searchParamsOf(req), now());
    const links = await store.getDependencies(startNs, endNs);
    res.json(envelope(mergeDependencies(links, service)));
  });

  router.use((req, _res, next) => {
    next(notFound(`no Jaeger API endpoint ${req.method} ${req.baseUrl}${req.path}`));
  });
  router.use(jaegerErrorHandler(loggerOf(options)));
  return router;
}

/** Jaeger names an unspecified kind with the empty string (its model's kind tag is absent). */
export function toJaegerSpanKind(kind: SpanKindName): string {
  return kind === 'unspecified' ? '' : kind;
}

/** Jaeger's `structuredResponse`: `total` is only filled for lists of names, as Jaeger does. */
function envelope<T>(data: T, total = 0): JaegerResponse<T> {
  return { data, total, limit: 0, offset: 0, errors: null };
}

/** What follows `data` in the envelope's text: `,"total":0,…,"errors":…}`. */
function envelopeTail(errors: JaegerError[] | null): string {
  return JSON.stringify({ ...envelope(undefined), errors }).replace(/^\{/, ',');
}

const ENVELOPE_TAIL = envelopeTail(null);

/** Jaeger filters to edges touching `service` and sums duplicate parent→child edges. */
function mergeDependencies(links: readonly JaegerDependency[], service: string | undefined): JaegerDependency[] {
  const merged = new Map<string, JaegerDependency>();
  for (const link of links) {
    if (service !== undefined && link.parent !== service && link.child !== service) continue;
    const key = JSON.stringify([link.parent, link.child]);
    const existing = merged.get(key);
    if (existing) existing.callCount += link.callCount;
    else merged.set(key, { ...link });
  }
  return [...merged.values()];
}

function jaegerErrorHandler(logger: ErrorLogger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const failure = toHttpFailure(err, logger);
    if (cutIfAnswerBegan(res)) return;
    const body: JaegerResponse<null> = {
      ...envelope(null),
      errors: [{ code: failure.status, msg: failure.message }],
    };
    res.set(failure.headers).status(failure.status).json(body);
  };
}
