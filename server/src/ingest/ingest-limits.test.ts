import { describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { parseExportTraceRequestProto } from '../receivers/otlp/otlp-proto-decoder.js';
import { parseExportTraceRequestJson } from '../receivers/otlp/otlp-json-decoder.js';
import { encodeExportTraceRequestProto } from '../receivers/otlp/otlp-proto-encoder.js';
import { buildSampleTraceRequest } from '../receivers/otlp/otlp-sample-requests.js';
import { limitOtlpRequest } from '../receivers/otlp/otlp-limits.js';
import { toPartialSuccess } from '../receivers/otlp/otlp-responses.js';
import { toSpans } from '../receivers/otlp/otlp-to-spans.js';
import type { OtlpTraceRequest } from '../receivers/otlp/otlp-types.js';
import { thrownBy } from '../test-support/thrown-by.js';
import { DEFAULT_INGEST_LIMITS, DecodeMeter, TRUNCATION_MARK, checkJsonObjectCount, truncate, type IngestLimits } from './ingest-limits.js';

const LIMITS: IngestLimits = { ...DEFAULT_INGEST_LIMITS, maxSpanAttributes: 4, maxSpanEvents: 2, maxSpanLinks: 1, maxAttributeLength: 16, maxSpansPerRequest: 3 };

/** One span past every per-span limit: 10 attributes (one 100 chars long), 5 events, 3 links. */
function oversizedRequest(spans = 1): OtlpTraceRequest {
  const req = buildSampleTraceRequest({ spans, attributesPerSpan: 10 });
  for (const span of req.resourceSpans[0]!.scopeSpans[0]!.spans) {
    span.attributes[0] = { key: 'long', value: { stringValue: 'x'.repeat(100) } };
    span.droppedAttributesCount = 7;
    span.events = Array.from({ length: 5 }, (_, i) => ({ timeUnixNano: String(1712345678901234567n + BigInt(i)), name: `e${i}`, attributes: [], droppedAttributesCount: 0 }));
    span.links = Array.from({ length: 3 }, (_, i) => ({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: `00f067aa0ba902b${i}`, traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 }));
  }
  return req;
}

const decoders = {
  protobuf: (req: OtlpTraceRequest, meter: DecodeMeter) => parseExportTraceRequestProto(encodeExportTraceRequestProto(req), meter),
  json: (req: OtlpTraceRequest, meter: DecodeMeter) => limitOtlpRequest(parseExportTraceRequestJson(JSON.stringify(req)), meter),
};

describe.each(Object.entries(decoders))('ingest limits on OTLP %s', (_name, decode) => {
  it('drops attributes, events and links past the per-span limits and adds them to the dropped counts', () => {
    const meter = new DecodeMeter(LIMITS);
    const span = decode(oversizedRequest(), meter).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.attributes).toHaveLength(4);
    expect(span.droppedAttributesCount).toBe(7 + 6);
    expect(span.events.map((e) => e.name)).toEqual(['e0', 'e1']);
    expect(span.droppedEventsCount).toBe(3);
    expect(span.links).toHaveLength(1);
    expect(span.droppedLinksCount).toBe(2);
    expect(meter).toMatchObject({ droppedAttributes: 6, droppedEvents: 3, droppedLinks: 2 });
  });

  it('truncates long strings and marks them', () => {
    const meter = new DecodeMeter(LIMITS);
    const span = decode(oversizedRequest(), meter).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.attributes[0]!.value.stringValue).toBe('x'.repeat(16) + TRUNCATION_MARK);
    expect(meter.truncatedStrings).toBeGreaterThanOrEqual(1);
  });

  it('rejects spans past the per-request limit and reports everything in partial success', () => {
    const meter = new DecodeMeter(LIMITS);
    const result = toSpans(decode(oversizedRequest(5), meter));
    expect(result.spans).toHaveLength(3);
    const partial = toPartialSuccess(result, meter)!;
    expect(partial.rejectedSpans).toBe(2);
    expect(partial.errorMessage).toMatch(/2 spans past the limit of 3/);
    expect(partial.errorMessage).toMatch(/truncated/);
    expect(partial.errorMessage).toMatch(/attributes \(limit 4\) were dropped/);
  });

  it('refuses a request that decodes to too many objects with 413', () => {
    const meter = new DecodeMeter({ ...DEFAULT_INGEST_LIMITS, maxObjectsPerRequest: 1000 });
    const err = thrownBy(() => decode(buildSampleTraceRequest({ spans: 200, attributesPerSpan: 10 }), meter), AppError);
    expect(err.status).toBe(413);
    expect(err.code).toBe('too_many_objects');
  });

  it('leaves a request within the limits alone, with no partial success', () => {
    const meter = new DecodeMeter();
    const req = buildSampleTraceRequest({ spans: 20 });
    const result = toSpans(decode(req, meter));
    expect(result.spans).toHaveLength(20);
    expect(toPartialSuccess(result, meter)).toBeUndefined();
    expect(meter.bytes).toBeGreaterThan(0);
  });
});

describe('truncate', () => {
  it('never splits a surrogate pair', () => {
    expect(truncate('ab😀cd', 3)).toBe('ab' + TRUNCATION_MARK);
    expect(truncate('abcdef', 3)).toBe('abc' + TRUNCATION_MARK);
  });
});

describe('protobuf strings far past the limit', () => {
  it('decodes only a prefix of a 5 MB value', () => {
    const req = buildSampleTraceRequest({ spans: 1, attributesPerSpan: 1 });
    req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes[0] = { key: 'blob', value: { stringValue: 'é'.repeat(2_500_000) } };
    const meter = new DecodeMeter();
    const span = parseExportTraceRequestProto(encodeExportTraceRequestProto(req), meter).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.attributes[0]!.value.stringValue).toBe('é'.repeat(4096) + TRUNCATION_MARK);
    expect(meter.bytes).toBeLessThan(100_000);
  });
});

describe('checkJsonObjectCount', () => {
  it('refuses a JSON body with more objects than the limit allows, before parsing', () => {
    const limits = { ...DEFAULT_INGEST_LIMITS, maxObjectsPerRequest: 10 };
    expect(() => checkJsonObjectCount(Buffer.from('{}'.repeat(20)), limits)).not.toThrow();
    expect(thrownBy(() => checkJsonObjectCount(Buffer.from('{}'.repeat(21)), limits), AppError).status).toBe(413);
  });
});
