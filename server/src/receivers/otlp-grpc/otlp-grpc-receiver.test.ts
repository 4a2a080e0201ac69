import { Client, Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestGate } from '../../ingest/ingest-gate.js';
import { InflightBudget } from '../../ingest/inflight-budget.js';
import { DEFAULT_INGEST_LIMITS } from '../../ingest/ingest-limits.js';
import type { Span } from '@threadline/shared';
import { IngestRejectedError } from '../../ingest/ingest-queue.js';
import { encodeExportTraceRequestProto } from '../otlp/otlp-proto-encoder.js';
import { ProtobufReader } from '../otlp/protobuf-reader.js';
import type { OtlpTraceRequest } from '../otlp/otlp-types.js';
import { startOtlpGrpcServer, type OtlpGrpcHandle } from './otlp-grpc-receiver.js';
import { TRACE_SERVICE_EXPORT_PATH } from './trace-service-definition.js';

const logger = pino({ level: 'silent' });

/** A budget another request already holds in full. */
function spentBudget(): InflightBudget {
  const budget = new InflightBudget(1000);
  budget.reserve().grow(1000);
  return budget;
}

function request(spanIds: string[]): Uint8Array {
  const req: OtlpTraceRequest = {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeSpans: [{
        scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
        schemaUrl: '',
        spans: spanIds.map((spanId) => ({
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId, parentSpanId: '', traceState: '', flags: 1, name: 'op', kind: 2,
          startTimeUnixNano: '1712345678901234567', endTimeUnixNano: '1712345678911234567',
          attributes: [], droppedAttributesCount: 0, events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0,
          status: { code: 0, message: '' },
        })),
      }],
    }],
  };
  return encodeExportTraceRequestProto(req);
}

interface CallResult {
  error: ServiceError | null;
  response?: Buffer;
}

/** A raw client that sends bytes as they are, so tests can send what no exporter would. */
function exportRaw(port: number, bytes: Uint8Array, channelOptions: Record<string, number> = {}, metadata = new Metadata()): Promise<CallResult> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), channelOptions);
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_SERVICE_EXPORT_PATH, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, bytes, metadata, {}, (error, response) => {
      client.close();
      resolve({ error, response });
    });
  });
}

/** google.rpc.Status → its code, message and each detail's type URL and RetryInfo delay. */
function decodeStatusDetails(bytes: Buffer) {
  const r = new ProtobufReader(bytes);
  const out = { code: 0, message: '', details: [] as Array<{ typeUrl: string; seconds: string; nanos: number }> };
  while (!r.done) {
    const tag = r.readTag();
    if (tag === 0x08) out.code = r.readInt32();
    else if (tag === 0x12) out.message = r.readString();
    else if (tag === 0x1a) {
      const any = new ProtobufReader(r.readBytes());
      const detail = { typeUrl: '', seconds: '0', nanos: 0 };
      while (!any.done) {
        const anyTag = any.readTag();
        if (anyTag === 0x0a) detail.typeUrl = any.readString();
        else if (anyTag === 0x12) {
          const retryInfo = new ProtobufReader(any.readBytes());
          while (!retryInfo.done) {
            expect(retryInfo.readTag()).toBe(0x0a); // 1 retry_delay
            const duration = new ProtobufReader(retryInfo.readBytes());
            while (!duration.done) {
              const durationTag = duration.readTag();
              if (durationTag === 0x08) detail.seconds = duration.readInt64String();
              else if (durationTag === 0x10) detail.nanos = duration.readInt32();
              else duration.skip(durationTag);
            }
          }
        } else any.skip(anyTag);
      }
      out.details.push(detail);
    } else r.skip(tag);
  }
  return out;
}

