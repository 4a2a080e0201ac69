import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { DEFAULT_INGEST_LIMITS, DecodeMeter } from '../../ingest/ingest-limits.js';
import { parseExportTraceRequestProto } from './otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from './otlp-proto-encoder.js';
import { buildSampleTraceRequest } from './otlp-sample-requests.js';
import { PartInterner } from './part-interner.js';
import { WireType } from './protobuf-reader.js';
import { ProtobufWriter } from './protobuf-writer.js';
import { thrownBy } from '../../test-support/thrown-by.js';

const LIMITS = DEFAULT_INGEST_LIMITS;
const sample = (serviceName = 'api') => encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 3, attributesPerSpan: 2, serviceName }));
const decode = (bytes: Uint8Array, parts?: PartInterner, meter = new DecodeMeter(LIMITS, false)) => ({ request: parseExportTraceRequestProto(bytes, meter, parts), meter });
const firstGroup = (bytes: Uint8Array, parts?: PartInterner) => decode(bytes, parts).request.resourceSpans[0]!;

/** A resource_spans whose resource (and scope) come in two messages, to be merged. */
function inParts(): Uint8Array {
  const attr = (key: string, value: string) => (kv: ProtobufWriter) => kv.tag(1, WireType.LEN).string(key).message(2, (v) => v.tag(1, WireType.LEN).string(value));
  return new ProtobufWriter()
    .message(1, (rs) => {
      rs.message(1, (r) => r.message(1, attr('service.name', 'api')));
      rs.message(2, (ss) => {
        ss.message(1, (scope) => scope.tag(1, WireType.LEN).string('lib'));
        ss.message(2, (s) => s.tag(1, WireType.LEN).hex('0102030405060708090a0b0c0d0e0f10').tag(2, WireType.LEN).hex('0102030405060708'));
        ss.message(1, (scope) => scope.tag(2, WireType.LEN).string('v2'));
      });
      rs.message(1, (r) => r.message(1, attr('host.name', 'h2')));
    })
    .finish();
}

/** The request `inParts` starts with, alone: its first resource and scope messages as they are. */
function firstPartsAlone(): Uint8Array {
  return new ProtobufWriter()
    .message(1, (rs) => {
      rs.message(1, (r) => r.message(1, (kv) => kv.tag(1, WireType.LEN).string('service.name').message(2, (v) => v.tag(1, WireType.LEN).string('api'))));
      rs.message(2, (ss) => ss.message(1, (scope) => scope.tag(1, WireType.LEN).string('lib')));
    })
    .finish();
}

describe('PartInterner', () => {
  it('hands out one resource and one scope object for equal bytes, counted in the meter as decoding counts them', () => {
    const parts = new PartInterner(LIMITS);
    const bytes = sample();
    const plain = decode(bytes);
    const first = decode(bytes, parts);
    const second = decode(bytes, parts);
    expect(second.request).toEqual(plain.request);
    expect(second.request.resourceSpans[0]!.resource).toBe(first.request.resourceSpans[0]!.resource);
    expect(second.request.resourceSpans[0]!.scopeSpans[0]!.scope).toBe(first.request.resourceSpans[0]!.scopeSpans[0]!.scope);
    for (const m of [first.meter, second.meter]) expect({ objects: m.objects, bytes: m.bytes }).toEqual({ objects: plain.meter.objects, bytes: plain.meter.bytes });
    // Other bytes, another object.
    expect(firstGroup(sample('web'), parts).resource).not.toBe(first.request.resourceSpans[0]!.resource);
    expect(firstGroup(sample('web'), parts).resource.attributes[0]!.value).toEqual({ stringValue: 'web' });
  });

  it('merges a later part into a copy: the shared first part stays as its bytes decode', () => {
    const parts = new PartInterner(LIMITS);
    const alone = firstGroup(firstPartsAlone(), parts);
    for (let round = 0; round < 2; round++) {
      const merged = firstGroup(inParts(), parts);
      expect(merged).toEqual(firstGroup(inParts()));
      expect(merged.resource.attributes.map((a) => a.key)).toEqual(['service.name', 'host.name']);
      expect(merged.scopeSpans[0]!.scope).toMatchObject({ name: 'lib', version: 'v2' });
    }
    expect(firstGroup(firstPartsAlone(), parts)).toEqual(firstGroup(firstPartsAlone()));
    expect(firstGroup(firstPartsAlone(), parts).resource).toBe(alone.resource);
    expect(alone.resource.attributes).toHaveLength(1);
    expect(alone.scopeSpans[0]!.scope).toEqual({ name: 'lib', version: '', attributes: [], droppedAttributesCount: 0 });
  });

  it('is not used under other limits, and does not keep what a limit changed', () => {
    const parts = new PartInterner(LIMITS);
    const bytes = sample();
    const tight = { ...LIMITS, maxAttributeLength: 2 };
    const under = (limits: typeof LIMITS) => parseExportTraceRequestProto(bytes, new DecodeMeter(limits, false), parts).resourceSpans[0]!.resource;
    // Kept under the cache's limits, the resource is still decoded afresh under others.
    const kept = under(LIMITS);
    expect(under(LIMITS)).toBe(kept);
    expect(under(tight)).not.toBe(kept);
    expect(under(tight)).not.toBe(under(tight));
    expect(under(tight).attributes[0]!.value.stringValue).toMatch(/^ap…\[truncated\]$/);
    // Same limits, but a resource the limit cut: decoded (and counted) each time.
    const cutting = new PartInterner(tight);
    const cut = () => parseExportTraceRequestProto(bytes, new DecodeMeter(tight, false), cutting).resourceSpans[0]!.resource;
    expect(cut()).not.toBe(cut());
    expect(cut()).toEqual(under(tight));
  });

  it('refuses a request over the object limit as decoding does, a shared resource counted', () => {
    const bytes = sample();
    // One object short: a resource taken from the cache uncounted would let the request through.
    const limits = { ...LIMITS, maxObjectsPerRequest: decode(bytes).meter.objects - 1 };
    const parts = new PartInterner(limits);
    for (let round = 0; round < 2; round++) {
      const err = thrownBy(() => parseExportTraceRequestProto(bytes, new DecodeMeter(limits, false), parts), AppError);
      expect(err.status).toBe(413);
    }
  });

  it('starts over when full', () => {
    const parts = new PartInterner(LIMITS, 2);
    const a = firstGroup(sample('a'), parts).resource;
    expect(firstGroup(sample('a'), parts).resource).toBe(a);
    firstGroup(sample('b'), parts);
    firstGroup(sample('c'), parts);
    expect(firstGroup(sample('a'), parts).resource).not.toBe(a);
    expect(firstGroup(sample('a'), parts).resource).toEqual(a);
  });
});
