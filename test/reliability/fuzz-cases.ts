import { gzipSync } from 'node:zlib';
import { seededUint32s } from '../../server/src/test-support/seeded-random.js';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { buildSampleTraceRequest } from '../../server/src/receivers/otlp/otlp-sample-requests.js';
import { GO_UPLOADS } from '../../server/src/receivers/nettrace/test-support/go-payloads.js';

/**
 * Fuzz inputs for every receiver and every query parameter: seeds, mutators and the
 * hand-picked nastiest cases. The fuzz script sends hundreds of thousands of them; npm test
 * replays `nastiestCases()` (test/integration/fuzz-corpus.test.ts). Pure and seeded: a
 * case is reproduced from its seed.
 */

export type Listener = 'http' | 'otlpHttp' | 'zipkin' | 'grpc';

export interface FuzzCase {
  name: string;
  listener: Listener;
  method: 'GET' | 'POST';
  /** Path and query, for HTTP; ignored for gRPC. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

const OTLP_PROTO = encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 3, attributesPerSpan: 4, serviceName: 'fuzz-seed' }));
const OTLP_JSON = Buffer.from(JSON.stringify(buildSampleTraceRequest({ spans: 3, attributesPerSpan: 4, serviceName: 'fuzz-seed' })));
const ZIPKIN_JSON = Buffer.from(
  JSON.stringify([{ traceId: '5af7183fb1d4cf5f', id: '6b221d5bc9e6496c', kind: 'SERVER', name: 'get /x', timestamp: 1712345678901234, duration: 21, localEndpoint: { serviceName: 'fuzz-seed', ipv4: '10.0.0.7' }, tags: { a: 'b' }, annotations: [{ timestamp: 1712345678901240, value: 'ws' }] }]),
);
const NETTRACE_JSON = Buffer.from(GO_UPLOADS[0]!);

interface Seed {
  listener: Listener;
  path: string;
  contentType: string;
  body: Uint8Array;
  json: boolean;
}

export const SEEDS: readonly Seed[] = [
  { listener: 'otlpHttp', path: '/v1/traces', contentType: 'application/x-protobuf', body: OTLP_PROTO, json: false },
  { listener: 'otlpHttp', path: '/v1/traces', contentType: 'application/json', body: OTLP_JSON, json: true },
  { listener: 'http', path: '/v1/traces', contentType: 'application/x-protobuf', body: OTLP_PROTO, json: false },
  { listener: 'zipkin', path: '/api/v2/spans', contentType: 'application/json', body: ZIPKIN_JSON, json: true },
  { listener: 'otlpHttp', path: '/v1/nettrace', contentType: 'application/json', body: NETTRACE_JSON, json: true },
  { listener: 'grpc', path: '', contentType: 'application/grpc', body: OTLP_PROTO, json: false },
];

const NASTY_VALUES = ['', '-1', '0', '1e309', '-0', 'NaN', 'Infinity', '9'.repeat(40), '%', '%00', '%ff%fe', '\u0000', '../../etc/passwd', '"><script>alert(1)</script>', '__proto__', 'constructor', '[]', '{}', '{"__proto__":{"x":1}}', 'a'.repeat(10_000), '😀'.repeat(100), '\ud800', ' ', '1.5s', '-5ms', '18446744073709551616', '0x10', 'true', 'null', 'k:v:w', '=', ',,,'];

const QUERY_ENDPOINTS: ReadonlyArray<[string, string[]]> = [
  ['/api/services', []],
  ['/api/services/{v}/operations', []],
  ['/api/operations', ['service', 'spanKind']],
  ['/api/traces', ['service', 'operation', 'tags', 'tag', 'start', 'end', 'minDuration', 'maxDuration', 'limit', 'lookback']],
  ['/api/traces/{v}', []],
  ['/api/dependencies', ['endTs', 'lookback']],
  ['/api/v1/traces/{v}', []],
  ['/api/v1/services', []],
  ['/api/v1/services/{v}/operations', ['spanKind']],
  ['/api/v1/search', ['service', 'operation', 'tags', 'tag', 'start', 'end', 'minDuration', 'maxDuration', 'limit', 'errorsOnly']],
  ['/api/v1/percentiles', ['service', 'operation', 'start', 'end', 'q']],
  ['/api/v1/slow-spans', ['service', 'operation', 'start', 'end', 'percentile', 'limit']],
  ['/api/v1/spans', ['service', 'operation', 'minDuration', 'maxDuration', 'errorsOnly', 'limit', 'cursor']],
  ['/api/v1/operations/stats', ['service', 'start', 'end']],
  ['/api/v1/latency/histogram', ['service', 'operation', 'start', 'end', 'buckets']],
  ['/api/v1/latency/heatmap', ['service', 'operation', 'start', 'end', 'buckets', 'slices']],
  ['/api/v1/nettrace/requests', ['service', 'family', 'limit', 'minDuration', 'errorsOnly']],
  ['/api/v1/nettrace/event-logs', ['service', 'family', 'limit']],
  ['/api/v1/nettrace/families', ['service']],
  ['/api/v1/nettrace/event-logs/{v}', []],
];

/** encodeURIComponent, except that a lone surrogate goes out as the invalid UTF-8 a client could send. */
function enc(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return '%ED%A0%80';
  }
}