describe('OTLP/gRPC receiver', () => {
  let handle: OtlpGrpcHandle | undefined;
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
  });

  const start = async (submit: (spans: readonly Span[]) => Promise<void>, maxMessageBytes = 1024 * 1024, gate = IngestGate.open(logger)) => {
    handle = await startOtlpGrpcServer({ queue: { submit }, gate, logger, host: '127.0.0.1', port: 0, maxMessageBytes, shutdownTimeoutMs: 1000 });
    return handle.port;
  };

  const gateWith = (options: Partial<ConstructorParameters<typeof IngestGate>[0]>) =>
    new IngestGate({ ingestToken: '', queue: { hasRoomFor: () => true }, budget: new InflightBudget(1 << 30), limits: DEFAULT_INGEST_LIMITS, logger, ...options });

  it('answers UNAUTHENTICATED without the ingest token in the authorization metadata', async () => {
    const got: string[] = [];
    const port = await start(async (spans) => void got.push(...spans.map((s) => s.spanId)), undefined, gateWith({ ingestToken: 'ingest-token-0123456789' }));
    const bare = await exportRaw(port, request(['00f067aa0ba902b7']));
    expect(bare.error?.code).toBe(GrpcStatus.UNAUTHENTICATED);
    const wrong = new Metadata();
    wrong.set('authorization', 'Bearer ingest-token-wrong-one');
    expect((await exportRaw(port, request(['00f067aa0ba902b7']), {}, wrong)).error?.code).toBe(GrpcStatus.UNAUTHENTICATED);
    expect(got).toEqual([]);
    const right = new Metadata();
    right.set('authorization', 'Bearer ingest-token-0123456789');
    expect((await exportRaw(port, request(['00f067aa0ba902b7']), {}, right)).error).toBeNull();
    expect(got).toEqual(['00f067aa0ba902b7']);
  });

  it.each([
    ['the queue is full', { queue: { hasRoomFor: () => false } }, GrpcStatus.UNAVAILABLE],
    ['the memory budget is spent', { budget: spentBudget() }, GrpcStatus.RESOURCE_EXHAUSTED],
  ])('refuses before decoding when %s, with RetryInfo', async (_what, options, code) => {
    let submitted = false;
    const port = await start(async () => void (submitted = true), undefined, gateWith(options));
    const { error } = await exportRaw(port, request(['00f067aa0ba902b7']));
    expect(error?.code).toBe(code);
    expect(submitted).toBe(false);
    const [detailsBin] = error!.metadata.get('grpc-status-details-bin');
    expect(decodeStatusDetails(detailsBin as Buffer).details).toEqual([{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', seconds: '1', nanos: 0 }]);
  });

  it('submits the decoded spans and answers an empty response on full success', async () => {
    const got: string[] = [];
    const port = await start(async (spans) => void got.push(...spans.map((s) => s.spanId)));
    const { error, response } = await exportRaw(port, request(['00f067aa0ba902b7', '00f067aa0ba902b8']));
    expect(error).toBeNull();
    expect(response!.length).toBe(0);
    expect(got).toEqual(['00f067aa0ba902b7', '00f067aa0ba902b8']);
  });

  it('counts invalid spans in partial_success and stores the rest', async () => {
    const got: string[] = [];
    const port = await start(async (spans) => void got.push(...spans.map((s) => s.spanId)));
    const { error, response } = await exportRaw(port, request(['00f067aa0ba902b7', 'abcd']));
    expect(error).toBeNull();
    const r = new ProtobufReader(response!);
    expect(r.readTag()).toBe(0x0a); // 1 partial_success
    const partial = new ProtobufReader(r.readBytes());
    expect(partial.readTag()).toBe(0x08);
    expect(partial.readInt64String()).toBe('1');
    expect(partial.readTag()).toBe(0x12);
    expect(partial.readString()).toMatch(/span ID "abcd" is not 16 hex digits/);
    expect(got).toEqual(['00f067aa0ba902b7']);
  });

  it('answers INVALID_ARGUMENT with the decoder\'s reason for malformed bytes', async () => {
    const port = await start(async () => {});
    const { error } = await exportRaw(port, new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(error?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^malformed ExportTraceServiceRequest: .*byte/);
  });

  it('answers RESOURCE_EXHAUSTED above the message cap, also for gzip that inflates past it', async () => {
    const port = await start(async () => {}, 64 * 1024);
    const big = await exportRaw(port, new Uint8Array(65 * 1024));
    expect(big.error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    // 2 = gzip in grpc-js's compressionAlgorithms; the bomb is a few KB on the wire.
    const bomb = await exportRaw(port, new Uint8Array(8 * 1024 * 1024), { 'grpc.default_compression_algorithm': 2 });
    expect(bomb.error?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(bomb.error?.details).toMatch(/decompresses/);
  });

  it('accepts gzip-compressed messages', async () => {
    const got: string[] = [];
    const port = await start(async (spans) => void got.push(...spans.map((s) => s.spanId)));
    const { error } = await exportRaw(port, request(['00f067aa0ba902b7']), { 'grpc.default_compression_algorithm': 2 });
    expect(error).toBeNull();
    expect(got).toEqual(['00f067aa0ba902b7']);
  });

  it.each([
    ['a full queue', new IngestRejectedError('queue_full', 'ingest queue is full (9 spans waiting); retry later', 1), /queue is full/, '1'],
    ['shutdown', new IngestRejectedError('shutting_down', 'collector is shutting down', 5), /shutting down/, '5'],
    ['a store failure', new Error('SQLITE_FULL: database or disk is full'), /could not be stored/, '5'],
  ])('answers UNAVAILABLE with a decodable RetryInfo on %s', async (_what, failure, message, seconds) => {
    const port = await start(() => Promise.reject(failure));
    const { error } = await exportRaw(port, request(['00f067aa0ba902b7']));
    expect(error?.code).toBe(GrpcStatus.UNAVAILABLE);
    expect(error?.details).toMatch(message);
    expect(error?.details).not.toMatch(/SQLITE/);
    const [detailsBin] = error!.metadata.get('grpc-status-details-bin');
    expect(decodeStatusDetails(detailsBin as Buffer)).toEqual({
      code: GrpcStatus.UNAVAILABLE,
      message: error!.details,
      details: [{ typeUrl: 'type.googleapis.com/google.rpc.RetryInfo', seconds, nanos: 0 }],
    });
  });

  it('does not answer before the queue has committed, and close() waits for that call', async () => {
    let commit!: () => void;
    const port = await start(() => new Promise<void>((resolve) => (commit = resolve)));
    let answered = false;
    const call = exportRaw(port, request(['00f067aa0ba902b7'])).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(answered).toBe(false);
    const closed = handle!.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    commit();
    expect((await call).error).toBeNull();
    await closed;
    handle = undefined;
  });

  it('reports a taken port with its errno code, as main expects of every listener', async () => {
    const port = await start(async () => {});
    await expect(startOtlpGrpcServer({ queue: { submit: async () => {} }, gate: IngestGate.open(logger), logger, host: '127.0.0.1', port, maxMessageBytes: 1024 })).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: expect.stringMatching(/OTLP\/gRPC/),
    });
  });
});
