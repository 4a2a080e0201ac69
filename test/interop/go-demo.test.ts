import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JaegerDependency, JaegerResponse, JaegerSpan, JaegerTag, JaegerTrace } from '@threadline/shared';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import type { V1EventLogResponse, V1EventLogsResponse, V1NettraceRequestsResponse } from '../../server/src/query/v1-api/v1-types.js';
import { buildGoDemo, goTestsEnabled, runLoadgen, startGoDemo, waitFor, type GoDemo, type GoDemoBinaries, type LoadgenRequest } from '../support/go-demo.js';

/**
 * The real Go demo (examples/go-demo) against an in-process Threadline: frontend exports
 * OTLP/HTTP, orders OTLP/gRPC, inventory Zipkin v2, and all three send net/trace records
 * to /v1/nettrace. One checkout must come back as one trace across the three processes,
 * with the net/trace events on the spans they were recorded in.
 */

const hasGo = goTestsEnabled('Go demo interop tests');

const tagValue = (tags: JaegerTag[], key: string) => tags.find((t) => t.key === key)?.value;
const kindOf = (s: JaegerSpan) => tagValue(s.tags, 'span.kind');
const isError = (s: JaegerSpan) => tagValue(s.tags, 'error') === true;

/** frontend server → frontend client → orders server → orders client → inventory server */
const CHAIN = [
  ['frontend', 'server'],
  ['frontend', 'client'],
  ['orders', 'server'],
  ['orders', 'client'],
  ['inventory', 'server'],
] as const;

/** net/trace family of each service's per-request trace, recorded in its server span. */
const FAMILY: Record<string, string> = { frontend: 'http.Frontend', orders: 'grpc.Recv.Orders', inventory: 'http.Inventory' };

function serviceOf(t: JaegerTrace, s: JaegerSpan): string {
  return t.processes[s.processID]?.serviceName ?? `<no process ${s.processID}>`;
}

/** The spans of one checkout in CHAIN order; throws when one is missing or doubled. */
function chainOf(t: JaegerTrace): JaegerSpan[] {
  return CHAIN.map(([service, kind]) => {
    const found = t.spans.filter((s) => serviceOf(t, s) === service && kindOf(s) === kind);
    if (found.length !== 1) throw new Error(`expected one ${service} ${kind} span in ${t.traceID}, found ${found.length}`);
    return found[0]!;
  });
}

/**
 * All five spans are in, and nothing else: a net/trace record that arrives before the
 * span it names is shown as a span of its own until that span comes.
 */
function isComplete(t: JaegerTrace | undefined): t is JaegerTrace {
  if (!t || t.spans.length !== CHAIN.length) return false;
  try {
    chainOf(t);
    return true;
  } catch {
    return false;
  }
}

function nettraceFamilies(s: JaegerSpan): string[] {
  return s.logs.flatMap((l) => l.fields.filter((f) => f.key === 'nettrace.family').map((f) => String(f.value)));
}

