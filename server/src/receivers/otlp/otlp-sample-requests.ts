/**
 * Deterministic ExportTraceServiceRequests for tests and benchmarks: encode them with
 * `encodeExportTraceRequestProto`, or `JSON.stringify` them for OTLP/JSON.
 */

import type { KeyValue } from '@threadline/shared';
import type { OtlpSpan, OtlpTraceRequest } from './otlp-types.js';

export interface SampleRequestOptions {
  spans?: number;
  attributesPerSpan?: number;
  serviceName?: string;
  /** Nanoseconds; consecutive spans start 1 ms apart and last 1.234567 ms. */
  startTimeUnixNano?: bigint;
}

/** One trace of `spans` spans in one resource and scope, shaped like a Go HTTP server's. */
export function buildSampleTraceRequest(options: SampleRequestOptions = {}): OtlpTraceRequest {
  const { spans: count = 512, attributesPerSpan = 10, serviceName = 'api', startTimeUnixNano = 1712345678901234567n } = options;
  const traceId = hexCounter(0x5eed, 32);
  const spans: OtlpSpan[] = [];
  for (let i = 0; i < count; i++) {
    const start = startTimeUnixNano + BigInt(i) * 1_000_000n;
    spans.push({
      traceId,
      spanId: hexCounter(i + 1, 16),
      traceState: '',
      parentSpanId: i === 0 ? '' : hexCounter(1, 16),
      flags: 0x101,
      name: `GET /api/v1/items/{id}`,
      kind: 2,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 1_234_567n).toString(),
      attributes: sampleAttributes(i, attributesPerSpan),
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: { code: 0, message: '' },
    });
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: serviceName } },
            { key: 'host.name', value: { stringValue: 'h1' } },
            { key: 'telemetry.sdk.language', value: { stringValue: 'go' } },
          ],
          droppedAttributesCount: 0,
        },
        scopeSpans: [
          {
            scope: { name: 'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', version: '0.60.0', attributes: [], droppedAttributesCount: 0 },
            spans,
            schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
          },
        ],
        schemaUrl: '',
      },
    ],
  };
}

/** Every field of every message set to a non-default value, including 64-bit extremes. */
export function buildEveryFieldTraceRequest(): OtlpTraceRequest {
  const attrs = (prefix: string): KeyValue[] => [
    { key: `${prefix}.string`, value: { stringValue: 'héllo ✓ 🌍' } },
    { key: `${prefix}.bool`, value: { boolValue: true } },
    { key: `${prefix}.false`, value: { boolValue: false } },
    { key: `${prefix}.int`, value: { intValue: '-9223372036854775808' } },
    { key: `${prefix}.int.max`, value: { intValue: '9223372036854775807' } },
    { key: `${prefix}.int.neg`, value: { intValue: '-1' } },
    { key: `${prefix}.double`, value: { doubleValue: -1.5e-300 } },
    { key: `${prefix}.bytes`, value: { bytesValue: 'AAEC/f7/' } },
    {
      key: `${prefix}.array`,
      value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }, { arrayValue: { values: [{ boolValue: true }, {}] } }] } },
    },
    {
      key: `${prefix}.kvlist`,
      value: { kvlistValue: { values: [{ key: 'inner', value: { kvlistValue: { values: [{ key: 'x', value: { doubleValue: 0.25 } }] } } }] } },
    },
    { key: `${prefix}.empty`, value: {} },
  ];
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, ...attrs('resource')], droppedAttributesCount: 3 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
        scopeSpans: [
          {
            scope: { name: 'github.com/acme/lib', version: 'v1.2.3', attributes: attrs('scope'), droppedAttributesCount: 4 },
            schemaUrl: 'https://opentelemetry.io/schemas/1.25.0',
            spans: [
              {
                traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
                spanId: '00f067aa0ba902b7',
                traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
                parentSpanId: 'ffffffffffffffff',
                flags: 0xffffffff,
                name: 'POST /cart/{id}',
                kind: 5,
                startTimeUnixNano: '1712345678901234567',
                endTimeUnixNano: '18446744073709551615',
                attributes: attrs('span'),
                droppedAttributesCount: 4294967295,
                events: [
                  { timeUnixNano: '9007199254740993', name: 'exception', attributes: attrs('event'), droppedAttributesCount: 1 },
                  { timeUnixNano: '1712345678901234568', name: 'retry', attributes: [], droppedAttributesCount: 0 },
                ],
                droppedEventsCount: 5,
                links: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    traceState: 'k=v',
                    attributes: attrs('link'),
                    droppedAttributesCount: 6,
                    flags: 0x301,
                  },
                ],
                droppedLinksCount: 7,
                status: { code: 2, message: 'payment declined' },
              },
            ],
          },
        ],
      },
    ],
  };
}

function sampleAttributes(i: number, count: number): KeyValue[] {
  const all: KeyValue[] = [
    { key: 'http.request.method', value: { stringValue: 'GET' } },
    { key: 'url.path', value: { stringValue: `/api/v1/items/${i}` } },
    { key: 'http.response.status_code', value: { intValue: '200' } },
    { key: 'server.address', value: { stringValue: 'api.internal.example.com' } },
    { key: 'server.port', value: { intValue: '8080' } },
    { key: 'network.protocol.version', value: { stringValue: '1.1' } },
    { key: 'user_agent.original', value: { stringValue: 'Go-http-client/1.1' } },
    { key: 'client.address', value: { stringValue: `10.0.${i % 256}.17` } },
    { key: 'app.items.fraction', value: { doubleValue: i / 7 } },
    { key: 'app.cache.hit', value: { boolValue: i % 2 === 0 } },
  ];
  const out: KeyValue[] = [];
  for (let k = 0; k < count; k++) {
    const base = all[k % all.length]!;
    out.push(k < all.length ? base : { key: `${base.key}.${k}`, value: base.value });
  }
  return out;
}

function hexCounter(n: number, length: number): string {
  return n.toString(16).padStart(length, '0');
}
