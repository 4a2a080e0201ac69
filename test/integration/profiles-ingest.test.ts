import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { cpuProfile } from '../support/pprof-payloads.js';
import { mutexBoundUpload } from '../support/exectrace-payloads.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROOT = '00f067aa0ba902b7';
const nowNs = BigInt(Date.now()) * 1_000_000n;

const labels = { spanId: ROOT, spanName: 'GET /checkout', traceId: TRACE };

/** One 10-second window that ended now. */
function cpuProfileNow(samples: Array<{ stack: string[]; cpuNs: number; spanId?: string }>): Uint8Array {
  return cpuProfile(
    nowNs - 10_000_000_000n,
    10_000_000_000n,
    samples.map((s) => ({ stack: s.stack, cpuNs: s.cpuNs, ...(s.spanId ? { labels } : {}) })),
  );
}

function rootSpan() {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [
          {
            spans: [
              { traceId: TRACE, spanId: ROOT, name: 'GET /checkout', kind: 2, startTimeUnixNano: String(nowNs - 5_000_000_000n), endTimeUnixNano: String(nowNs - 4_000_000_000n) },
            ],
          },
        ],
      },
    ],
  };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.otlpHttp}/v1/traces`, { method: 'POST', body: JSON.stringify(rootSpan()), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
});
afterAll(() => server?.stop());

const upload = (body: Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${server.otlpHttp}/v1/profiles/pprof`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': 'application/octet-stream', 'x-service-name': 'checkout', ...headers },
  });

describe('POST /v1/profiles/pprof', () => {
  it('stores a gzipped CPU profile (no Content-Encoding, as Go writes it) and serves the span flame graph', async () => {
    const body = gzipSync(
      cpuProfileNow([
        { stack: ['main.main', 'main.handle', 'main.hotLoop'], cpuNs: 300_000_000, spanId: ROOT },
        { stack: ['main.main', 'main.handle', 'main.hotLoop'], cpuNs: 100_000_000, spanId: ROOT },
        { stack: ['main.main', 'main.handle', 'encoding/json.Marshal'], cpuNs: 50_000_000, spanId: ROOT },
        { stack: ['runtime.gcBgMarkWorker'], cpuNs: 70_000_000 },
      ]),
    );
    const res = await upload(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ acceptedSamples: 3, kind: 'cpu' });

    const cpu = await getJson(`${server.http}/api/v1/traces/${TRACE}/spans/${ROOT}/cpu`);
    expect(cpu.status).toBe(200);
    expect(cpu.body.unit).toBe('nanoseconds');
    expect(cpu.body.total).toBe(450_000_000);
    expect(cpu.body.stacks[0]).toEqual({ frames: ['main.main', 'main.handle', 'main.hotLoop'], value: 400_000_000 });

    const markers = await getJson(`${server.http}/api/v1/traces/${TRACE}/profile-markers`);
    expect(markers.body).toEqual({ markers: [{ spanId: ROOT, cpu: true, execTrace: false }] });

    const op = await getJson(`${server.http}/api/v1/profiles/operation?service=checkout&operation=${encodeURIComponent('GET /checkout')}&start=${nowNs - 60_000_000_000n}&end=${nowNs}`);
    expect(op.body.total).toBe(450_000_000);
  });

  it('refuses bad uploads with 400/413/415 and keeps what was stored', async () => {
    expect((await upload(new Uint8Array([0x0a, 0xff, 0xff, 0xff]))).status).toBe(400);
    expect((await upload(gzipSync(Buffer.from('not a profile')).subarray(0, 10))).status).toBe(400);
    expect((await upload(cpuProfileNow([]), { 'x-service-name': '' })).status).toBe(400);
    expect((await upload(cpuProfileNow([]), { 'content-type': 'text/plain' })).status).toBe(415);
    // A gzip bomb stops at the body cap (20 MiB) after decompression.
    expect((await upload(gzipSync(Buffer.alloc(30 * 1024 * 1024)))).status).toBe(413);
    const cpu = await getJson(`${server.http}/api/v1/traces/${TRACE}/spans/${ROOT}/cpu`);
    expect(cpu.body.total).toBe(450_000_000);
  });
});

describe('POST /v1/profiles/exectrace', () => {
  const exec = (body: unknown) =>
    fetch(`${server.otlpHttp}/v1/profiles/exectrace`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const valid = mutexBoundUpload(
    { service: 'checkout', traceId: TRACE, spanId: ROOT, spanName: 'GET /checkout', startNs: nowNs - 5_000_000_000n, durationMs: 1_000 },
    0.9,
    Buffer.from('go 1.26 trace\0\0\0'),
  );
  const { summary } = valid;

  it('stores the summary and the raw trace, served back byte for byte', async () => {
    expect((await exec(valid)).status).toBe(200);
    const info = await getJson(`${server.http}/api/v1/traces/${TRACE}/spans/${ROOT}/exectrace`);
    expect(info.body.summary).toEqual(summary);
    expect(info.body.hasRawTrace).toBe(true);
    const raw = await fetch(`${server.http}/api/v1/traces/${TRACE}/spans/${ROOT}/exectrace/raw`);
    expect(raw.headers.get('content-disposition')).toContain('attachment');
    expect(Buffer.from(await raw.arrayBuffer()).toString()).toBe('go 1.26 trace\0\0\0');
    const markers = await getJson(`${server.http}/api/v1/traces/${TRACE}/profile-markers`);
    expect(markers.body.markers).toEqual([{ spanId: ROOT, cpu: true, execTrace: true }]);
  });

  it('refuses malformed uploads with 400 naming the field, and an unknown span with 404', async () => {
    const res = await exec({ ...valid, spanId: 'zz', spanName: '<script>' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('spanId');
    expect((await exec({ ...valid, summary: { ...summary, states: 'x' } })).status).toBe(400);
    expect((await getJson(`${server.http}/api/v1/traces/${TRACE}/spans/1111111111111111/exectrace`)).status).toBe(404);
    const info = await getJson(`${server.http}/api/v1/traces/${TRACE}/spans/${ROOT}/exectrace`);
    expect(info.body.summary).toEqual(summary);
  });
});
