import { describe, expect, it } from 'vitest';
import {
  NETTRACE_LIMITS,
  NettraceDecodeError,
  parseNettraceJson,
  truncateText,
  type NettraceJsonRecord,
} from './nettrace-json-decoder.js';
import { GO_UPLOADS } from './test-support/go-payloads.js';

type Json = Record<string, unknown>;

const record = (fields: Json = {}): Json => ({
  type: 'trace',
  recordId: '9f3c0a1b2c3d4e5f',
  seq: 3,
  startTimeUnixNano: '1712345678901234567',
  ...fields,
});

const decode = (body: unknown) => parseNettraceJson(JSON.stringify(body));
const decodeRecord = (fields: Json): NettraceJsonRecord => decode({ records: [record(fields)] }).records[0]!;

/** The path and message of the NettraceDecodeError `body` raises. */
function failure(body: unknown): { path: string; message: string } {
  try {
    parseNettraceJson(typeof body === 'string' ? body : JSON.stringify(body));
  } catch (err) {
    if (err instanceof NettraceDecodeError) return { path: err.path, message: err.message };
    throw err;
  }
  throw new Error('decoded without error');
}

const recordFailure = (fields: Json) => failure({ records: [record(fields)] });

describe('parseNettraceJson', () => {
  it('decodes every field of the example in DESIGN.md §3', () => {
    const got = decode({
      resource: { 'service.name': 'api', 'host.name': 'h1' },
      records: [
        {
          type: 'trace',
          recordId: '9f3c0a1b2c3d4e5f',
          seq: 3,
          family: 'grpc.Recv.Greeter',
          title: '/helloworld.Greeter/SayHello',
          startTimeUnixNano: '1712345678901234567',
          elapsedNano: '1500000',
          state: 'finished',
          error: false,
          maxEvents: 10,
          discardedEvents: 0,
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          events: [{ timeUnixNano: '1712345678901234999', message: 'recv: x', sensitive: true, error: false }],
        },
      ],
    });
    expect(got).toEqual({
      resource: [
        ['service.name', 'api'],
        ['host.name', 'h1'],
      ],
      records: [
        {
          type: 'trace',
          recordId: '9f3c0a1b2c3d4e5f',
          seq: 3,
          family: 'grpc.Recv.Greeter',
          title: '/helloworld.Greeter/SayHello',
          startTimeUnixNano: 1712345678901234567n,
          elapsedNano: 1500000n,
          state: 'finished',
          error: false,
          maxEvents: 10,
          discardedEvents: 0,
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          spanId: '00f067aa0ba902b7',
          events: [{ timeUnixNano: 1712345678901234999n, message: 'recv: x', sensitive: true, error: false }],
        },
      ],
    });
  });

  it('decodes what the Go bridge sends', () => {
    const [first, second] = GO_UPLOADS.map(parseNettraceJson) as [ReturnType<typeof parseNettraceJson>, ReturnType<typeof parseNettraceJson>];
    expect(first.resource).toEqual([
      ['host.name', 'h1'],
      ['service.name', 'greeter'],
    ]);
    expect(first.records.map((r) => [r.type, r.state, r.error, r.traceId, r.spanId])).toEqual([
      ['trace', 'finished', true, '00000000000000004bf92f3577b34da6', '00f067aa0ba902b7'],
      ['trace', 'finished', false, '', ''],
      ['eventLog', 'active', true, '', ''],
    ]);
    expect(first.records[0]!.events.map((e) => [e.message, e.sensitive])).toEqual([
      ['recv: name="world"', false],
      ['token=s3cr3t', true],
    ]);
    expect(first.records[1]!.events[0]!.message).toBe('ok <b>&</b> é');
    expect(first.records[2]!).toMatchObject({ maxEvents: 100, seq: 1, family: 'conn.pool', title: 'db:5432' });
    expect(second.records).toMatchObject([{ type: 'eventLog', seq: 2, state: 'finished', recordId: first.records[2]!.recordId }]);
    for (const r of [...first.records, ...second.records]) {
      expect(typeof r.startTimeUnixNano).toBe('bigint');
      expect(r.elapsedNano).toBeGreaterThan(0n);
    }
  });

  it('fills absent and null members with their defaults', () => {
    const minimal = decodeRecord({});
    const nulls = decodeRecord({
      family: null, title: null, elapsedNano: null, state: null, error: null, maxEvents: null,
      discardedEvents: null, traceId: null, spanId: null, events: null,
    });
    const defaults = {
      family: '', title: '', elapsedNano: 0n, state: 'finished', error: false, maxEvents: 0,
      discardedEvents: 0, traceId: '', spanId: '', events: [],
    };
    expect(minimal).toMatchObject(defaults);
    expect(nulls).toMatchObject(defaults);
    expect(decode({ records: [] })).toEqual({ resource: [], records: [] });
    expect(decode({ resource: null, records: [] }).resource).toEqual([]);
    expect(decodeRecord({ events: [{ timeUnixNano: '5', message: null, sensitive: null, error: null }] }).events).toEqual([
      { timeUnixNano: 5n, message: '', sensitive: false, error: false },
    ]);
  });

  it('ignores unknown members, __proto__ included', () => {
    const got = decode({ version: 2, records: [record({ extra: { deep: [1] }, type: 'eventLog' })] });
    expect(got.records[0]!.type).toBe('eventLog');
    const text = '{"constructor":1,"records":[{"type":"trace","recordId":"a","seq":1,"startTimeUnixNano":"1","__proto__":{"title":"x"}}]}';
    expect(parseNettraceJson(text).records[0]!.title).toBe('');
  });

  describe('IDs', () => {
    it('lowercases, pads 64-bit IDs and treats empty or all-zero as absent', () => {
      expect(decodeRecord({ traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', spanId: '00F067AA0BA902B7' })).toMatchObject({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
      });
      expect(decodeRecord({ traceId: '4bf92f3577b34da6', spanId: 'abc' })).toMatchObject({
        traceId: '00000000000000004bf92f3577b34da6',
        spanId: '0000000000000abc',
      });
      expect(decodeRecord({ traceId: '', spanId: '' })).toMatchObject({ traceId: '', spanId: '' });
      expect(decodeRecord({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) })).toMatchObject({ traceId: '', spanId: '' });
      expect(decodeRecord({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })).toMatchObject({ spanId: '' });
    });

    it('refuses IDs that are not hex, too long, or a span without a trace', () => {
      expect(recordFailure({ traceId: 'xyz' }).path).toBe('$.records[0].traceId');
      expect(recordFailure({ traceId: ' 4bf9' }).path).toBe('$.records[0].traceId');
      expect(recordFailure({ traceId: 'a'.repeat(33) }).message).toMatch(/1 to 32 hex digits/);
      expect(recordFailure({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(17) }).path).toBe('$.records[0].spanId');
      expect(recordFailure({ traceId: 42 }).message).toMatch(/expected a string, got number 42/);
      expect(recordFailure({ spanId: '00f067aa0ba902b7' })).toEqual({
        path: '$.records[0].spanId',
        message: '$.records[0].spanId: a spanId needs a traceId',
      });
    });
  });

  describe('times and counts', () => {
    it('takes decimal strings up to int64 and exact JSON numbers', () => {
      expect(decodeRecord({ startTimeUnixNano: '9223372036854775807' }).startTimeUnixNano).toBe(2n ** 63n - 1n);
      expect(decodeRecord({ startTimeUnixNano: 0, elapsedNano: 1500 })).toMatchObject({ startTimeUnixNano: 0n, elapsedNano: 1500n });
      expect(decodeRecord({ seq: Number.MAX_SAFE_INTEGER }).seq).toBe(Number.MAX_SAFE_INTEGER);
    });

    it.each([
      ['startTimeUnixNano', '9223372036854775808'],
      ['startTimeUnixNano', '-1'],
      ['startTimeUnixNano', '1.5'],
      ['startTimeUnixNano', '1e9'],
      ['startTimeUnixNano', ''],
      ['startTimeUnixNano', 1712345678901234567],
      ['startTimeUnixNano', true],
      ['elapsedNano', -5],
      ['elapsedNano', 'abc'],
      ['seq', -1],
      ['seq', 1.5],
      ['seq', '3'],
      ['seq', 2 ** 53],
      ['maxEvents', -1],
      ['discardedEvents', 'many'],
    ])('refuses %s = %j', (field, value) => {
      expect(recordFailure({ [field]: value }).path).toBe(`$.records[0].${field}`);
    });

    it('requires seq, recordId, type and startTimeUnixNano', () => {
      for (const field of ['seq', 'recordId', 'type', 'startTimeUnixNano']) {
        const fields = record();
        delete fields[field];
        expect(failure({ records: [fields] })).toEqual({ path: `$.records[0].${field}`, message: `$.records[0].${field}: missing` });
      }
    });
  });

  describe('shape', () => {
    it.each<[string, unknown, string]>([
      ['not JSON', '{"records": [', '$'],
      ['an array', [], '$'],
      ['no records', {}, '$.records'],
      ['records not an array', { records: {} }, '$.records'],
      ['a record not an object', { records: [1] }, '$.records[0]'],
      ['a resource not an object', { resource: ['x'], records: [] }, '$.resource'],
      ['a resource value not a string', { resource: { 'service.name': 1 }, records: [] }, '$.resource["service.name"]'],
      ['an unknown type', { records: [record({ type: 'span' })] }, '$.records[0].type'],
      ['an unknown state', { records: [record({ state: 'done' })] }, '$.records[0].state'],
      ['an empty recordId', { records: [record({ recordId: '' })] }, '$.records[0].recordId'],
      ['error not a boolean', { records: [record({ error: 'yes' })] }, '$.records[0].error'],
      ['family not a string', { records: [record({ family: ['a'] })] }, '$.records[0].family'],
      ['title not a string', { records: [record({ title: {} })] }, '$.records[0].title'],
      ['events not an array', { records: [record({ events: {} })] }, '$.records[0].events'],
      ['an event not an object', { records: [record({ events: ['x'] })] }, '$.records[0].events[0]'],
      ['an event without time', { records: [record({ events: [{ message: 'm' }] })] }, '$.records[0].events[0].timeUnixNano'],
      ['a message not a string', { records: [record({ events: [{ timeUnixNano: '1', message: 5 }] })] }, '$.records[0].events[0].message'],
      ['sensitive not a boolean', { records: [record({ events: [{ timeUnixNano: '1', sensitive: 1 }] })] }, '$.records[0].events[0].sensitive'],
      ['an event error not a boolean', { records: [{ ...record(), events: [{ timeUnixNano: '1' }, { timeUnixNano: '2', error: 'no' }] }] }, '$.records[0].events[1].error'],
    ])('refuses %s, naming where', (_name, body, path) => {
      expect(failure(body).path).toBe(path);
    });

    it('skips null resource values and keeps the upload order', () => {
      expect(decode({ resource: { b: '2', a: null, c: '3' }, records: [] }).resource).toEqual([
        ['b', '2'],
        ['c', '3'],
      ]);
    });
  });

  describe('bounds', () => {
    it(`refuses more than ${NETTRACE_LIMITS.records} records`, () => {
      const records = Array.from({ length: NETTRACE_LIMITS.records + 1 }, () => record());
      expect(failure({ records }).path).toBe('$.records');
      expect(decode({ records: records.slice(1) }).records).toHaveLength(NETTRACE_LIMITS.records);
    });

    it('keeps the first and latest events of a trace past the bound, like x/net/trace', () => {
      const extra = 7;
      const events = Array.from({ length: NETTRACE_LIMITS.events + extra }, (_, i) => ({ timeUnixNano: String(i), message: `m${i}` }));
      const got = decodeRecord({ events, discardedEvents: 5 });
      const head = Math.floor((NETTRACE_LIMITS.events - 1) / 2);
      expect(got.events).toHaveLength(NETTRACE_LIMITS.events);
      expect(got.events[head - 1]!.message).toBe(`m${head - 1}`);
      expect(got.events[head]!.message).toBe(`m${head + extra}`);
      expect(got.events.at(-1)!.message).toBe(`m${NETTRACE_LIMITS.events + extra - 1}`);
      expect(got.discardedEvents).toBe(5 + extra);
    });

    it("leaves an event-log delta whole: the store's per-log bound counts what it drops", () => {
      const events = Array.from({ length: NETTRACE_LIMITS.events + 3 }, (_, i) => ({ timeUnixNano: String(i), message: `m${i}` }));
      const got = decodeRecord({ type: 'eventLog', events, discardedEvents: 2 });
      expect(got.events).toHaveLength(NETTRACE_LIMITS.events + 3);
      expect(got.discardedEvents).toBe(2);
    });

    it('still reports a malformed event among those it would drop', () => {
      const events: unknown[] = Array.from({ length: NETTRACE_LIMITS.events + 3 }, (_, i) => ({ timeUnixNano: String(i) }));
      events[600] = { timeUnixNano: 'x' };
      expect(recordFailure({ events }).path).toBe('$.records[0].events[600].timeUnixNano');
    });

    it('cuts overlong texts instead of refusing them', () => {
      const got = decode({
        resource: { ['k'.repeat(300)]: 'v'.repeat(2000) },
        records: [
          record({
            family: 'f'.repeat(300),
            title: 't'.repeat(2000),
            events: [{ timeUnixNano: '1', message: 'm'.repeat(NETTRACE_LIMITS.messageChars + 1) }],
          }),
        ],
      });
      const [key, value] = got.resource[0]!;
      expect([key.length, value.length]).toEqual([NETTRACE_LIMITS.resourceKeyChars, NETTRACE_LIMITS.resourceValueChars]);
      const r = got.records[0]!;
      expect(r.family).toHaveLength(NETTRACE_LIMITS.familyChars);
      expect(r.title).toHaveLength(NETTRACE_LIMITS.titleChars);
      expect(r.events[0]!.message).toHaveLength(NETTRACE_LIMITS.messageChars);
      expect(r.events[0]!.message.endsWith('m…')).toBe(true);
    });

    it('refuses an overlong recordId (it is a key) and too many resource attributes', () => {
      expect(recordFailure({ recordId: 'r'.repeat(NETTRACE_LIMITS.recordIdChars + 1) }).path).toBe('$.records[0].recordId');
      const resource = Object.fromEntries(Array.from({ length: NETTRACE_LIMITS.resourceAttributes + 1 }, (_, i) => [`k${i}`, 'v']));
      expect(failure({ resource, records: [] }).path).toBe('$.resource');
    });
  });

  it('only ever throws NettraceDecodeError, whatever the input', () => {
    // A seeded generator: a failure is reproducible.
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const scalars: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 64, '', 'x', '1', '-1', '00', '9'.repeat(30), 'ab'.repeat(20), {}, []];
    const keys = ['type', 'recordId', 'seq', 'family', 'title', 'startTimeUnixNano', 'elapsedNano', 'state', 'error',
      'maxEvents', 'discardedEvents', 'traceId', 'spanId', 'events', 'timeUnixNano', 'message', 'sensitive', 'resource',
      'records', '__proto__', 'constructor', 'toString'];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.5) return pick(scalars);
      if (r < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 6) }, () => [pick(keys), value(depth + 1)]));
    };
    const valid = JSON.stringify({ resource: { 'service.name': 'a' }, records: [record({ events: [{ timeUnixNano: '1' }] })] });
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      let text: string;
      const mode = i % 3;
      if (mode === 0) text = JSON.stringify({ resource: value(1), records: [record(value(1) as Json), value(1)] });
      else if (mode === 1) {
        const at = Math.floor(random() * valid.length);
        text = valid.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + valid.slice(at + 1);
      } else text = Array.from({ length: Math.floor(random() * 40) }, () => String.fromCharCode(Math.floor(random() * 0x3000))).join('');
      try {
        parseNettraceJson(text);
        decoded++;
      } catch (err) {
        if (!(err instanceof NettraceDecodeError)) throw new Error(`input ${JSON.stringify(text)} threw ${String(err)}`);
      }
    }
    expect(decoded).toBeGreaterThan(0);
  });
});

describe('truncateText', () => {
  it('keeps short texts and marks cut ones', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcd', 3)).toBe('ab…');
  });

  it('never leaves half a surrogate pair', () => {
    const cut = truncateText('a😀bc', 3);
    expect(cut).toBe('a…');
    expect(cut.length).toBeLessThanOrEqual(3);
  });
});
