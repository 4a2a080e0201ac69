import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest-limits.js';
import { buildSampleTraceRequest } from '../../receivers/otlp/otlp-sample-requests.js';
import { encodeExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-encoder.js';
import { prepareOtlpBatch } from './prepare-otlp-batch.js';
import { PreparePool } from './prepare-pool.js';
import { unpackBatch } from '../../store/sqlite/packed-batch.js';

const MALFORMED = 'malformed ExportTraceServiceRequest';
const errors: string[] = [];
const logger = { error: (_fields: object, msg: string) => void errors.push(msg) };
const body = (spans: number, serviceName = 'api') => encodeExportTraceRequestProto(buildSampleTraceRequest({ spans, serviceName }));

describe('PreparePool', () => {
  let pool: PreparePool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    errors.length = 0;
  });

  it('prepares bodies on its threads exactly as on this one, many at once', async () => {
    pool = new PreparePool({ size: 2, limits: DEFAULT_INGEST_LIMITS, logger });
    const bodies = Array.from({ length: 12 }, (_, i) => body(10 + i, `svc-${i}`));
    const expected = bodies.map((b) => prepareOtlpBatch(b.slice(), DEFAULT_INGEST_LIMITS, MALFORMED));
    const got = await Promise.all(bodies.map((b) => pool!.run(b, MALFORMED)));
    expect(got.map((g) => g.counts)).toEqual(expected.map((e) => e.counts));
    expect(got.map((g) => unpackBatch(g.batch!))).toEqual(expected.map((e) => e.batch!));
  });

  it('moves a body in a buffer of its own whole, even as a view past a header (as grpc-js hands messages over)', async () => {
    pool = new PreparePool({ size: 1, limits: DEFAULT_INGEST_LIMITS, logger });
    const bytes = body(100);
    const framed = new Uint8Array(bytes.length + 5);
    framed.set(bytes, 5);
    expect(framed.buffer.byteLength).toBeGreaterThan(Buffer.poolSize);
    const result = await pool.run(framed.subarray(5), MALFORMED);
    expect(result.counts.spans).toBe(100);
    expect(framed.byteLength).toBe(0);
  });

  it('copies a small body, which may be a view into the shared pool, leaving the buffer to its owner', async () => {
    pool = new PreparePool({ size: 1, limits: DEFAULT_INGEST_LIMITS, logger });
    const bytes = body(3);
    const shared = new Uint8Array(bytes.length + 16);
    shared.set(bytes, 8);
    const result = await pool.run(shared.subarray(8, 8 + bytes.length), MALFORMED);
    expect(result.counts.spans).toBe(3);
    expect(shared.byteLength).toBe(bytes.length + 16);
    expect([...shared.subarray(8, 8 + bytes.length)]).toEqual([...bytes]);
  });

  it('takes small bodies before large ones that wait', async () => {
    pool = new PreparePool({ size: 1, limits: DEFAULT_INGEST_LIMITS, logger });
    const large = body(8_000);
    expect(large.length).toBeGreaterThan(1024 * 1024);
    const done: string[] = [];
    const track = (name: string, b: Uint8Array) => pool!.run(b, MALFORMED).then(() => void done.push(name));
    // The thread holds two at a time: the third large body waits, and the small one passes it.
    await Promise.all([track('large 1', large.slice()), track('large 2', large.slice()), track('large 3', large.slice()), track('small', body(5))]);
    expect(done).toEqual(['large 1', 'large 2', 'small', 'large 3']);
  });

  it('answers a body it cannot decode with the AppError the receivers send', async () => {
    pool = new PreparePool({ size: 1, limits: { ...DEFAULT_INGEST_LIMITS, maxObjectsPerRequest: 10 }, logger });
    await expect(pool.run(Uint8Array.of(0x0a, 0xff, 0xff), MALFORMED)).rejects.toMatchObject({ status: 400, code: 'malformed_request' });
    const refused = await pool.run(body(20), MALFORMED).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ status: 413, code: 'too_many_objects' });
  });

  it('fails what a dying thread held with a retryable 503, and goes on with a new thread', async () => {
    pool = new PreparePool({ size: 1, limits: DEFAULT_INGEST_LIMITS, logger });
    await pool.run(body(2), MALFORMED);
    // The test reaches into the pool to end its thread, as a crash of the thread would.
    const { worker } = (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots[0]!;
    const held = pool.run(body(5_000), MALFORMED);
    await worker.terminate();
    await expect(held).rejects.toMatchObject({ status: 503, code: 'ingest_thread_lost', headers: { 'Retry-After': '1' } });
    expect((await pool.run(body(4), MALFORMED)).counts.spans).toBe(4);
  });

  it('finishes what it holds on close, then refuses with 503', async () => {
    pool = new PreparePool({ size: 1, limits: DEFAULT_INGEST_LIMITS, logger });
    const held = pool.run(body(300), MALFORMED);
    await pool.close();
    expect((await held).counts.spans).toBe(300);
    await expect(pool.run(body(1), MALFORMED)).rejects.toMatchObject({ status: 503, code: 'shutting_down' });
  });
});
