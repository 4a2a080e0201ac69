import { stringAttr } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { DecodeMeter, DEFAULT_INGEST_LIMITS } from '../../ingest/ingest-limits.js';
import { parseExportTraceRequestProto } from './otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from './otlp-proto-encoder.js';
import { rawProtoOf } from './otlp-raw.js';
import { buildSampleTraceRequest } from './otlp-sample-requests.js';

describe('raw OTLP bytes of decoded spans', () => {
  it('are kept for spans no limit touched, and dropped for a span a limit changed, so the store keeps what was decoded', () => {
    const request = buildSampleTraceRequest();
    const spans = request.resourceSpans[0]!.scopeSpans[0]!.spans;
    spans[0]!.attributes.push(stringAttr('long', 'x'.repeat(10_000)));
    const meter = new DecodeMeter({ ...DEFAULT_INGEST_LIMITS, maxAttributeLength: 5_000 });
    const decoded = parseExportTraceRequestProto(encodeExportTraceRequestProto(request), meter).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(meter.truncatedStrings).toBe(1);
    expect(rawProtoOf(decoded[0]!)).toBeUndefined();
    expect(decoded.slice(1).every((span) => rawProtoOf(span) !== undefined)).toBe(true);
  });

  it('are dropped for every span of a resource a limit changed', () => {
    const request = buildSampleTraceRequest();
    request.resourceSpans[0]!.resource.attributes.push(stringAttr('long', 'y'.repeat(10_000)));
    const meter = new DecodeMeter({ ...DEFAULT_INGEST_LIMITS, maxAttributeLength: 5_000 });
    const decoded = parseExportTraceRequestProto(encodeExportTraceRequestProto(request), meter).resourceSpans[0]!.scopeSpans[0]!.spans;
    expect(decoded.every((span) => rawProtoOf(span) === undefined)).toBe(true);
  });
});
