import { SpanKind } from '@opentelemetry/api';
import { cpuProfile, type CpuSample } from '../../support/pprof-payloads.js';
import { mutexBoundUpload } from '../../support/exectrace-payloads.js';
import { ids, OtelServices, recordSpan } from './otel-services.js';

export const PROFILED_SERVICE = 'checkout';
export const PROFILED_OPERATION = 'GET /checkout';
export const HOT_LOOP = 'main.verifyStockRecord';
export const ENCODER = 'encoding/json.Marshal';
/** The slow span's wall time spent waiting on a mutex; the rest it ran. */
export const MUTEX_SHARE = 0.78;

export interface ProfileData {
  nowMs: number;
  /** The one slow span (above p99): its samples are mostly the hot loop, and it has an execution trace. */
  slow: { traceId: string; spanId: string };
  /** The raw "execution trace" uploaded for it, to compare the download with. */
  raw: Buffer;
}

/**
 * Twenty server spans of one operation through the OTel JS SDK's protobuf exporter, one
 * 900 ms and the rest 20 ms; a CPU profile whose samples carry the spans' labels (the slow
 * one mostly in a hot loop, the fast ones in JSON encoding) and an execution-trace summary
 * of the slow one dominated by mutex wait, uploaded as clients/go/profiling does.
 */
export async function sendProfileData(otlpHttpBase: string): Promise<ProfileData> {
  const nowMs = Date.now();
  const services = new OtelServices(otlpHttpBase);
  const tracer = services.tracer({ name: PROFILED_SERVICE, host: 'co-1' });
  const spans: Array<{ traceId: string; spanId: string; slow: boolean }> = [];
  for (let i = 0; i < 20; i++) {
    const start = nowMs - 120_000 + i * 3_000;
    const slow = i === 7;
    const span = recordSpan(tracer, undefined, { name: PROFILED_OPERATION, kind: SpanKind.SERVER, start, end: start + (slow ? 900 : 20), attributes: {} });
    spans.push({ ...ids(span), slow });
  }
  await services.flush();
  await services.shutdown();

  const samples: CpuSample[] = spans.flatMap(({ traceId, spanId, slow }) => {
    const labels = { spanId, traceId, spanName: PROFILED_OPERATION };
    const handler = ['main.main', 'net/http.(*conn).serve', 'main.handleCheckout'];
    return slow
      ? [
          { stack: [...handler, HOT_LOOP], cpuNs: 400_000_000, labels },
          { stack: [...handler, ENCODER], cpuNs: 10_000_000, labels },
        ]
      : [{ stack: [...handler, ENCODER], cpuNs: 10_000_000, labels }];
  });
  const startNs = BigInt(nowMs - 130_000) * 1_000_000n;
  const profile = cpuProfile(startNs, 130_000_000_000n, samples);
  await post(`${otlpHttpBase}/v1/profiles/pprof`, profile, { 'content-type': 'application/octet-stream', 'x-service-name': PROFILED_SERVICE });

  const slow = spans.find((s) => s.slow)!;
  const raw = Buffer.from('go 1.26 trace\0\0\0 (stand-in bytes for the download test)');
  const upload = mutexBoundUpload(
    { service: PROFILED_SERVICE, traceId: slow.traceId, spanId: slow.spanId, spanName: PROFILED_OPERATION, startNs: BigInt(nowMs - 120_000 + 7 * 3_000) * 1_000_000n, durationMs: 900 },
    MUTEX_SHARE,
    raw,
  );
  await post(`${otlpHttpBase}/v1/profiles/exectrace`, JSON.stringify(upload), { 'content-type': 'application/json' });
  return { nowMs, slow: { traceId: slow.traceId, spanId: slow.spanId }, raw };
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}
