import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { InstrumentationScope, Resource, Span } from '@threadline/shared';
import { defaultConfig, type Config } from '../../server/src/config.js';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import type { OtlpSpan, OtlpTraceRequest } from '../../server/src/receivers/otlp/otlp-types.js';
import { startServer } from '../../server/src/server.js';
import { buildFleet, TraceGenerator } from './go-fleet-generator.js';
import { summarize, type Timing } from './timing.js';

/**
 * OTLP/HTTP protobuf ingest rate: batches of 512 spans of one process each (what Go's
 * BatchSpanProcessor sends), encoded up front by our encoder, POSTed by a few concurrent
 * clients to a server on a fresh database. A request is done when acked, i.e. after its
 * spans were committed. 429/503 are retried after a pause, as the Go exporter does.
 */

const BATCH_SPANS = 512;
const RETRY_PAUSE_MS = 50;

export interface IngestResult {
  spans: number;
  requests: number;
  clients: number;
  payloadBytes: number;
  seconds: number;
  spansPerSecond: number;
  retries: number;
  request: Timing;
}

function toOtlpSpan(s: Span): OtlpSpan {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState,
    parentSpanId: s.parentSpanId,
    flags: s.flags,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events,
    droppedEventsCount: s.droppedEventsCount,
    links: s.links,
    droppedLinksCount: s.droppedLinksCount,
    status: s.status,
  };
}

function toRequest(resource: Resource, spans: readonly Span[]): OtlpTraceRequest {
  const byScope = new Map<InstrumentationScope, OtlpSpan[]>();
  for (const s of spans) {
    const list = byScope.get(s.scope) ?? [];
    list.push(toOtlpSpan(s));
    byScope.set(s.scope, list);
  }
  return {
    resourceSpans: [{ resource, scopeSpans: [...byScope].map(([scope, list]) => ({ scope, spans: list, schemaUrl: '' })), schemaUrl: '' }],
  };
}

/**
 * Protobuf payloads of `BATCH_SPANS` spans per process with recent timestamps, at least
 * `total` spans in all (whole traces, so a few more).
 */
function buildPayloads(total: number, seed: number): { payloads: Uint8Array[]; spans: number } {
  const generator = new TraceGenerator(buildFleet(seed), seed + 7);
  const pending = new Map<Resource, Span[]>();
  const payloads: Uint8Array[] = [];
  const startNs = BigInt(Date.now()) * 1_000_000n;
  let made = 0;
  while (made < total) {
    for (const span of generator.next(startNs + BigInt(made) * 100_000n)) {
      const list = pending.get(span.resource) ?? [];
      list.push(span);
      pending.set(span.resource, list);
      if (list.length === BATCH_SPANS) {
        payloads.push(encodeExportTraceRequestProto(toRequest(span.resource, list)));
        pending.delete(span.resource);
      }
      made++;
    }
  }
  for (const [resource, list] of pending) payloads.push(encodeExportTraceRequestProto(toRequest(resource, list)));
  return { payloads, spans: made };
}

export async function measureIngest(
  total: number,
  clients: number,
  seed: number,
  log: (line: string) => void,
): Promise<IngestResult> {
  const { payloads, spans } = buildPayloads(total, seed);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-ingest-'));
  const config: Config = {
    ...defaultConfig(),
    db: path.join(dir, 'ingest.db'),
    httpPort: 'off',
    otlpHttpPort: 0,
    otlpGrpcPort: 'off',
    zipkinPort: 'off',
    retentionNs: 0n,
    logLevel: 'silent',
  };
  const server = await startServer(config, { logger: pino({ level: 'silent' }) });
  const url = `http://127.0.0.1:${server.port('otlp-http')}/v1/traces`;
  const latencies: number[] = [];
  let next = 0;
  let retries = 0;
  const client = async () => {
    for (let i = next++; i < payloads.length; i = next++) {
      const sent = performance.now();
      for (;;) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(payloads[i]!) });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status !== 429 && res.status !== 503) throw new Error(`ingest answered ${res.status}`);
        retries++;
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
      }
      latencies.push(performance.now() - sent);
    }
  };
  try {
    const started = performance.now();
    await Promise.all(Array.from({ length: clients }, client));
    const seconds = (performance.now() - started) / 1000;
    const result: IngestResult = {
      spans,
      requests: payloads.length,
      clients,
      payloadBytes: payloads.reduce((n, p) => n + p.length, 0),
      seconds,
      spansPerSecond: spans / seconds,
      retries,
      request: summarize(latencies),
    };
    log(`  ${spans.toLocaleString('en-US')} spans in ${payloads.length} requests: ${Math.round(result.spansPerSecond).toLocaleString('en-US')} spans/s`);
    return result;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
