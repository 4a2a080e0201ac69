import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerSpan, JaegerTrace } from '@threadline/shared';
import { derivedSharedSpanId } from '../../server/src/receivers/zipkin/zipkin-to-spans.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';

/**
 * What zipkin-go's HTTP middleware reports for frontend → backend with its defaults:
 * 64-bit trace IDs, and the backend's server span joining (sharing) the client span's ID.
 * Each service uploads its own spans, in member order and formatting zipkin-go uses.
 */
const TRACE_ID = '5af7183fb1d4cf5f';
const PADDED_TRACE_ID = `0000000000000000${TRACE_ID}`;
const ROOT = '6b221d5bc9e6496c';
const CLIENT = '352bff9a74ca9ad2';
const DB = '1f0a6c1e2b3d4c5e';
const T0 = 1712345678901234;

const frontendSpans = [
  {
    traceId: TRACE_ID, id: CLIENT, parentId: ROOT, kind: 'CLIENT', name: 'get /api/cart', timestamp: T0 + 120, duration: 18_321,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.7' }, remoteEndpoint: { serviceName: 'backend', ipv4: '10.0.0.9', port: 9000 },
    annotations: [{ timestamp: T0 + 125, value: 'ws' }, { timestamp: T0 + 18_400, value: 'wr' }],
    tags: { 'http.method': 'GET', 'http.path': '/api/cart', 'http.status_code': '200' },
  },
  {
    traceId: TRACE_ID, id: ROOT, kind: 'SERVER', name: 'get /checkout', timestamp: T0, duration: 21_007,
    localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.7', port: 8080 }, remoteEndpoint: { ipv6: '2001:db8::1', port: 53211 },
    tags: { 'http.method': 'GET', 'http.path': '/checkout', 'http.status_code': '200' },
  },
];

const backendSpans = [
  {
    traceId: TRACE_ID, id: DB, parentId: CLIENT, name: 'select cart', timestamp: T0 + 2_000, duration: 9_999,
    localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.9' },
    tags: { 'sql.query': 'SELECT * FROM cart WHERE id = ?', error: 'deadlock detected' },
  },
  {
    traceId: TRACE_ID, id: CLIENT, parentId: ROOT, shared: true, kind: 'SERVER', name: 'get /api/cart', timestamp: T0 + 1_500, duration: 15_000,
    localEndpoint: { serviceName: 'backend', ipv4: '10.0.0.9', port: 9000 }, remoteEndpoint: { ipv4: '10.0.0.7', port: 40112 },
    tags: { 'http.method': 'GET', 'http.path': '/api/cart', 'http.status_code': '200' },
  },
];

type Encode = (json: string) => string | Uint8Array<ArrayBuffer>;

async function upload(url: string, spans: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, encode: Encode = (json) => json) {
  const res = await fetch(`${url}/api/v2/spans`, { method: 'POST', headers, body: encode(JSON.stringify(spans)) });
  return { status: res.status, text: await res.text() };
}