export class FuzzGenerator {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededUint32s(seed);
  }

  private int(n: number): number {
    return this.next() % n;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** One input: a mutated ingest body (4 in 5) or a hostile query. */
  case(i: number): FuzzCase {
    return this.int(5) === 4 ? this.query(i) : this.ingest(i);
  }

  ingest(i: number): FuzzCase {
    const seed = this.pick(SEEDS);
    let body = this.mutate(seed.body, seed.json);
    const headers: Record<string, string> = { 'content-type': this.int(20) === 0 ? this.pick(['text/plain', '', 'application/json; charset=utf-16', 'application/x-protobuf']) : seed.contentType };
    if (seed.listener !== 'grpc' && this.int(6) === 0) {
      body = gzipSync(body);
      headers['content-encoding'] = this.int(10) === 0 ? 'br' : 'gzip';
      if (this.int(4) === 0) body = this.mutate(body, false);
    }
    return { name: `ingest#${i} ${seed.listener}${seed.path}`, listener: seed.listener, method: 'POST', path: seed.path, headers, body };
  }

  query(i: number): FuzzCase {
    const [template, params] = this.pick(QUERY_ENDPOINTS);
    const value = () => enc(this.int(3) === 0 ? this.pick(NASTY_VALUES) : this.randomText(this.int(40)));
    const path = template.replace('{v}', value());
    const query = params.filter(() => this.int(2) === 0).map((p) => `${p}=${value()}`);
    if (this.int(10) === 0) query.push(`${value()}=${value()}`);
    return { name: `query#${i}`, listener: 'http', method: 'GET', path: query.length ? `${path}?${query.join('&')}` : path, headers: {} };
  }

  private randomText(n: number): string {
    return String.fromCharCode(...Array.from({ length: n }, () => 32 + this.int(95)));
  }

  mutate(input: Uint8Array, json: boolean): Uint8Array {
    const out = Buffer.from(input);
    switch (this.int(json ? 8 : 6)) {
      case 0: // flip a few bits
        for (let k = 1 + this.int(8); k > 0; k--) out[this.int(out.length)]! ^= 1 << this.int(8);
        return out;
      case 1: // truncate
        return out.subarray(0, this.int(out.length));
      case 2: // repeat a slice
      {
        const a = this.int(out.length);
        const b = a + this.int(out.length - a);
        return Buffer.concat([out.subarray(0, b), out.subarray(a, b), out.subarray(a)]);
      }
      case 3: // random bytes in place
        for (let k = 1 + this.int(16); k > 0; k--) out[this.int(out.length)] = this.int(256);
        return out;
      case 4: // random bytes
        return Buffer.from(Array.from({ length: this.int(256) }, () => this.int(256)));
      case 5: // a varint-ish 0xff run (huge lengths)
      {
        const at = this.int(out.length);
        return Buffer.concat([out.subarray(0, at), Buffer.alloc(1 + this.int(10), 0xff), out.subarray(at)]);
      }
      default: // JSON: replace a value with a nasty one
      {
        const text = out.toString('utf8');
        const matches = [...text.matchAll(/"[^"]*"|-?\d+(\.\d+)?/g)];
        if (matches.length === 0) return out;
        const m = this.pick(matches);
        const nasty = this.pick([...NASTY_VALUES.map((v) => JSON.stringify(v)), 'null', 'true', '[]', '{}', '1e400', '-1', '[[[[[[[[[[]]]]]]]]]]', '{"a":'.repeat(50) + '1' + '}'.repeat(50)]);
        return Buffer.from(text.slice(0, m.index) + nasty + text.slice(m.index! + m[0].length));
      }
    }
  }
}

/** The hand-picked hardest inputs, plus a seeded sample of mutations: replayed by npm test. */
export function nastiestCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const post = (name: string, listener: Listener, path: string, contentType: string, body: Uint8Array, extra: Record<string, string> = {}) =>
    cases.push({ name, listener, method: 'POST', path, headers: { 'content-type': contentType, ...extra }, body });
  const deep = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));
  post('gzip bomb (64 MiB of zeros)', 'otlpHttp', '/v1/traces', 'application/x-protobuf', gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-encoding': 'gzip' });
  post('truncated gzip', 'otlpHttp', '/v1/traces', 'application/x-protobuf', gzipSync(OTLP_PROTO).subarray(0, 20), { 'content-encoding': 'gzip' });
  post('protobuf length past the end', 'otlpHttp', '/v1/traces', 'application/x-protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
  post('protobuf nested 10k deep', 'otlpHttp', '/v1/traces', 'application/x-protobuf', Buffer.from(Array.from({ length: 10_000 }, () => [0x0a, 0x7f]).flat()));
  post('protobuf group wire type', 'otlpHttp', '/v1/traces', 'application/x-protobuf', Buffer.from([0x0b, 0x0c]));
  post('JSON nested 100k deep', 'otlpHttp', '/v1/traces', 'application/json', deep(100_000));
  post('JSON __proto__ pollution', 'otlpHttp', '/v1/traces', 'application/json', Buffer.from('{"__proto__":{"polluted":1},"resourceSpans":[{"__proto__":{"x":1},"scopeSpans":[]}]}'));
  post('JSON huge number IDs', 'otlpHttp', '/v1/traces', 'application/json', Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":1e400,"spanId":-0,"startTimeUnixNano":"99999999999999999999999","endTimeUnixNano":-1}]}]}]}'));
  post('JSON lone surrogate', 'otlpHttp', '/v1/traces', 'application/json', Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","name":"\\ud800","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}'));
  post('Zipkin deep JSON', 'zipkin', '/api/v2/spans', 'application/json', deep(100_000));
  post('Zipkin object instead of list', 'zipkin', '/api/v2/spans', 'application/json', Buffer.from('{"traceId":"x"}'));
  post('Zipkin 10k tags', 'zipkin', '/api/v2/spans', 'application/json', Buffer.from(JSON.stringify([{ traceId: '5af7183fb1d4cf5f', id: '6b221d5bc9e6496c', name: 'x', timestamp: 1, duration: 1, tags: Object.fromEntries(Array.from({ length: 10_000 }, (_, k) => [`k${k}`, 'v'.repeat(100)])) }])));
  post('nettrace deep JSON', 'otlpHttp', '/v1/nettrace', 'application/json', deep(100_000));
  post('nettrace negative seq and huge elapsed', 'otlpHttp', '/v1/nettrace', 'application/json', Buffer.from('{"resource":{},"records":[{"type":"trace","recordId":"x","seq":-1,"family":"f","title":"t","startTimeUnixNano":"18446744073709551615","elapsedNano":"18446744073709551615","state":"finished","events":[]}]}'));
  post('unknown content encoding', 'otlpHttp', '/v1/traces', 'application/x-protobuf', OTLP_PROTO, { 'content-encoding': 'br' });
  post('no content type on Zipkin', 'zipkin', '/api/v2/spans', '', ZIPKIN_JSON);
  post('gRPC deep nesting', 'grpc', '', 'application/grpc', Buffer.from(Array.from({ length: 5_000 }, () => [0x0a, 0x7f]).flat()));
  post('gRPC random bytes', 'grpc', '', 'application/grpc', Buffer.from(Array.from({ length: 300 }, (_, k) => (k * 7919) % 256)));
  for (const v of NASTY_VALUES) cases.push({ name: `query value ${JSON.stringify(v.slice(0, 20))}`, listener: 'http', method: 'GET', path: `/api/traces?service=${enc(v)}&start=${enc(v)}&limit=${enc(v)}&tags=${enc(v)}`, headers: {} });
  for (const v of ['%', '..%2f..%2f', '%ff', 'a'.repeat(5000)]) cases.push({ name: `trace ID path ${v.slice(0, 10)}`, listener: 'http', method: 'GET', path: `/api/v1/traces/${v}`, headers: {} });
  const generator = new FuzzGenerator(20261205);
  for (let i = 0; i < 300; i++) cases.push(generator.case(i));
  return cases;
}