describe.skipIf(!hasGo)('Go demo: frontend (OTLP/HTTP) → orders (OTLP/gRPC) → inventory (Zipkin) + net/trace', () => {
  let server: TestServer;
  let demo: GoDemo | undefined;
  let bins: GoDemoBinaries;
  let binDir: string;
  let requests: LoadgenRequest[] = [];
  const traces = new Map<string, JaegerTrace>();

  beforeAll(async () => {
    binDir = mkdtempSync(path.join(tmpdir(), 'threadline-go-demo-'));
    [bins, server] = await Promise.all([buildGoDemo(binDir), startTestServer()]);
    demo = await startGoDemo(bins, { otlpHttp: server.otlpHttp, otlpGrpc: server.otlpGrpc, zipkin: server.zipkin });
    // Six requests cycle through book, pen, lamp, book, pen, broken.
    const load = await runLoadgen(bins.loadgen, demo.frontend, ['-n', '6', '-rate', '20']);
    if (load.code !== 0 || load.requests.length !== 6) throw new Error(`loadgen failed (${load.code}):\n${load.output}\n${demo.output()}`);
    requests = load.requests;
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (demo) console.error(`Go demo output:\n${demo.output()}`);
    });
  });

  afterAll(async () => {
    await demo?.stop();
    await server?.stop();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  /** The trace once all five spans are in (spans arrive from three exporters at their own pace). */
  async function completeTrace(traceId: string): Promise<JaegerTrace> {
    const cached = traces.get(traceId);
    if (cached) return cached;
    const t = await waitFor(`trace ${traceId} to have its five spans`, 20_000, async () => {
      const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);
      const t = status === 200 ? body.data[0] : undefined;
      return isComplete(t) ? t : undefined;
    });
    traces.set(traceId, t);
    return t;
  }

  it('loadgen got a trace ID for every request, and a 502 for item=broken only', () => {
    expect(requests.map((r) => [new URL(r.url).searchParams.get('item'), r.status])).toEqual([
      ['book', 200], ['pen', 200], ['lamp', 200], ['book', 200], ['pen', 200], ['broken', 502],
    ]);
    expect(new Set(requests.map((r) => r.traceId)).size).toBe(6);
  });

  it('stores one trace per request with spans of all three services', async () => {
    for (const { traceId } of requests) {
      const t = await completeTrace(traceId);
      expect(t.traceID).toBe(traceId);
      expect(t.spans).toHaveLength(CHAIN.length);
      expect(t.spans.every((s) => s.traceID === traceId)).toBe(true);
      expect(Object.values(t.processes).map((p) => p.serviceName).sort()).toEqual(['frontend', 'inventory', 'orders']);
    }
  });

  it('links the spans parent to child across the three processes', async () => {
    for (const { traceId } of requests) {
      const t = await completeTrace(traceId);
      const chain = chainOf(t);
      expect(chain[0]!.references).toEqual([]);
      for (let i = 1; i < chain.length; i++) {
        expect(chain[i]!.references, `${CHAIN[i]!.join(' ')} span of ${traceId}`).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: chain[i - 1]!.spanID }]);
      }
      // A child starts within its parent (same host, so no clock skew to excuse).
      for (let i = 1; i < chain.length; i++) expect(chain[i]!.startTime).toBeGreaterThanOrEqual(chain[i - 1]!.startTime);
    }
  });

  it('makes every trace one tree although its spans came over OTLP/HTTP, OTLP/gRPC and Zipkin', async () => {
    for (const { traceId } of requests) {
      const t = await completeTrace(traceId);
      const ids = new Set(t.spans.map((s) => s.spanID));
      expect(ids.size).toBe(t.spans.length);
      expect(t.spans.filter((s) => s.references.length === 0)).toHaveLength(1);
      for (const s of t.spans) for (const r of s.references) expect(ids.has(r.spanID), `parent ${r.spanID} of ${s.spanID}`).toBe(true);
      expect(t.spans.every((s) => s.warnings === null)).toBe(true);
    }
  });

  it('marks the broken checkout as an error in every service, and only that one', async () => {
    for (const { traceId, url } of requests) {
      const chain = chainOf(await completeTrace(traceId));
      const broken = new URL(url).searchParams.get('item') === 'broken';
      expect(chain.map(isError), `error tags of ${url}`).toEqual(chain.map(() => broken));
      if (!broken) continue;
      expect(tagValue(chain[0]!.tags, 'http.response.status_code')).toBe(502);
      expect(String(tagValue(chain[2]!.tags, 'otel.status_description'))).toContain('stock record is corrupt');
      expect(String(tagValue(chain[4]!.tags, 'http.response.status_code'))).toBe('500');
    }
  });

  it('attaches each service’s net/trace events to its server span, with sensitive messages redacted', async () => {
    for (const { traceId } of requests) {
      // net/trace records are sent every 2 s, independently of the spans.
      const t = await waitFor(`net/trace events in trace ${traceId}`, 20_000, async () => {
        const { body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);
        const t = body.data?.[0];
        return isComplete(t) && chainOf(t).every((s) => kindOf(s) !== 'server' || nettraceFamilies(s).length > 0) ? t : undefined;
      });
      const chain = chainOf(t);
      for (const [i, [service, kind]] of CHAIN.entries()) {
        const families = new Set(nettraceFamilies(chain[i]!));
        expect([...families], `${service} ${kind} span of ${traceId}`).toEqual(kind === 'server' ? [FAMILY[service]] : []);
        if (kind !== 'server') continue;
        // Each service logs the customer ID as a sensitive event.
        const sensitive = chain[i]!.logs.filter((l) => l.fields.some((f) => f.key === 'nettrace.sensitive' && f.value === true));
        expect(sensitive.length, `sensitive events of the ${service} span`).toBeGreaterThan(0);
      }
      const messages = t.spans.flatMap((s) => s.logs.flatMap((l) => l.fields.map((f) => String(f.value))));
      expect(messages.filter((m) => m.includes('customer=c-'))).toEqual([]);
    }
  });

  it('lists the request records in the v1 API, each joined to its service’s server span, errors marked', async () => {
    for (const [service, family] of Object.entries(FAMILY)) {
      const body = await waitFor(`${family} records of every request`, 20_000, async () => {
        const { status, body } = await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?service=${service}&family=${family}&limit=100`);
        expect(status).toBe(200);
        return requests.every(({ traceId }) => body.requests.some((r) => r.traceId === traceId)) ? body : undefined;
      });
      for (const { traceId, url } of requests) {
        const t = await completeTrace(traceId);
        const serverSpan = chainOf(t).find((s) => serviceOf(t, s) === service && kindOf(s) === 'server')!;
        const records = body.requests.filter((r) => r.traceId === traceId);
        expect(records.map((r) => [r.spanId, r.joined, r.state, r.error]), `${family} record of ${url}`).toEqual([
          [serverSpan.spanID, true, 'finished', new URL(url).searchParams.get('item') === 'broken'],
        ]);
        const sensitive = records[0]!.events.filter((e) => e.sensitive);
        expect(sensitive.length).toBeGreaterThan(0);
        expect(sensitive.filter((e) => e.message.includes('customer='))).toEqual([]);
      }
    }
  });

  it('keeps orders’ event log, with the failed order as an error event', async () => {
    // Event logs report their new events every 2 s.
    const log = await waitFor('orders.Book to report the failed order', 20_000, async () => {
      const { body } = await getJson<V1EventLogsResponse>(`${server.http}/api/v1/nettrace/event-logs?service=orders`);
      const summary = body.logs.find((l) => l.family === 'orders.Book');
      if (!summary) return undefined;
      const { status, body: one } = await getJson<V1EventLogResponse>(`${server.http}/api/v1/nettrace/event-logs/${summary.recordId}?service=orders`);
      return status === 200 && one.log.events.some((e) => e.error) ? { families: body.families, log: one.log } : undefined;
    });
    expect(log.families).toEqual(expect.arrayContaining([expect.objectContaining({ service: 'orders', family: 'orders.Book', logCount: 1 })]));
    expect(log.log).toMatchObject({ service: 'orders', family: 'orders.Book', title: 'order book', state: 'active' });
    expect(log.log.events.filter((e) => e.error).map((e) => e.message)).toEqual([expect.stringContaining('order for "broken" failed')]);
  });

  it('draws frontend → orders → inventory in the dependency graph', async () => {
    const { body } = await getJson<JaegerResponse<JaegerDependency[]>>(`${server.http}/api/dependencies?endTs=${Date.now() + 60_000}&lookback=3600000`);
    expect(body.data).toEqual(expect.arrayContaining([
      { parent: 'frontend', child: 'orders', callCount: 6 },
      { parent: 'orders', child: 'inventory', callCount: 6 },
    ]));
  });

  it('keeps /debug/requests and /debug/events working in the services (x/net/trace underneath)', async () => {
    const pages: Array<[string, string]> = [
      [`${demo!.frontend}/debug/requests`, FAMILY.frontend!],
      [`${demo!.ordersDebug}/debug/requests`, FAMILY.orders!],
      [`${demo!.inventory}/debug/requests`, FAMILY.inventory!],
      [`${demo!.ordersDebug}/debug/events`, 'orders.Book'],
    ];
    for (const [url, family] of pages) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).toContain(family);
    }
  });
});