describe('Zipkin v2 ingest', () => {
  let server: TestServer;
  let t: JaegerTrace;
  const span = (id: string): JaegerSpan => t.spans.find((s) => s.spanID === id)!;
  const tag = (s: JaegerSpan, key: string) => s.tags.find((x) => x.key === key)?.value;

  beforeAll(async () => {
    server = await startTestServer();
    // The frontend reports to the Zipkin port, the backend to the main port (single-port setups).
    expect(await upload(server.zipkin, frontendSpans)).toEqual({ status: 202, text: '' });
    expect(await upload(server.http, backendSpans)).toEqual({ status: 202, text: '' });
    const { status, body } = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${TRACE_ID}`);
    expect(status).toBe(200);
    t = body.data[0]!;
  });
  afterAll(async () => server?.stop());

  it('lists the Zipkin listener and serves /healthz on it', async () => {
    expect(server.handle.listeners.find((l) => l.name === 'zipkin')?.url).toBe(`${server.zipkin}/api/v2/spans`);
    expect((await fetch(`${server.zipkin}/healthz`)).status).toBe(200);
  });

  it('joins both services into one tree under the padded 128-bit trace ID, the shared server span under its client', () => {
    expect(t.traceID).toBe(PADDED_TRACE_ID);
    const serverSideId = derivedSharedSpanId(PADDED_TRACE_ID, CLIENT);
    expect(t.spans.map((s) => [s.operationName, s.spanID, s.references.map((r) => r.spanID)])).toEqual([
      ['get /checkout', ROOT, []],
      ['get /api/cart', CLIENT, [ROOT]],
      ['get /api/cart', serverSideId, [CLIENT]],
      ['select cart', DB, [serverSideId]],
    ]);
    for (const s of t.spans) {
      expect(s.warnings).toBeNull();
      for (const ref of s.references) expect(ref).toMatchObject({ refType: 'CHILD_OF', traceID: PADDED_TRACE_ID });
    }
    expect(tag(span(serverSideId), 'zipkin.shared_span_id')).toBe(CLIENT);
  });

  it('keeps microsecond times, kinds, services, endpoints, tags, annotations and errors', () => {
    const root = span(ROOT);
    expect(root.startTime).toBe(T0);
    expect(root.duration).toBe(21_007);
    expect(tag(root, 'span.kind')).toBe('server');
    expect(tag(root, 'http.status_code')).toBe('200');
    expect(tag(root, 'net.host.port')).toBe(8080);
    expect(tag(root, 'net.peer.ip')).toBe('2001:db8::1');
    expect(t.processes[root.processID]).toEqual({ serviceName: 'frontend', tags: [{ key: 'host.ip', type: 'string', value: '10.0.0.7' }] });

    const client = span(CLIENT);
    expect(tag(client, 'span.kind')).toBe('client');
    expect(tag(client, 'peer.service')).toBe('backend');
    expect(client.logs.map((l) => [l.timestamp, l.fields])).toEqual([
      [T0 + 125, [{ key: 'event', type: 'string', value: 'ws' }]],
      [T0 + 18_400, [{ key: 'event', type: 'string', value: 'wr' }]],
    ]);

    const db = span(DB);
    expect(t.processes[db.processID]!.serviceName).toBe('backend');
    expect(tag(db, 'span.kind')).toBe('internal');
    expect(tag(db, 'error')).toBe(true);
    expect(tag(db, 'otel.status_description')).toBe('deadlock detected');
    expect(tag(db, 'sql.query')).toBe('SELECT * FROM cart WHERE id = ?');
  });

  it('finds the trace by service and by tag', async () => {
    const byTag = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=backend&tag=${encodeURIComponent('http.path:/api/cart')}`);
    expect(byTag.body.data.map((x) => x.traceID)).toEqual([PADDED_TRACE_ID]);
    expect((await getJson(`${server.http}/api/services`)).body.data).toEqual(expect.arrayContaining(['backend', 'frontend']));
  });

  it('accepts gzip and drops only the invalid spans of a mixed upload, saying so', async () => {
    const good = { traceId: '463ac35c9f6413ad48485a3953bb6124', id: 'a2fb4a1d1a96d312', name: 'gzip', timestamp: T0, duration: 5, localEndpoint: { serviceName: 'gz' } };
    const res = await upload(server.zipkin, [good, { ...good, id: 'not-hex' }], { 'content-type': 'application/json', 'content-encoding': 'gzip' }, (json) => new Uint8Array(gzipSync(json)));
    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toEqual({ rejectedSpans: 1, message: expect.stringMatching(/"not-hex" is not 16 hex digits/) });
    const stored = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${good.traceId}`);
    expect(stored.body.data[0]!.spans.map((s) => s.spanID)).toEqual([good.id]);
  });

  it('answers 400 with a typed error for malformed JSON and for uploads with no usable span', async () => {
    const malformed = await upload(server.zipkin, [{ traceId: TRACE_ID, id: CLIENT, timestamp: '1712345678901234' }]);
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toEqual({ error: { code: 'malformed_request', message: expect.stringMatching(/\$\[0\]\.timestamp: expected a number/) } });
    const unusable = await upload(server.http, [{ traceId: TRACE_ID, id: CLIENT }]);
    expect(unusable.status).toBe(400);
    expect(JSON.parse(unusable.text).error.code).toBe('invalid_spans');
  });

  it('answers 415 for Zipkin proto3 and 405 for GET', async () => {
    const proto = await fetch(`${server.zipkin}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0x00]) });
    expect(proto.status).toBe(415);
    expect(((await proto.json()) as { error: { message: string } }).error.message).toMatch(/proto3/);
    expect((await fetch(`${server.zipkin}/api/v2/spans`)).status).toBe(405);
  });

  it('leaves the Jaeger API on the main port untouched', async () => {
    expect((await fetch(`${server.http}/api/services`)).status).toBe(200);
  });
});
