import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ZipkinDecodeError, parseZipkinSpansJson } from './zipkin-json-decoder.js';
import { thrownBy } from '../../test-support/thrown-by.js';

const decodeError = (text: string) => thrownBy(() => parseZipkinSpansJson(text), ZipkinDecodeError);

describe('parseZipkinSpansJson', () => {
  it('decodes every member of a zipkin-go span', () => {
    const [span] = parseZipkinSpansJson(JSON.stringify([{
      traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', parentId: '6b221d5bc9e6496c', name: 'get /api', kind: 'SERVER',
      timestamp: 1712345678901234, duration: 207000, debug: true, shared: true,
      localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', port: 8080 },
      remoteEndpoint: { ipv6: '2001:db8::c001', port: 50432 },
      annotations: [{ timestamp: 1712345678902000, value: 'wr' }],
      tags: { 'http.method': 'GET', 'http.path': '/api' },
    }]));
    expect(span).toEqual({
      traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', parentId: '6b221d5bc9e6496c', name: 'get /api', kind: 'SERVER',
      timestamp: 1712345678901234, duration: 207000, debug: true, shared: true,
      localEndpoint: { serviceName: 'frontend', ipv4: '10.0.0.1', ipv6: undefined, port: 8080 },
      remoteEndpoint: { serviceName: undefined, ipv4: undefined, ipv6: '2001:db8::c001', port: 50432 },
      annotations: [{ timestamp: 1712345678902000, value: 'wr' }],
      tags: [['http.method', 'GET'], ['http.path', '/api']],
    });
  });

  it('treats null as absent, ignores unknown members and accepts an empty list', () => {
    expect(parseZipkinSpansJson('[]')).toEqual([]);
    const [span] = parseZipkinSpansJson('[{"traceId":"a","id":"b","parentId":null,"kind":null,"tags":{"k":null},"future":{"x":1}}]');
    expect(span).toMatchObject({ traceId: 'a', id: 'b', parentId: undefined, kind: undefined, tags: [] });
  });

  it('keeps missing IDs and timestamps for the normalizer to reject per span', () => {
    expect(parseZipkinSpansJson('[{}]')).toEqual([expect.objectContaining({ traceId: undefined, id: undefined, timestamp: undefined, annotations: [], tags: [] })]);
  });

  it('takes numeric and boolean tag values as their JSON text', () => {
    const [span] = parseZipkinSpansJson('[{"tags":{"http.status_code":200,"cache.hit":false,"ratio":0.5}}]');
    expect(span!.tags).toEqual([['http.status_code', '200'], ['cache.hit', 'false'], ['ratio', '0.5']]);
  });

  it('does not see inherited members such as constructor or __proto__ as fields', () => {
    const [span] = parseZipkinSpansJson('[{"__proto__":{"traceId":"x"},"tags":{"__proto__":"p","constructor":"c"}}]');
    expect(span!.traceId).toBeUndefined();
    expect(span!.tags).toEqual([['__proto__', 'p'], ['constructor', 'c']]);
  });

  it.each([
    ['', '$', /not valid JSON/],
    ['{"traceId":"a"}', '$', /expected a JSON array of spans, got an object/],
    ['[1]', '$[0]', /expected a span object, got number 1/],
    ['[{},[]]', '$[1]', /got an array/],
    ['[{"traceId":123}]', '$[0].traceId', /expected a string, got number 123/],
    ['[{"timestamp":"1712345678901234"}]', '$[0].timestamp', /expected a number, got a string/],
    ['[{"timestamp":1.5}]', '$[0].timestamp', /not a whole number/],
    ['[{"duration":-1}]', '$[0].duration', /not a whole number/],
    ['[{"timestamp":9007199254740993}]', '$[0].timestamp', /not a whole number/],
    ['[{"shared":"true"}]', '$[0].shared', /expected true or false/],
    ['[{"localEndpoint":"svc"}]', '$[0].localEndpoint', /expected an endpoint object/],
    ['[{"remoteEndpoint":{"port":70000}}]', '$[0].remoteEndpoint.port', /not a port number/],
    ['[{"annotations":{}}]', '$[0].annotations', /expected an array/],
    ['[{"annotations":[{"timestamp":1,"value":2}]}]', '$[0].annotations[0].value', /expected a string/],
    ['[{"tags":[]}]', '$[0].tags', /expected an object of string tags/],
    ['[{"tags":{"a b":{"x":1}}}]', '$[0].tags["a b"]', /expected a string, got an object/],
    ['[{"traceId":"a","id":"b","binaryAnnotations":[]}]', '$[0].binaryAnnotations', /Zipkin v1/],
  ])('refuses %s at %s', (text, path, message) => {
    const err = decodeError(text);
    expect(err.path).toBe(path);
    expect(err.message).toMatch(message);
  });

  it('only ever throws ZipkinDecodeError on random garbage and mangled payloads', () => {
    const valid = JSON.stringify([{ traceId: '5af7183fb1d4cf5f', id: '352bff9a74ca9ad2', timestamp: 1712345678901234, localEndpoint: { serviceName: 'a' }, annotations: [{ timestamp: 1, value: 'x' }], tags: { k: 'v' } }]);
    const alphabet = '[]{}",:0123456789.-eEtruefalsn \\/abcdef';
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(1 + (i % 64));
      const candidates = [
        bytes.toString('latin1'),
        [...bytes].map((b) => alphabet[b % alphabet.length]).join(''),
        // Valid JSON with a byte changed, which reaches deeper into the decoder.
        valid.slice(0, bytes[0]! % valid.length) + alphabet[bytes[1]! % alphabet.length] + valid.slice((bytes[0]! % valid.length) + 1),
      ];
      for (const text of candidates) {
        try {
          parseZipkinSpansJson(text);
        } catch (err) {
          if (!(err instanceof ZipkinDecodeError)) throw new Error(`${JSON.stringify(text)} threw ${String(err)}`);
        }
      }
    }
  });
});
