import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GO_UPLOADS } from '../../server/src/receivers/nettrace/test-support/go-payloads.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { protobufPayload, recordSpans } from '../support/otlp-payloads.js';

const INGEST_TOKEN = 'ingest-token-0123456789abcdef';
const UI_TOKEN = 'ui-token-0123456789abcdef';

const zipkinSpans = JSON.stringify([
  { traceId: '5af7183fb1d4cf5f', id: '6b221d5bc9e6496c', kind: 'SERVER', name: 'get /checkout', timestamp: 1712345678901234, duration: 21_007, localEndpoint: { serviceName: 'frontend' } },
  { traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', parentId: '6b221d5bc9e6496c', kind: 'CLIENT', name: 'get /api/cart', timestamp: 1712345678901300, duration: 18_000, localEndpoint: { serviceName: 'frontend' } },
]);

function post(url: string, body: Uint8Array | string, contentType: string, token?: string) {
  return fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: typeof body === 'string' ? body : new Uint8Array(body) });
}

/** The value of one sample in Prometheus text, e.g. `threadline_spans_accepted_total{receiver="zipkin"}`. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('ingest and UI tokens, and /metrics, on a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ ingestToken: INGEST_TOKEN, uiToken: UI_TOKEN });
  });
  afterAll(async () => server?.stop());

  const receivers = () => [
    ['OTLP/HTTP on 4318', `${server.otlpHttp}/v1/traces`, protobufPayload(recordSpans(7, 'otlp-svc')), 'application/x-protobuf'],
    ['OTLP/HTTP on 16686', `${server.http}/v1/traces`, protobufPayload(recordSpans(3, 'otlp-svc')), 'application/x-protobuf'],
    ['Zipkin on 9411', `${server.zipkin}/api/v2/spans`, zipkinSpans, 'application/json'],
    ['net/trace on 4318', `${server.otlpHttp}/v1/nettrace`, GO_UPLOADS[0]!, 'application/json'],
  ] as const;

  it('answers 401 on every HTTP receiver without the ingest token, or with the UI token', async () => {
    for (const [name, url, body, type] of receivers()) {
      const bare = await post(url, body, type);
      expect(bare.status, name).toBe(401);
      expect(bare.headers.get('www-authenticate'), name).toMatch(/^Bearer/);
      expect((await post(url, body, type, UI_TOKEN)).status, name).toBe(401);
    }
    expect(server.handle.queue.stats().acceptedSpans).toBe(0);
  });

  it('takes every receiver\'s upload with the token', async () => {
    for (const [name, url, body, type] of receivers()) {
      const res = await post(url, body, type, INGEST_TOKEN);
      expect(res.status, name).toBeLessThan(300);
    }
  });

  it('keeps the UI, query API and /metrics behind the UI token', async () => {
    expect((await fetch(`${server.http}/api/services`)).status).toBe(401);
    expect((await fetch(`${server.http}/api/services`, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } })).status).toBe(401);
    expect((await fetch(`${server.http}/metrics`)).status).toBe(401);
    const page = await fetch(`${server.http}/search`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('action="/login"');
    const services = await fetch(`${server.http}/api/services`, { headers: { authorization: `Bearer ${UI_TOKEN}` } });
    expect(((await services.json()) as { data: string[] }).data).toEqual(expect.arrayContaining(['otlp-svc', 'frontend']));
  });

  it('counts in /metrics exactly what was sent, accepted and refused', async () => {
    const res = await fetch(`${server.http}/metrics`, { headers: { authorization: `Bearer ${UI_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(sample(text, 'threadline_spans_received_total{receiver="otlp_http"}')).toBe(10);
    expect(sample(text, 'threadline_spans_accepted_total{receiver="otlp_http"}')).toBe(10);
    expect(sample(text, 'threadline_spans_received_total{receiver="zipkin"}')).toBe(2);
    expect(sample(text, 'threadline_spans_accepted_total{receiver="zipkin"}')).toBe(2);
    expect(sample(text, 'threadline_ingest_requests_rejected_total{receiver="otlp_http",reason="unauthenticated"}')).toBe(4);
    expect(sample(text, 'threadline_ingest_requests_rejected_total{receiver="zipkin",reason="unauthenticated"}')).toBe(2);
    expect(sample(text, 'threadline_ingest_requests_rejected_total{receiver="nettrace",reason="unauthenticated"}')).toBe(2);
    expect(sample(text, 'threadline_ingest_queue_spans')).toBe(0);
    // Summed in shared memory by the ingest threads (foreground-gate.test.ts checks the sums): here, that it is exposed.
    expect(text).toMatch(/^threadline_ingest_stepped_aside_seconds_total \d+(\.\d+)?(e-\d+)?$/m);
    expect(text).toMatch(/^threadline_ingest_paced_seconds_total \d+(\.\d+)?(e-\d+)?$/m);
    expect(sample(text, 'threadline_store_commit_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'threadline_db_size_bytes')).toBeGreaterThan(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(sample(text, 'threadline_open_connections{listener="http"}')).toBeGreaterThanOrEqual(1);
  });
});

describe('refusing before reading', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ maxInflightBytes: 1024 * 1024 });
  });
  afterAll(async () => server?.stop());

  it('answers 429 + Retry-After while the body is still being sent, when the memory budget is held', async () => {
    const url = new URL(`${server.otlpHttp}/v1/traces`);
    // A first upload that declares 2 MiB and sends half: it holds the budget while it trickles.
    const holder = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': 2 * 1024 * 1024 } });
    holder.on('error', () => {});
    holder.write(Buffer.alloc(1024 * 1024 + 16));
    await until(async () => (await metricValue(server, 'threadline_ingest_inflight_bytes')) > 1024 * 1024);

    // A second one that never finishes its body: the answer must not wait for it.
    const status = await new Promise<{ status: number; retryAfter: string | undefined }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-length': 1000 } }, (res) => {
        resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] });
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write(Buffer.alloc(10));
    });
    holder.destroy();
    expect(status).toEqual({ status: 429, retryAfter: '1' });
  });
});

async function metricValue(server: TestServer, series: string): Promise<number> {
  return sample(await server.handle.metrics.registry.metrics(), series);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 20));
}
