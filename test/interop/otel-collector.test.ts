import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import type { StartOptions } from '../../server/src/server.js';
import { makeSpan } from '../../server/src/test-support/span-factory.js';
import { collectorBinary } from '../support/cached-tools.js';
import { buildGoClients, runGoClient, type GoClients } from '../support/go-clients.js';
import { goTestsEnabled, waitFor } from '../support/go-demo.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { startCollector, type CollectorExporter, type RunningCollector } from '../support/otel-collector.js';
import { expectWholeSenderTrace, waitForSenderTrace } from '../support/sender-trace.js';

/**
 * A Go service (OTel Go SDK) → the OpenTelemetry Collector v0.165.0 (built from the Go
 * module proxy by scripts/build-otelcol.mjs) → Threadline, over the collector's OTLP gRPC
 * and OTLP HTTP exporters with gzip, and through the collector's retry when Threadline
 * pushes back (429 / 503 with Retry-After, gRPC UNAVAILABLE with RetryInfo).
 */

const hasGo = goTestsEnabled('OpenTelemetry Collector interop tests');
const CHILDREN = 3;

describe.skipIf(!hasGo)('Go service → OpenTelemetry Collector → Threadline', () => {
  let collectorBin: string;
  let bins: GoClients;
  let binDir: string;
  let server: TestServer | undefined;
  let collector: RunningCollector | undefined;

  beforeAll(async () => {
    binDir = mkdtempSync(path.join(tmpdir(), 'threadline-collector-test-'));
    [collectorBin, bins] = await Promise.all([collectorBinary(), buildGoClients(binDir)]);
  }, 600_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail' && collector) console.error(`collector output:\n${collector.process.output()}`);
    await collector?.stop();
    await server?.stop();
    collector = server = undefined;
  });

  afterAll(() => {
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  async function pipeline(exporter: (tl: TestServer) => CollectorExporter, options: Partial<StartOptions> = {}): Promise<{ tl: TestServer; col: RunningCollector }> {
    server = await startTestServer({}, options);
    collector = await startCollector(collectorBin, exporter(server));
    return { tl: server, col: collector };
  }

  /** The Go sender exports to the collector, which acknowledges at once and forwards. */
  async function send(col: RunningCollector, service: string, protocol: 'grpc' | 'http/protobuf' | 'http/json', gzip: boolean) {
    const args = ['-protocol', protocol, '-endpoint', protocol === 'grpc' ? col.grpc : col.http, '-service', service, '-children', String(CHILDREN)];
    const run = await runGoClient(bins.otlpExport, gzip ? [...args, '-gzip'] : args);
    expect(run.code, run.output).toBe(0);
    return { traceId: run.traceId, service, children: CHILDREN };
  }

  const grpcExporter = (tl: TestServer): CollectorExporter => ({ type: 'otlp_grpc', endpoint: tl.otlpGrpc });
  const httpExporter = (encoding: 'proto' | 'json') => (tl: TestServer): CollectorExporter => ({ type: 'otlp_http', endpoint: tl.otlpHttp, encoding });

  it('otlp_grpc exporter (gzip): a trace sent over OTLP/gRPC with gzip arrives whole', async () => {
    const { tl, col } = await pipeline(grpcExporter);
    const sent = await send(col, 'via-grpc', 'grpc', true);
    expectWholeSenderTrace(await waitForSenderTrace(tl.http, sent), sent);
  });

  it('otlp_http exporter (gzip, protobuf): a trace sent over OTLP/HTTP arrives whole', async () => {
    const { tl, col } = await pipeline(httpExporter('proto'));
    const sent = await send(col, 'via-http-proto', 'http/protobuf', false);
    expectWholeSenderTrace(await waitForSenderTrace(tl.http, sent), sent);
  });

  it('otlp_http exporter (gzip, JSON): a trace sent over OTLP/HTTP JSON with gzip arrives whole', async () => {
    const { tl, col } = await pipeline(httpExporter('json'));
    const sent = await send(col, 'via-http-json', 'http/json', true);
    expectWholeSenderTrace(await waitForSenderTrace(tl.http, sent), sent);
  });

  /** Writes wait until `open()`; a span submitted meanwhile keeps the (1-span) queue full. */
  function stalledStore() {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const aroundStoreWrite = async (write: () => Promise<void>) => {
      await opened;
      return write();
    };
    return { open, options: { maxQueuedSpans: 1, aroundStoreWrite } };
  }

  for (const [label, exporter] of [
    ['otlp_http: 429 + Retry-After', httpExporter('proto')],
    ['otlp_grpc: UNAVAILABLE + RetryInfo', grpcExporter],
  ] as const) {
    it(`${label} while Threadline's queue is full: the collector retries and the trace arrives whole`, async () => {
      const stalled = stalledStore();
      const { tl, col } = await pipeline(exporter, stalled.options);
      const blocker: Span = makeSpan();
      const blocked = tl.handle.queue.submit([blocker]);
      const sent = await send(col, 'retried-queue-full', 'grpc', false);
      // The collector's first attempt is refused (queue full, before its body is read); only then does the store move.
      const refusals = async () => (await tl.handle.metrics.requestsRejected.get()).values.reduce((n, v) => n + v.value, 0);
      await waitFor('a refused export', 20_000, async () => ((await refusals()) >= 1 ? true : undefined));
      stalled.open();
      await blocked;
      expectWholeSenderTrace(await waitForSenderTrace(tl.http, sent), sent);
      expect(tl.handle.queue.stats().writtenSpans).toBe(CHILDREN + 2);
    });
  }

  it('otlp_http: 503 + Retry-After when a store write fails: the collector retries and the trace arrives whole', async () => {
    let failures = 0;
    const aroundStoreWrite = async (write: () => Promise<void>) => {
      if (failures++ === 0) throw new Error('disk I/O error');
      return write();
    };
    const { tl, col } = await pipeline(httpExporter('proto'), { aroundStoreWrite });
    const sent = await send(col, 'retried-store-failure', 'http/protobuf', true);
    expectWholeSenderTrace(await waitForSenderTrace(tl.http, sent), sent);
    expect(tl.handle.queue.stats()).toMatchObject({ failedBatches: 1, writtenSpans: CHILDREN + 1 });
  });
});
