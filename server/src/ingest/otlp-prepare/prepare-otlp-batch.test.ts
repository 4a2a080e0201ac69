import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { DEFAULT_INGEST_LIMITS } from '../ingest-limits.js';
import { buildSampleTraceRequest } from '../../receivers/otlp/otlp-sample-requests.js';
import { encodeExportTraceRequestProto } from '../../receivers/otlp/otlp-proto-encoder.js';
import { chunkData } from '../../store/sqlite/prepared-batch.js';
import { parseSpanChunk } from '../../store/sqlite/span-chunk-codec.js';
import { prepareOtlpBatch } from './prepare-otlp-batch.js';

const MALFORMED = 'malformed ExportTraceServiceRequest';

describe('prepareOtlpBatch', () => {
  it('decodes a request into one chunk per trace, holding every span', () => {
    const body = encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 20, serviceName: 'checkout' }));
    const { counts, batch } = prepareOtlpBatch(body, DEFAULT_INGEST_LIMITS, MALFORMED);
    expect(counts).toEqual({ spans: 20, rejected: 0, spansOverLimit: 0, decodedBytes: expect.any(Number), partial: undefined });
    expect(counts.decodedBytes).toBeGreaterThan(0);
    expect(batch!.chunks).toHaveLength(1);
    const spans = parseSpanChunk(chunkData(batch!, batch!.chunks[0]!));
    expect(spans).toHaveLength(20);
    expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['checkout']));
  });

  it('counts spans past the per-request limit in partial success, and prepares the rest', () => {
    const body = encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 12 }));
    const { counts, batch } = prepareOtlpBatch(body, { ...DEFAULT_INGEST_LIMITS, maxSpansPerRequest: 5 }, MALFORMED);
    expect(counts).toMatchObject({ spans: 5, spansOverLimit: 7, partial: { rejectedSpans: 7 } });
    expect(counts.partial!.errorMessage).toContain('past the limit of 5 per request');
    expect(batch!.spans.operation).toHaveLength(5);
  });

  it('prepares nothing when every span is rejected', () => {
    const request = buildSampleTraceRequest({ spans: 2 });
    for (const span of request.resourceSpans[0]!.scopeSpans[0]!.spans) span.traceId = '';
    const { counts, batch } = prepareOtlpBatch(encodeExportTraceRequestProto(request), DEFAULT_INGEST_LIMITS, MALFORMED);
    expect(counts).toMatchObject({ spans: 0, rejected: 2, partial: { rejectedSpans: 2 } });
    expect(batch).toBeUndefined();
  });

  it('refuses bytes that are not a request with a 400 starting with the given words', () => {
    const err = catchError(() => prepareOtlpBatch(Uint8Array.of(0x0a, 0xff, 0xff), DEFAULT_INGEST_LIMITS, MALFORMED));
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: 'malformed_request' });
    expect((err as AppError).message.startsWith(`${MALFORMED}: `)).toBe(true);
  });

  it('refuses a request decoding to too many objects with the limit’s 413', () => {
    const body = encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 50, attributesPerSpan: 10 }));
    const err = catchError(() => prepareOtlpBatch(body, { ...DEFAULT_INGEST_LIMITS, maxObjectsPerRequest: 100 }, MALFORMED));
    expect(err).toMatchObject({ status: 413, code: 'too_many_objects' });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
