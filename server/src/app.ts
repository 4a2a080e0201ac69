import type { OtlpProtoIngest } from './ingest/otlp-prepare/otlp-proto-ingest.js';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import type { NettraceStore, SpanStore } from './store/span-store.js';
import type { IngestQueue } from './ingest/ingest-queue.js';
import { createJaegerRouter } from './query/jaeger-api/jaeger-router.js';
import { createJaegerV3Router } from './query/jaeger-api/jaeger-v3-router.js';
import { createV1Router } from './query/v1-api/v1-router.js';
import { createOtlpHttpRouter } from './receivers/otlp-http/otlp-http-router.js';
import { createZipkinRouter } from './receivers/zipkin/zipkin-router.js';
import { createNettraceRouter } from './receivers/nettrace/nettrace-router.js';
import { createProfilesRouter } from './receivers/profiles/profiles-router.js';
import type { ProfileStore } from './store/profile-store.js';
import type { NettraceWriteQueue } from './receivers/nettrace/nettrace-write-queue.js';
import { createUiRouter } from './ui-static/ui-router.js';
import { queriesInFlight } from './query/queries-in-flight.js';
import { apiCompression } from './query/api-compression.js';
import { errorMiddleware, notFoundHandler } from './error-middleware.js';
import type { IngestGate } from './ingest/ingest-gate.js';
import type { ThreadlineMetrics } from './metrics/threadline-metrics.js';
import { cors, hostCheck, originCheck, securityHeaders } from './access/http-guards.js';
import { createUiAuthRouter } from './access/ui-auth.js';

/** Who may use the HTTP listeners, and from where. */
export interface HttpAccess {
  /** '' = UI and query API open. */
  uiToken: string;
  corsOrigins: readonly string[];
  hostAllowed(hostHeader: string | undefined): boolean;
  /** Served over TLS (cookies get `Secure`). */
  secure: boolean;
}

export interface AppDeps {
  store: SpanStore;
  queue: IngestQueue;
  logger: Logger;
  uiDir: string;
  maxBodyBytes: number;
  /** net/trace records: written through nettraceQueue, read by `/api/v1/nettrace`. */
  nettraceStore: NettraceStore;
  nettraceQueue: NettraceWriteQueue;
  /** `--keep-sensitive`: store net/trace messages marked sensitive instead of redacting them. */
  keepSensitive: boolean;
  /** Token, admission and limits every receiver applies. */
  gate: IngestGate;
  /** How OTLP protobuf bodies are decoded and queued (on ingest threads for SQLite); on this thread when absent. */
  otlpIngest?: OtlpProtoIngest;
  access: HttpAccess;
  metrics?: ThreadlineMetrics;
  /** Go profiles and execution traces (`/v1/profiles/*`, `/api/v1/…/cpu`); absent for stores without them. */
  profileStore?: ProfileStore;
}

/** Routes every HTTP listener accepts for ingest; 16686 serves them too for single-port setups. */
function ingestRouter(deps: AppDeps): Router {
  const router = express.Router();
  router.use(createOtlpHttpRouter(deps));
  router.use(createZipkinRouter(deps));
  router.use(createNettraceRouter(deps));
  const { profileStore } = deps;
  if (profileStore) router.use(createProfilesRouter({ ...deps, profileStore }));
  return router;
}

function health(app: Express, deps: Pick<AppDeps, 'store' | 'queue'>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    // Not ready while writes fail (disk full): load balancers send exporters elsewhere; queries still work.
    const status = !deps.store.isReady() ? 'starting' : !deps.queue.isStoreWritable() ? 'store_unwritable' : 'ready';
    res.status(status === 'ready' ? 200 : 503).json({ status });
  });
}

/** Every listener: Host allow-list first, then the browser protections (headers, CORS, Origin). */
function baseApp(deps: Pick<AppDeps, 'access' | 'metrics'>, listener: string): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const refused = (reason: string) => deps.metrics?.accessRefused.inc({ listener, reason });
  app.use(hostCheck(deps.access.hostAllowed, refused));
  app.use(securityHeaders);
  app.use(cors(deps.access.corsOrigins));
  app.use(originCheck(deps.access.corsOrigins, refused));
  return app;
}

/** The main listener (16686): UI, query APIs, health, and the HTTP ingest routes. */
export function createApp(deps: AppDeps): Express {
  const app = baseApp(deps, 'http');
  health(app, deps);
  app.use(ingestRouter(deps));
  if (deps.access.uiToken !== '') app.use(createUiAuthRouter({ uiToken: deps.access.uiToken, secure: deps.access.secure }));
  const { metrics } = deps;
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  // Query responses only: a 10k-span trace is megabytes of repetitive JSON.
  app.use('/api', apiCompression());
  app.use('/api', queriesInFlight);
  app.use('/api/v1', createV1Router(deps.store, { logger: deps.logger, nettrace: deps.nettraceStore, ...(deps.profileStore ? { profiles: deps.profileStore } : {}) }));
  app.use('/api/v3', createJaegerV3Router(deps.store, { logger: deps.logger }));
  app.use('/api', createJaegerRouter(deps.store, { logger: deps.logger }));
  app.use(createUiRouter(deps.uiDir));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}

/** The OTLP/HTTP listener (4318): ingest routes and health only. */
export function createOtlpHttpApp(deps: AppDeps): Express {
  const app = baseApp(deps, 'otlp-http');
  health(app, deps);
  app.use(ingestRouter(deps));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}

/** The Zipkin listener (9411): Zipkin v2 ingest and health only. */
export function createZipkinApp(deps: AppDeps): Express {
  const app = baseApp(deps, 'zipkin');
  health(app, deps);
  app.use(createZipkinRouter(deps));
  app.use(notFoundHandler);
  app.use(errorMiddleware(deps.logger));
  return app;
}
