import { describe, expect, it } from 'vitest';
import type { AnyValue } from '@threadline/shared';
import { parseExportTraceRequestProto } from './otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from './otlp-proto-encoder.js';
import { buildEveryFieldTraceRequest, buildSampleTraceRequest } from './otlp-sample-requests.js';
import { toSpans } from './otlp-to-spans.js';
import { ProtobufDecodeError, WireType } from './protobuf-reader.js';
import { ProtobufWriter } from './protobuf-writer.js';
import { seededUint32s } from '../../test-support/seeded-random.js';
import { thrownBy } from '../../test-support/thrown-by.js';

const decodeError = (bytes: Uint8Array) => thrownBy(() => parseExportTraceRequestProto(bytes), ProtobufDecodeError);

const { VARINT, I64, LEN, I32 } = WireType;

/** Unknown fields of every wire type, as a newer sender's schema would add. */
function unknownFields(w: ProtobufWriter): void {
  w.tag(90, VARINT).uint64(2n ** 64n - 1n);
  w.tag(91, I64).fixed64('7');
  w.tag(92, LEN).string('from the future');
  w.tag(93, I32).fixed32(1);
  w.message(94, (m) => m.tag(1, VARINT).uint32(1));
}

/** Decoding (and normalizing) arbitrary bytes may fail only with the typed error. */
function decodesOrFailsTyped(bytes: Uint8Array): void {
  try {
    toSpans(parseExportTraceRequestProto(bytes));
  } catch (err) {
    if (!(err instanceof ProtobufDecodeError)) throw new Error(`untyped error for ${Buffer.from(bytes).toString('hex')}`, { cause: err });
  }
}

function nestedArrays(depth: number): AnyValue {
  let v: AnyValue = { stringValue: 'leaf' };
  for (let i = 1; i < depth; i++) v = { arrayValue: { values: [v] } };
  return v;
}

