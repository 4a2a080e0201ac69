import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config, PortSetting } from './config.js';
import { createApp, createOtlpHttpApp, createZipkinApp, type AppDeps } from './app.js';
import { IngestQueue } from './ingest/ingest-queue.js';
import { IngestGate } from './ingest/ingest-gate.js';
import { InflightBudget } from './ingest/inflight-budget.js';
import { createStore, pacedSecondsOf, preparedWriterOf, profileStoreOf, sizeEvictionsOf, sizeLimitOf } from './store/create-store.js';
import { PreparePool } from './ingest/otlp-prepare/prepare-pool.js';
import { pooledOtlpIngest } from './ingest/otlp-prepare/otlp-proto-ingest.js';
import { pickIngestLimits } from './ingest/ingest-limits.js';
import { DEFAULT_RETENTION_INTERVAL_MS, DEFAULT_RETENTION_STEP_SPANS, RetentionJob, type RetentionStore } from './store/retention-job.js';
import { DEFAULT_MAX_BODY_BYTES } from './receivers/http/read-body.js';
import { NettraceWriteQueue } from './receivers/nettrace/nettrace-write-queue.js';
import { DEFAULT_MAX_GRPC_MESSAGE_BYTES, startOtlpGrpcServer } from './receivers/otlp-grpc/otlp-grpc-receiver.js';
import { defaultUiDir } from './ui-static/ui-router.js';
import { resolveTokens } from './access/token-files.js';
import { buildHostAllowlist } from './access/host-allowlist.js';
import { ThreadlineMetrics } from './metrics/threadline-metrics.js';
import { steppedAsideSeconds } from './threads/foreground-gate.js';
import { ConnectionCap, guardConnections, type ConnectionEvents } from './net/connection-guard.js';
import { rateLimitedStoreLogger } from './log/rate-limited-store-logger.js';
import { fitConnectionCap, readDescriptorLimit } from './net/descriptor-limit.js';

export interface ListenerInfo {
  name: string;
  url: string;
  port: number;
}

export interface ServerHandle {
  listeners: ListenerInfo[];
  /** Port a named listener bound ('http', 'otlp-http', …); throws when that listener is off. */
  port(name: string): number;
  queue: IngestQueue;
  /** The descriptor limit in force (undefined where it cannot be read) and the per-listener connection cap fitted to it. */
  descriptorLimit: number | undefined;
  connectionCap: number;
  metrics: ThreadlineMetrics;
  /** Stops accepting, flushes the ingest queue into the store, closes the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  uiDir?: string;
  maxBodyBytes?: number;
  maxQueuedSpans?: number;
  /** Pause between retention sweeps (default one minute); tests shorten it. */
  retentionIntervalMs?: number;
  /** Runs every store write of the ingest queue (tests: a stalled or failing store, to see backpressure). */
  aroundStoreWrite?: (write: () => Promise<void>) => Promise<void>;
}

