import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompactTrace, JaegerResponse, JaegerSpan, JaegerTrace } from '@threadline/shared';
import type { V1TraceResponse } from '../../server/src/query/v1-api/v1-types.js';
import { buildGoClients, runGoClient, type GoClients } from '../support/go-clients.js';
import { goTestsEnabled, waitFor } from '../support/go-demo.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * Edge cases real Go clients hit: the OTel Go SDK's OTLP/HTTP exporter must see partial
 * success in JSON as it does in protobuf, and a zipkin-go child uploaded before its shared
 * server span must still come out under that server span.
 */

const hasGo = goTestsEnabled('Go exporter edge-case tests');

describe.skipIf(!hasGo)('real Go exporters against Threadline', () => {
  let server: TestServer;
  let bins: GoClients;
  let binDir: string;

  beforeAll(async () => {
    binDir = mkdtempSync(path.join(tmpdir(), 'threadline-go-clients-'));
    [bins, server] = await Promise.all([buildGoClients(binDir), startTestServer()]);
  });

  afterAll(async () => {
    await server?.stop();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  async function jaegerTrace(traceId: string, spans: number): Promise<JaegerTrace> {
    return waitFor(`trace ${traceId} with ${spans} spans`, 15_000, async () => {
      const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`);
      const t = status === 200 ? body.data[0] : undefined;
      return t && t.spans.length === spans ? t : undefined;
    });
  }

  for (const protocol of ['http/json', 'http/protobuf', 'grpc'] as const) {
    it(`otlptrace (${protocol}) reports the rejected span as an error and the rest is stored`, async () => {
      const endpoint = protocol === 'grpc' ? server.otlpGrpc : server.otlpHttp;
      const run = await runGoClient(bins.otlpExport, ['-protocol', protocol, '-endpoint', endpoint, '-children', '2', '-invalid']);
      expect(run.code, run.output).toBe(3);
      expect(run.output).toMatch(/export error: .*\(1 spans rejected\)/);
      expect(run.output).toMatch(/"ends-before-start" .* rejected: end time \d+ is before start time/);
      const t = await jaegerTrace(run.traceId, 3);
      expect(t.spans.map((s) => s.operationName).sort()).toEqual(['GET /checkout', 'step-0', 'step-1']);
    });
  }

  it('otlptracehttp over JSON with gzip exports a valid trace without error', async () => {
    const run = await runGoClient(bins.otlpExport, ['-protocol', 'http/json', '-gzip', '-endpoint', server.otlpHttp, '-children', '3']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('exported 4 spans');
    await jaegerTrace(run.traceId, 4);
  });

  describe('zipkin-go: a child uploaded before its shared server span', () => {
    let traceId: string;
    let output: string;

    beforeAll(async () => {
      const run = await runGoClient(bins.zipkinShared, ['-endpoint', `${server.zipkin}/api/v2/spans`]);
      expect(run.code, run.output).toBe(0);
      ({ traceId, output } = run);
    });

    const find = (t: JaegerTrace, service: string, name: string, kind?: string): JaegerSpan => {
      const found = t.spans.filter((s) => t.processes[s.processID]?.serviceName === service && s.operationName === name && (kind === undefined || s.tags.some((g) => g.key === 'span.kind' && g.value === kind)));
      if (found.length !== 1) throw new Error(`expected one ${service} ${name} ${kind ?? ''} span, found ${found.length}: ${JSON.stringify(t.spans)}`);
      return found[0]!;
    };

    it('was really sent in separate uploads, child first', () => {
      // The backend's reporter sent the child and the server span in two uploads.
      expect(output).toMatch(/^uploads 2$/m);
    });

    it('comes out under the server span in the Jaeger API (by ID and in search)', async () => {
      const t = await jaegerTrace(traceId, 4);
      const root = find(t, 'shop-frontend', 'checkout');
      const client = find(t, 'shop-frontend', 'http/get', 'client');
      const serverSpan = find(t, 'shop-backend', 'get /stock', 'server');
      const child = find(t, 'shop-backend', 'select stock');
      const parentOf = (s: JaegerSpan) => s.references.map((r) => r.spanID);
      expect(parentOf(root)).toEqual([]);
      expect(parentOf(client)).toEqual([root.spanID]);
      expect(parentOf(serverSpan)).toEqual([client.spanID]);
      expect(parentOf(child)).toEqual([serverSpan.spanID]);

      const { body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=shop-backend&lookback=1h`);
      const found = body.data.find((x) => x.traceID === traceId)!;
      expect(parentOf(find(found, 'shop-backend', 'select stock'))).toEqual([serverSpan.spanID]);
    });

    it('comes out under the server span in the v1 API the UI reads', async () => {
      await jaegerTrace(traceId, 4);
      const { status, body } = await getJson<V1TraceResponse>(`${server.http}/api/v1/traces/${traceId}`);
      expect(status).toBe(200);
      const serverSpan = body.spans.find((s) => s.serviceName === 'shop-backend' && s.kind === 2)!;
      const child = body.spans.find((s) => s.name === 'select stock')!;
      expect(child.parentSpanId).toBe(serverSpan.spanId);
      expect(serverSpan.parentSpanId).toBe(body.spans.find((s) => s.kind === 3)!.spanId);
    });

    it('comes out under the server span in the compact format, whose stream carries the fix after the spans', async () => {
      await jaegerTrace(traceId, 4);
      const { status, body } = await getJson<CompactTrace>(`${server.http}/api/v1/traces/${traceId}?format=compact`);
      expect(status).toBe(200);
      // The child was stored before its shared server span, so it was streamed with the parent it was uploaded with.
      expect(body.parentFixes).toHaveLength(1);
      const fixes = new Map(body.parentFixes);
      const parentOf = (i: number) => fixes.get(i) ?? body.spans[i]![1];
      const serverIndex = body.spans.findIndex((s) => body.resources[s[6]]!.serviceName === 'shop-backend' && s[3] === 2);
      const childIndex = body.spans.findIndex((s) => s[2] === 'select stock');
      expect(parentOf(childIndex)).toBe(body.spans[serverIndex]![0]);
    });
  });
});