function nestedKvlists(depth: number): AnyValue {
  let v: AnyValue = { intValue: '-1' };
  for (let i = 1; i < depth; i++) v = { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
  return v;
}

function requestWithAttribute(value: AnyValue, on: 'span' | 'event' = 'span') {
  const req = buildSampleTraceRequest({ spans: 1, attributesPerSpan: 0 });
  const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  const kv = { key: 'deep', value };
  if (on === 'span') span.attributes.push(kv);
  else span.events.push({ timeUnixNano: '1', name: 'e', attributes: [kv], droppedAttributesCount: 0 });
  return req;
}

describe('parseExportTraceRequestProto', () => {
  it('round-trips every field of every message', () => {
    const req = buildEveryFieldTraceRequest();
    expect(parseExportTraceRequestProto(encodeExportTraceRequestProto(req))).toEqual(req);
  });

  it('round-trips a 512-span request', () => {
    const req = buildSampleTraceRequest();
    expect(parseExportTraceRequestProto(encodeExportTraceRequestProto(req))).toEqual(req);
  });

  it('keeps nanosecond timestamps exact beyond 2^53', () => {
    const span = parseExportTraceRequestProto(encodeExportTraceRequestProto(buildEveryFieldTraceRequest())).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.startTimeUnixNano).toBe('1712345678901234567');
    expect(span.endTimeUnixNano).toBe('18446744073709551615');
    expect(span.events[0]!.timeUnixNano).toBe('9007199254740993');
  });

  it('decodes hand-written bytes of a minimal span', () => {
    const bytes = Buffer.from(
      [
        '0a', '38', // resource_spans, 56 bytes
        '12', '36', // scope_spans, 54 bytes
        '12', '34', // spans, 52 bytes
        '0a', '10', '4bf92f3577b34da6a3ce929d0e0e4736', // trace_id
        '12', '08', '00f067aa0ba902b7', // span_id
        '2a', '02', '6f70', // name "op"
        '30', '02', // kind SERVER
        '39', '874b95935279c317', // start_time_unix_nano 1712345678901234567, little-endian
        '41', '07e22d945279c317', // end_time_unix_nano   1712345678911234567
      ].join(''),
      'hex',
    );
    const span = parseExportTraceRequestProto(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      parentSpanId: '',
      name: 'op',
      kind: 2,
      startTimeUnixNano: '1712345678901234567',
      endTimeUnixNano: '1712345678911234567',
      status: { code: 0, message: '' },
    });
  });

  it('fills defaults for absent fields and messages', () => {
    expect(parseExportTraceRequestProto(new Uint8Array(0))).toEqual({ resourceSpans: [] });
    const bytes = new ProtobufWriter().message(1, (rs) => rs.message(2, (ss) => ss.message(2, () => {}))).finish();
    expect(parseExportTraceRequestProto(bytes)).toEqual({
      resourceSpans: [
        {
          resource: { attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          scopeSpans: [
            {
              scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
              schemaUrl: '',
              spans: [
                {
                  traceId: '', spanId: '', traceState: '', parentSpanId: '', flags: 0, name: '', kind: 0,
                  startTimeUnixNano: '0', endTimeUnixNano: '0', attributes: [], droppedAttributesCount: 0,
                  events: [], droppedEventsCount: 0, links: [], droppedLinksCount: 0, status: { code: 0, message: '' },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('skips unknown fields of every wire type in every message', () => {
    const kv = (m: ProtobufWriter, key: string, value: (v: ProtobufWriter) => void) => {
      m.tag(1, LEN).string(key);
      unknownFields(m);
      m.message(2, (v) => {
        unknownFields(v);
        value(v);
        unknownFields(v);
      });
    };
    const w = new ProtobufWriter();
    unknownFields(w);
    w.message(1, (rs) => {
      unknownFields(rs);
      rs.message(1000, (old) => old.tag(1, LEN).string('instrumentation_library_spans, removed from the schema'));
      rs.message(1, (res) => {
        unknownFields(res);
        res.message(1, (a) => kv(a, 'service.name', (v) => v.tag(1, LEN).string('svc')));
        res.message(3, (ref) => ref.tag(1, LEN).string('entity_refs, development'));
      });
      rs.message(2, (ss) => {
        unknownFields(ss);
        ss.message(1, (sc) => {
          unknownFields(sc);
          sc.tag(1, LEN).string('scope');
        });
        ss.message(2, (s) => {
          unknownFields(s);
          s.tag(1, LEN).bytes(Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex'));
          s.tag(5, LEN).string('op');
          s.message(9, (a) =>
            kv(a, 'list', (v) =>
              v.message(5, (arr) => {
                unknownFields(arr);
                arr.message(1, (item) => {
                  unknownFields(item);
                  item.tag(2, VARINT).bool(true);
                });
              }),
            ),
          );
          s.message(9, (a) =>
            kv(a, 'map', (v) =>
              v.message(6, (list) => {
                unknownFields(list);
                list.message(1, (entry) => kv(entry, 'k', (iv) => iv.tag(3, VARINT).int64(-5)));
              }),
            ),
          );
          s.message(11, (e) => {
            unknownFields(e);
            e.tag(2, LEN).string('event');
          });
          s.message(13, (l) => {
            unknownFields(l);
            l.tag(3, LEN).string('ts');
          });
          s.message(15, (st) => {
            unknownFields(st);
            st.tag(1, VARINT).uint32(9); // reserved field 1 (the old deprecated_code)
            st.tag(3, VARINT).int32(2);
          });
          unknownFields(s);
        });
      });
    });
    const req = parseExportTraceRequestProto(w.finish());
    const rs = req.resourceSpans[0]!;
    expect(rs.resource.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'svc' } }]);
    expect(rs.scopeSpans[0]!.scope.name).toBe('scope');
    const span = rs.scopeSpans[0]!.spans[0]!;
    expect(span.name).toBe('op');
    expect(span.attributes).toEqual([
      { key: 'list', value: { arrayValue: { values: [{ boolValue: true }] } } },
      { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { intValue: '-5' } }] } } },
    ]);
    expect(span.events[0]!.name).toBe('event');
    expect(span.links[0]!.traceState).toBe('ts');
    expect(span.status).toEqual({ code: 2, message: '' });
  });

  it('treats a known field with an unexpected wire type as unknown, like Go’s protobuf', () => {
    const bytes = new ProtobufWriter()
      .message(1, (rs) =>
        rs.message(2, (ss) =>
          ss.message(2, (s) => {
            s.tag(5, VARINT).uint32(3); // name should be LEN
            s.tag(7, VARINT).uint32(1); // start_time_unix_nano should be I64
            s.tag(16, VARINT).uint32(1); // flags should be I32
            s.tag(2, LEN).bytes(new Uint8Array(8).fill(1));
          }),
        ),
      )
      .finish();
    const span = parseExportTraceRequestProto(bytes).resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toMatchObject({ name: '', startTimeUnixNano: '0', flags: 0, spanId: '0101010101010101' });
  });

  it('keeps the last of a repeated scalar and merges a repeated message, per protobuf', () => {
    const bytes = new ProtobufWriter()
      .message(1, (rs) => {
        rs.message(1, (r) => r.message(1, (a) => a.tag(1, LEN).string('a')));
        rs.message(1, (r) => r.message(1, (a) => a.tag(1, LEN).string('b')).tag(2, VARINT).uint32(4));
        rs.message(2, (ss) =>
          ss.message(2, (s) => {
            s.tag(5, LEN).string('first').tag(5, LEN).string('second');
            s.message(15, (st) => st.tag(2, LEN).string('msg'));
            s.message(15, (st) => st.tag(3, VARINT).int32(1));
            s.message(9, (a) => {
              a.tag(1, LEN).string('v');
              a.message(2, (v) => v.message(5, (arr) => arr.message(1, (i) => i.tag(1, LEN).string('x'))));
              a.message(2, (v) => v.message(5, (arr) => arr.message(1, (i) => i.tag(1, LEN).string('y'))));
            });
            s.message(9, (a) => {
              a.tag(1, LEN).string('oneof');
              a.message(2, (v) => v.tag(1, LEN).string('replaced').tag(2, VARINT).bool(true));
            });
          }),
        );
      })
      .finish();
    const rs = parseExportTraceRequestProto(bytes).resourceSpans[0]!;
    expect(rs.resource).toEqual({
      attributes: [{ key: 'a', value: {} }, { key: 'b', value: {} }],
      droppedAttributesCount: 4,
    });
    const span = rs.scopeSpans[0]!.spans[0]!;
    expect(span.name).toBe('second');
    expect(span.status).toEqual({ code: 1, message: 'msg' });
    expect(span.attributes).toEqual([
      { key: 'v', value: { arrayValue: { values: [{ stringValue: 'x' }, { stringValue: 'y' }] } } },
      { key: 'oneof', value: { boolValue: true } },
    ]);
  });

  it('accepts AnyValue nesting up to 32 levels and refuses deeper', () => {
    for (const nested of [nestedArrays, nestedKvlists]) {
      for (const on of ['span', 'event'] as const) {
        const ok = requestWithAttribute(nested(32), on);
        expect(parseExportTraceRequestProto(encodeExportTraceRequestProto(ok))).toEqual(ok);
        const err = decodeError(encodeExportTraceRequestProto(requestWithAttribute(nested(33), on)));
        expect(err.message).toMatch(/AnyValue nested deeper than 32/);
      }
    }
  });

  it('refuses deep nesting long before the stack would overflow', () => {
    let value = new ProtobufWriter().tag(1, LEN).string('leaf').finish();
    for (let i = 0; i < 10_000; i++) {
      value = new ProtobufWriter().message(5, (arr) => arr.tag(1, LEN).bytes(value)).finish();
    }
    const bytes = new ProtobufWriter()
      .message(1, (rs) => rs.message(2, (ss) => ss.message(2, (s) => s.message(9, (kv) => kv.tag(2, LEN).bytes(value)))))
      .finish();
    expect(decodeError(bytes).message).toMatch(/nested deeper/);
  });

  it('names what is wrong and where', () => {
    const span = (write: (s: ProtobufWriter) => void) =>
      new ProtobufWriter().message(1, (rs) => rs.message(2, (ss) => ss.message(2, write))).finish();
    expect(decodeError(span((s) => s.tag(5, LEN).raw(new Uint8Array([0x7f, 0x61])))).message).toBe('length 127 exceeds the 1 bytes left at byte 7');
    expect(decodeError(span((s) => s.tag(7, I64).raw(new Uint8Array([1, 2, 3])))).message).toBe('truncated 8-byte value at byte 7');
    expect(decodeError(span((s) => s.tag(6, VARINT).raw(new Uint8Array([0x80])))).message).toBe('truncated varint at byte 7');
    expect(decodeError(span((s) => s.tag(6, 7))).message).toBe('invalid wire type 7 (field 6) at byte 6');
    expect(decodeError(span((s) => s.tag(6, WireType.SGROUP))).message).toMatch(/unsupported group wire type 3/);
    expect(decodeError(span((s) => s.raw(new Uint8Array([0])))).message).toBe('field number 0 at byte 6');
    expect(decodeError(new Uint8Array([0x0a, 0x05, 0x12])).message).toBe('length 5 exceeds the 1 bytes left at byte 1');
  });

  it('fails only with the typed error on every truncation of a valid request', () => {
    const bytes = encodeExportTraceRequestProto(buildEveryFieldTraceRequest());
    for (let end = 0; end < bytes.length; end++) decodesOrFailsTyped(bytes.subarray(0, end));
  });

  it('fails only with the typed error on thousands of bit-flipped requests', () => {
    const valid = encodeExportTraceRequestProto(buildEveryFieldTraceRequest());
    const next = seededUint32s(42);
    for (let i = 0; i < 5000; i++) {
      const bytes = valid.slice();
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) bytes[next() % bytes.length]! ^= 1 << next() % 8;
      decodesOrFailsTyped(bytes);
    }
  });

  it('fails only with the typed error on thousands of random inputs', () => {
    const next = seededUint32s(7);
    for (let i = 0; i < 5000; i++) {
      const bytes = new Uint8Array(next() % 200);
      for (let b = 0; b < bytes.length; b++) bytes[b] = next() & 0xff;
      // Random bytes rarely get past the first tag: also try them behind a valid span prefix.
      decodesOrFailsTyped(bytes);
      const prefixed = new ProtobufWriter().message(1, (rs) => rs.message(2, (ss) => ss.tag(2, LEN).uint32(bytes.length).raw(bytes))).finish();
      decodesOrFailsTyped(prefixed);
    }
  });
});