export async function startServer(config: Config, options: StartOptions): Promise<ServerHandle> {
  const { logger } = options;
  const tokens = resolveTokens(config);
  const tls = config.tlsCert ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  const scheme = tls ? 'https' : 'http';
  const store = await createStore(config, rateLimitedStoreLogger(logger));
  let metrics!: ThreadlineMetrics;
  const queue = new IngestQueue(store, {
    maxQueuedSpans: options.maxQueuedSpans ?? 25_000,
    // An answer within a few seconds, well inside the exporters' 10 s timeout.
    maxQueueSeconds: 3,
    maxBatchSpans: 2_000,
    onCommit: (seconds) => metrics.commitSeconds.observe(seconds),
    ...(options.aroundStoreWrite ? { aroundWrite: options.aroundStoreWrite } : {}),
  });
  const preparedWriter = preparedWriterOf(store);
  const pool = preparedWriter ? new PreparePool({ size: ingestThreads(), limits: pickIngestLimits(config), logger }) : undefined;
  const budget = new InflightBudget(config.maxInflightBytes);
  metrics = new ThreadlineMetrics({
    queuedSpans: () => queue.stats().queuedSpans,
    storageBytes: () => store.getStorageBytes(),
    inflightBytes: () => budget.usedBytes,
    sizeEvictions: sizeEvictionsOf(store),
    steppedAsideSeconds: () => steppedAsideSeconds(),
    pacedSeconds: pacedSecondsOf(store),
  });
  const gate = new IngestGate({ ingestToken: tokens.ingestToken, queue, budget, limits: config, logger, metrics });
  const deps: AppDeps = {
    store,
    queue,
    logger,
    uiDir: options.uiDir ?? defaultUiDir(),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    nettraceStore: store,
    profileStore: profileStoreOf(store),
    nettraceQueue: new NettraceWriteQueue(store, { maxQueuedRecords: 20_000 }),
    keepSensitive: config.keepSensitive,
    gate,
    ...(pool && preparedWriter ? { otlpIngest: pooledOtlpIngest(pool, queue, preparedWriter) } : {}),
    access: { uiToken: tokens.uiToken, corsOrigins: config.corsOrigins, hostAllowed: buildHostAllowlist(config.host, config.allowedHosts), secure: tls !== undefined },
    metrics,
  };

  const ports = [config.httpPort, config.otlpHttpPort, config.otlpGrpcPort, config.zipkinPort];
  const descriptorLimit = readDescriptorLimit();
  const connectionCap = fitConnectionCap(config.maxConnections, ports.filter((p) => p !== 'off').length, descriptorLimit);

  const caps = { maxConnections: connectionCap, maxPerClient: config.maxConnectionsPerClient };
  const connectionEvents = (listener: string): ConnectionEvents => ({
    refused: (cap) => metrics.connectionsRefused.inc({ listener, cap }),
    evicted: () => metrics.connectionsRefused.inc({ listener, cap: 'evicted_idle' }),
    open: (delta) => metrics.openConnections.inc({ listener }, delta),
  });
  // Every listener's close, run before the queue drains so nothing new arrives meanwhile.
  const closers: Array<() => Promise<void>> = [];
  const listeners: ListenerInfo[] = [];
  const listen = async (name: string, what: string, port: PortSetting, app: Express) => {
    if (port === 'off') return;
    const server = tls ? https.createServer({ ...tls, handshakeTimeout: 10_000 }, app) : http.createServer(app);
    guardConnections(server, caps, connectionEvents(name), tls !== undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    closers.push(() => closeServer(server));
    const bound = (server.address() as AddressInfo).port;
    listeners.push({ name, url: `${scheme}://${formatHost(config.host)}:${bound}${what}`, port: bound });
  };

  try {
    await listen('http', '/', config.httpPort, createApp(deps));
    await listen('otlp-http', '/v1/traces', config.otlpHttpPort, createOtlpHttpApp(deps));
    if (config.otlpGrpcPort !== 'off') {
      const grpc = await startOtlpGrpcServer({
        queue,
        gate,
        ...(deps.otlpIngest ? { otlpIngest: deps.otlpIngest } : {}),
        tls,
        logger,
        host: config.host,
        port: config.otlpGrpcPort,
        maxMessageBytes: DEFAULT_MAX_GRPC_MESSAGE_BYTES,
        connectionCap: new ConnectionCap(caps, connectionEvents('otlp-grpc')),
      });
      closers.push(() => grpc.close());
      listeners.push({ name: 'otlp-grpc', url: `${scheme}://${formatHost(config.host)}:${grpc.port}`, port: grpc.port });
    }
    await listen('zipkin', '/api/v2/spans', config.zipkinPort, createZipkinApp(deps));
  } catch (err) {
    await Promise.all(closers.map((close) => close()));
    await pool?.close();
    await store.close();
    throw err;
  }
  const sizeLimit = sizeLimitOf(config);
  const retention = RetentionJob.start(
    countingDeletes(store, (spans) => metrics.evictedSpans.inc(spans)),
    {
      retentionNs: config.retentionNs,
      maxDbSizeBytes: sizeLimit.retentionJobBytes,
      storeLimitsSize: sizeLimit.storeLimitsSize,
      intervalMs: options.retentionIntervalMs ?? DEFAULT_RETENTION_INTERVAL_MS,
      stepSpans: DEFAULT_RETENTION_STEP_SPANS,
    },
    logger,
  );

  return {
    listeners,
    queue,
    descriptorLimit,
    connectionCap,
    metrics,
    port(name) {
      const l = listeners.find((x) => x.name === name);
      if (!l) throw new Error(`listener ${name} is not running`);
      return l.port;
    },
    async close() {
      await Promise.all(closers.map((close) => close()));
      await pool?.close();
      await retention?.close();
      await queue.drain();
      await store.close();
    },
  };
}

/** The store as retention sees it, counting the spans each delete step removed (for /metrics). */
function countingDeletes(store: RetentionStore, onDeleted: (spans: number) => void): RetentionStore {
  return {
    ...(store.deleteProfilesBefore ? { deleteProfilesBefore: store.deleteProfilesBefore.bind(store) } : {}),
    getStorageBytes: () => store.getStorageBytes(),
    deleteOldestTraces: async (maxSpans) => {
      const step = await store.deleteOldestTraces(maxSpans);
      onDeleted(step.spans);
      return step;
    },
    deleteBefore: async (cutoffNs, maxSpans) => {
      const step = await store.deleteBefore(cutoffNs, maxSpans);
      onDeleted(step.spans);
      return step;
    },
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Threads that decode OTLP: one on up to two cores, two above. One decodes ~60k spans/s,
 * about what the store's writer (one thread) indexes; a second only helps while the
 * writer has a core of its own.
 */
function ingestThreads(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}
