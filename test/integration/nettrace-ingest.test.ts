import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JaegerResponse, JaegerTrace, Span } from '@threadline/shared';
import type {
  V1EventLogResponse,
  V1EventLogsResponse,
  V1NettraceRequestsResponse,
  V1SearchResponse,
  V1TraceResponse,
} from '../../server/src/query/v1-api/v1-types.js';
import { GO_UPLOADS } from '../../server/src/receivers/nettrace/test-support/go-payloads.js';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { jsonPayload, recordSpans } from '../support/otlp-payloads.js';
import { storedTextContains } from '../support/stored-data.js';

const JSON_TYPE = { 'content-type': 'application/json' };

async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = JSON_TYPE) {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { acceptedRecords?: number; error?: { code: string; message: string } } };
}


let nextRecord = 0;
const newRecordId = () => `rec${(nextRecord++).toString(16).padStart(13, '0')}`;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

type WireRecord = Record<string, unknown>;

function traceRecord(fields: WireRecord = {}): WireRecord {
  return {
    type: 'trace',
    recordId: newRecordId(),
    seq: 1,
    family: 'grpc.Recv.Checkout',
    title: '/shop.Checkout/Pay',
    startTimeUnixNano: String(nowNs()),
    elapsedNano: '1500000',
    state: 'finished',
    error: false,
    maxEvents: 10,
    discardedEvents: 0,
    events: [],
    ...fields,
  };
}

const upload = (records: WireRecord[], service = 'checkout') =>
  JSON.stringify({ resource: { 'service.name': service, 'host.name': 'h1' }, records });

const event = (ns: bigint, message: string, more: WireRecord = {}) => ({ timeUnixNano: String(ns), message, sensitive: false, error: false, ...more });

/** A span of a real OTLP/JSON trace (the root of recordSpans) and the payload that carries it. */
function otlpTrace(service: string) {
  const spans = recordSpans(3, service);
  const root = spans.find((s) => s.name === 'GET /checkout')!;
  const { traceId, spanId } = root.spanContext();
  const startNs = BigInt(root.startTime[0]) * 1_000_000_000n + BigInt(root.startTime[1]);
  return { payload: jsonPayload(spans), traceId, spanId, startNs, spanCount: spans.length };
}

describe('net/trace ingest', () => {
  let server: TestServer;
  const nettraceUrl = (base = server.otlpHttp) => `${base}/v1/nettrace`;
  const jaegerTrace = async (traceId: string) => (await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces/${traceId}`)).body.data[0]!;
  const v1Trace = async (traceId: string) => (await getJson<V1TraceResponse>(`${server.http}/api/v1/traces/${traceId}`)).body;
  const sendSpans = async (payload: Uint8Array) => expect((await post(`${server.otlpHttp}/v1/traces`, payload)).status).toBe(200);
  const sendRecords = async (body: string, base?: string) => {
    const res = await post(nettraceUrl(base), body);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  describe('joining records to their spans', () => {
    it('shows a record sent after its span as Jaeger logs and v1 span events of that span', async () => {
      const t = otlpTrace('join-after');
      await sendSpans(t.payload);
      const record = traceRecord({
        traceId: t.traceId,
        spanId: t.spanId,
        events: [event(t.startNs + 1000n, 'recv: pay 12 EUR'), event(t.startNs + 2000n, 'charged', { error: true })],
      });
      expect(await sendRecords(upload([record], 'join-after'))).toEqual({ acceptedRecords: 1 });

      const jaeger = await jaegerTrace(t.traceId);
      expect(jaeger.spans).toHaveLength(t.spanCount);
      const span = jaeger.spans.find((s) => s.spanID === t.spanId)!;
      expect(span.logs).toHaveLength(2);
      expect(span.logs[0]!.timestamp).toBe(Number((t.startNs + 1000n) / 1000n));
      expect(span.logs[0]!.fields).toEqual(
        expect.arrayContaining([
          { key: 'event', type: 'string', value: 'recv: pay 12 EUR' },
          { key: 'nettrace.family', type: 'string', value: 'grpc.Recv.Checkout' },
          { key: 'nettrace.title', type: 'string', value: '/shop.Checkout/Pay' },
          { key: 'nettrace.record_id', type: 'string', value: record.recordId },
          { key: 'nettrace.sensitive', type: 'bool', value: false },
        ]),
      );
      expect(span.logs[1]!.fields).toEqual(expect.arrayContaining([{ key: 'nettrace.error', type: 'bool', value: true }]));

      const v1 = await v1Trace(t.traceId);
      const v1Span = v1.spans.find((s: Span) => s.spanId === t.spanId)!;
      expect(v1Span.events.map((e) => [e.name, e.timeUnixNano])).toEqual([
        ['recv: pay 12 EUR', String(t.startNs + 1000n)],
        ['charged', String(t.startNs + 2000n)],
      ]);
    });

    it('shows a record sent before its span under it, then in it once the span arrives; a later seq replaces it', async () => {
      const t = otlpTrace('join-before');
      const recordId = newRecordId();
      const active = traceRecord({ recordId, seq: 1, state: 'active', traceId: t.traceId, spanId: t.spanId, events: [event(t.startNs + 10n, 'started')] });
      // The main port takes net/trace uploads too.
      await sendRecords(upload([active], 'join-before'), server.http);

      const alone = await jaegerTrace(t.traceId);
      expect(alone.spans).toHaveLength(1);
      expect(alone.spans[0]!.references).toEqual([{ refType: 'CHILD_OF', traceID: t.traceId, spanID: t.spanId }]);
      expect(alone.spans[0]!.operationName).toBe('/shop.Checkout/Pay');

      await sendSpans(t.payload);
      const joined = await jaegerTrace(t.traceId);
      expect(joined.spans).toHaveLength(t.spanCount);
      expect(joined.spans.find((s) => s.spanID === t.spanId)!.logs.map((l) => l.fields[0]!.value)).toEqual(['started']);

      const finished = { ...active, seq: 2, state: 'finished', events: [event(t.startNs + 10n, 'started'), event(t.startNs + 20n, 'done')] };
      await sendRecords(upload([finished], 'join-before'));
      await sendRecords(upload([active], 'join-before'));
      const updated = await jaegerTrace(t.traceId);
      expect(updated.spans.find((s) => s.spanID === t.spanId)!.logs.map((l) => l.fields[0]!.value)).toEqual(['started', 'done']);
    });
  });

  describe('records without a span', () => {
    it('become a trace of their own, found by service, replaced by a newer seq', async () => {
      const recordId = newRecordId();
      const start = nowNs();
      const active = traceRecord({ recordId, seq: 1, state: 'active', elapsedNano: '1000000', startTimeUnixNano: String(start), events: [event(start + 5n, 'recv')] });
      await sendRecords(upload([active], 'nt-own'));
      const search = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=nt-own`);
      expect(search.body.data).toHaveLength(1);
      const [own] = search.body.data[0]!.spans;
      expect(own).toMatchObject({ operationName: '/shop.Checkout/Pay', references: [], duration: 1000 });
      expect(own!.tags).toEqual(expect.arrayContaining([{ key: 'nettrace.family', type: 'string', value: 'grpc.Recv.Checkout' }]));
      expect(search.body.data[0]!.processes[own!.processID]!.serviceName).toBe('nt-own');

      const finished = { ...active, seq: 2, state: 'finished', error: true, elapsedNano: '7000000', events: [event(start + 5n, 'recv'), event(start + 6n, 'boom', { error: true })] };
      await sendRecords(upload([finished], 'nt-own'));
      const after = await getJson<JaegerResponse<JaegerTrace[]>>(`${server.http}/api/traces?service=nt-own&tags=${encodeURIComponent('{"error":"true"}')}`);
      expect(after.body.data).toHaveLength(1);
      expect(after.body.data[0]!.spans).toHaveLength(1);
      expect(after.body.data[0]!.spans[0]!).toMatchObject({ duration: 7000 });
      expect(after.body.data[0]!.spans[0]!.logs.map((l) => l.fields[0]!.value)).toEqual(['recv', 'boom']);

      const summaries = await getJson<V1SearchResponse>(`${server.http}/api/v1/search?service=nt-own`);
      expect(summaries.body.traces).toMatchObject([{ rootService: 'nt-own', rootOperation: '/shop.Checkout/Pay', spanCount: 1, errorCount: 1, durationNano: '7000000' }]);
      const operations = await getJson<JaegerResponse<string[]>>(`${server.http}/api/services/nt-own/operations`);
      expect(operations.body.data).toEqual(['/shop.Checkout/Pay']);
    });
  });

  describe('listing', () => {
    it('lists request traces newest first, filtered', async () => {
      const start = nowNs();
      await sendRecords(
        upload(
          [
            traceRecord({ startTimeUnixNano: String(start), elapsedNano: '1000', family: 'fast' }),
            traceRecord({ startTimeUnixNano: String(start + 1n), elapsedNano: '50000000', family: 'slow', error: true, events: [event(start + 2n, 'x')] }),
            traceRecord({ startTimeUnixNano: String(start + 2n), elapsedNano: '2000000', family: 'slow' }),
          ],
          'nt-list',
        ),
      );
      const list = async (query: string) =>
        (await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?service=nt-list${query}`)).body.requests;
      expect((await list('')).map((r) => r.family)).toEqual(['slow', 'slow', 'fast']);
      expect((await list('&family=slow&minDuration=10ms')).map((r) => r.elapsedNano)).toEqual(['50000000']);
      const [failed] = await list('&errorsOnly=true');
      expect(failed).toMatchObject({
        service: 'nt-list', instance: 'h1', seq: 1, state: 'finished', error: true, joined: false, startTimeUnixNano: String(start + 1n),
        events: [{ timeUnixNano: String(start + 2n), message: 'x', sensitive: false, error: false }],
      });
      expect((await v1Trace(failed!.traceId)).spans[0]!.spanId).toBe(failed!.spanId);
      expect(await list('&limit=1')).toHaveLength(1);
      const bad = await getJson(`${server.http}/api/v1/nettrace/requests?minDuration=soon`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/minDuration/);
    });

    it('keeps event logs per family, appending deltas, and shows one log with its events', async () => {
      const recordId = newRecordId();
      const start = nowNs();
      const log = (seq: number, events: unknown[], more: WireRecord = {}) =>
        ({ type: 'eventLog', recordId, seq, family: 'conn.pool', title: 'db:5432', startTimeUnixNano: String(start), elapsedNano: String(seq * 1000), state: 'active', maxEvents: 100, events, ...more });
      await sendRecords(upload([log(1, [event(start + 1n, 'dial'), event(start + 2n, 'reset', { error: true })], { error: true })], 'nt-logs'));
      await sendRecords(upload([log(2, [event(start + 3n, 'redial')], { error: true, state: 'finished' })], 'nt-logs'));
      await sendRecords(upload([log(2, [event(start + 3n, 'redial')], { error: true, state: 'finished' })], 'nt-logs'));
      await sendRecords(upload([{ ...log(1, []), recordId: newRecordId(), family: 'worker' }], 'nt-logs'));

      const listed = await getJson<V1EventLogsResponse>(`${server.http}/api/v1/nettrace/event-logs?service=nt-logs`);
      expect(listed.body.families).toEqual([
        { service: 'nt-logs', family: 'conn.pool', logCount: 1, activeCount: 0, errorCount: 1, lastUpdateUnixNano: String(start + 2000n) },
        { service: 'nt-logs', family: 'worker', logCount: 1, activeCount: 1, errorCount: 0, lastUpdateUnixNano: String(start + 1000n) },
      ]);
      const byFamily = await getJson<V1EventLogsResponse>(`${server.http}/api/v1/nettrace/event-logs?service=nt-logs&family=conn.pool&instance=h1`);
      expect(byFamily.body.logs).toMatchObject([{ recordId, seq: 2, state: 'finished', eventCount: 3, droppedEvents: 0, discardedEvents: 0 }]);

      const one = await getJson<V1EventLogResponse>(`${server.http}/api/v1/nettrace/event-logs/${recordId}`);
      expect(one.body.log.events.map((e) => [e.message, e.error])).toEqual([
        ['dial', false],
        ['reset', true],
        ['redial', false],
      ]);
      expect((await getJson(`${server.http}/api/v1/nettrace/event-logs/${recordId}?service=other`)).status).toBe(404);
      const missing = await getJson(`${server.http}/api/v1/nettrace/event-logs/nope`);
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
    });
  });

  it('takes what the Go bridge sends (gzip) and stores it where it belongs', async () => {
    for (const body of GO_UPLOADS) {
      const res = await post(nettraceUrl(), gzipSync(body), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(res.status).toBe(200);
    }
    const requests = (await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?service=greeter`)).body.requests;
    expect(requests.map((r) => [r.family, r.joined, r.error])).toEqual([
      ['http.Server', false, false],
      ['grpc.Recv.Greeter', true, true],
    ]);
    expect(requests[1]).toMatchObject({ traceId: '00000000000000004bf92f3577b34da6', spanId: '00f067aa0ba902b7' });
    expect(requests[1]!.events.map((e) => e.message)).toEqual(['recv: name="world"', '[redacted]']);
    const logs = (await getJson<V1EventLogsResponse>(`${server.http}/api/v1/nettrace/event-logs?service=greeter`)).body.logs;
    expect(logs).toMatchObject([{ family: 'conn.pool', state: 'finished', seq: 2, eventCount: 3 }]);
    // The joined span never came: the record shows as its child in that trace.
    const stand = await jaegerTrace('00000000000000004bf92f3577b34da6');
    expect(stand.spans.map((s) => s.references[0]?.spanID)).toEqual(['00f067aa0ba902b7']);
  });

  describe('sensitive messages', () => {
    it('are stored redacted by default; the original never reaches the database', async () => {
      const secret = 'card=4111111111111111-nettrace';
      const t = otlpTrace('nt-redact');
      await sendSpans(t.payload);
      await sendRecords(
        upload([traceRecord({ traceId: t.traceId, spanId: t.spanId, events: [event(t.startNs + 1n, secret, { sensitive: true }), event(t.startNs + 2n, 'plain')] })], 'nt-redact'),
      );
      const events = (await v1Trace(t.traceId)).spans.find((s: Span) => s.spanId === t.spanId)!.events;
      expect(events.map((e) => e.name)).toEqual(['[redacted]', 'plain']);
      expect(events[0]!.attributes).toEqual(expect.arrayContaining([{ key: 'nettrace.sensitive', value: { boolValue: true } }]));
      expect(await storedTextContains(server, secret)).toBe(false);
    });

    it('are kept as sent with --keep-sensitive', async () => {
      const keeping = await startTestServer({ keepSensitive: true });
      try {
        const res = await post(`${keeping.otlpHttp}/v1/nettrace`, upload([traceRecord({ events: [event(nowNs(), 'token=abc', { sensitive: true })] })], 'nt-keep'));
        expect(res.status).toBe(200);
        const [request] = (await getJson<V1NettraceRequestsResponse>(`${keeping.http}/api/v1/nettrace/requests?service=nt-keep`)).body.requests;
        expect(request!.events).toMatchObject([{ message: 'token=abc', sensitive: true }]);
        // The check the redaction test relies on does see a stored message.
        expect(await storedTextContains(keeping, 'token=abc')).toBe(true);
      } finally {
        await keeping.stop();
      }
    });
  });

  describe('refusals', () => {
    const storedCount = async () => (await getJson<V1NettraceRequestsResponse>(`${server.http}/api/v1/nettrace/requests?service=nt-intact&limit=500`)).body.requests.length;

    beforeAll(async () => {
      await sendRecords(upload([traceRecord(), traceRecord()], 'nt-intact'));
    });

    it('answers malformed JSON with 400 naming the bad field, and keeps what was stored', async () => {
      const bad = await post(nettraceUrl(), upload([traceRecord(), traceRecord({ events: [{ timeUnixNano: 12.5 }] })], 'nt-intact'));
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'malformed_request' });
      expect(bad.body.error!.message).toContain('$.records[1].events[0].timeUnixNano');
      expect((await post(nettraceUrl(), '{"records": [')).status).toBe(400);
      expect(await storedCount()).toBe(2);
    });

    it('answers a corrupt gzip stream with 400 and an oversize body with 413', async () => {
      const corrupt = await post(nettraceUrl(), gzipSync(upload([traceRecord()], 'nt-intact')).subarray(0, 30), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(corrupt.status).toBe(400);
      const huge = upload([traceRecord({ title: 'x'.repeat(21 * 1024 * 1024) })], 'nt-intact');
      const oversize = await post(nettraceUrl(), gzipSync(huge), { ...JSON_TYPE, 'content-encoding': 'gzip' });
      expect(oversize.status).toBe(413);
      expect(oversize.body.error!.code).toBe('body_too_large');
      expect(await storedCount()).toBe(2);
    });

    it('answers other content types with 415', async () => {
      const res = await post(nettraceUrl(), upload([traceRecord()], 'nt-intact'), { 'content-type': 'text/plain' });
      expect(res.status).toBe(415);
      expect(await storedCount()).toBe(2);
    });
  });
});
