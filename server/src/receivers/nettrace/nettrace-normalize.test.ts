import { isValidSpanId, isValidTraceId, SpanKind, StatusCode, UNKNOWN_SERVICE } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { parseNettraceJson, type NettraceJsonRecord, type NettraceJsonRequest } from './nettrace-json-decoder.js';
import { deriveRecordIds, REDACTED, toNettraceBatch } from './nettrace-normalize.js';
import { NETTRACE_SCOPE } from './nettrace-to-spans.js';
import { GO_UPLOADS } from './test-support/go-payloads.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const REDACT = { keepSensitive: false };

function jsonRecord(fields: Partial<NettraceJsonRecord> = {}): NettraceJsonRecord {
  return {
    type: 'trace',
    recordId: 'rec-1',
    seq: 1,
    family: 'grpc.Recv.Greeter',
    title: '/helloworld.Greeter/SayHello',
    startTimeUnixNano: 1_000_000_000n,
    elapsedNano: 1_500n,
    state: 'finished',
    error: false,
    maxEvents: 10,
    discardedEvents: 0,
    traceId: '',
    spanId: '',
    events: [
      { timeUnixNano: 1_000_000_100n, message: 'recv: hello', sensitive: false, error: false },
      { timeUnixNano: 1_000_000_200n, message: 'password=hunter2', sensitive: true, error: true },
    ],
    ...fields,
  };
}

function upload(records: NettraceJsonRecord[], resource: Array<[string, string]> = [['service.name', 'api'], ['host.name', 'h1']]): NettraceJsonRequest {
  return { resource, records };
}

describe('toNettraceBatch', () => {
  it('redacts sensitive messages unless told to keep them, and keeps the flag either way', () => {
    const redacted = toNettraceBatch(upload([jsonRecord()]), REDACT).requests[0]!;
    expect(redacted.events.map((e) => [e.message, e.sensitive])).toEqual([
      ['recv: hello', false],
      [REDACTED, true],
    ]);
    expect(redacted.span.events.map((e) => e.name)).toEqual(['recv: hello', REDACTED]);
    expect(JSON.stringify(redacted, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain('hunter2');

    const kept = toNettraceBatch(upload([jsonRecord()]), { keepSensitive: true }).requests[0]!;
    expect(kept.events[1]!).toMatchObject({ message: 'password=hunter2', sensitive: true });
    expect(kept.span.events[1]!.name).toBe('password=hunter2');
  });

  it('redacts event-log messages too', () => {
    const batch = toNettraceBatch(upload([jsonRecord({ type: 'eventLog' })]), REDACT);
    expect(batch.requests).toEqual([]);
    expect(batch.eventLogs[0]!.events[1]!.message).toBe(REDACTED);
  });

  it('takes service and instance from the resource', () => {
    const one = (resource: Array<[string, string]>) => toNettraceBatch(upload([jsonRecord()], resource), REDACT).requests[0]!;
    expect(one([['service.name', 'api'], ['host.name', 'h1']])).toMatchObject({ service: 'api', instance: 'h1' });
    expect(one([['host.name', 'h1'], ['service.instance.id', 'pod-7'], ['service.name', 'api']])).toMatchObject({ instance: 'pod-7' });
    expect(one([])).toMatchObject({ service: UNKNOWN_SERVICE, instance: '' });
    expect(one([['service.name', '']]).service).toBe(UNKNOWN_SERVICE);
    expect(one([['service.name', 'api'], ['k', 'v']]).span.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'api' } },
      { key: 'k', value: { stringValue: 'v' } },
    ]);
  });

  it('passes seq, totals and times through, so the store can order snapshots', () => {
    const r = toNettraceBatch(upload([jsonRecord({ seq: 7, discardedEvents: 4, maxEvents: 20, state: 'active', error: true })]), REDACT)
      .requests[0]!;
    expect(r).toMatchObject({
      recordId: 'rec-1', seq: 7, discardedEvents: 4, maxEvents: 20, state: 'active', error: true,
      family: 'grpc.Recv.Greeter', title: '/helloworld.Greeter/SayHello', startNs: 1_000_000_000n, elapsedNs: 1_500n,
    });
    expect(r.events[0]!.timeNs).toBe(1_000_000_100n);
  });

  it('keeps a span end within int64 whatever elapsed time a client claims', () => {
    const start = 2n ** 63n - 10n;
    const r = toNettraceBatch(upload([jsonRecord({ startTimeUnixNano: start, elapsedNano: 2n ** 63n - 1n })]), REDACT).requests[0]!;
    expect(r.elapsedNs).toBe(9n);
    expect(r.span.endTimeUnixNano).toBe(String(2n ** 63n - 1n));
  });

  describe('placing request traces', () => {
    it('gives a record without IDs a span and trace of its own, derived from (service, recordId)', () => {
      const r = toNettraceBatch(upload([jsonRecord()]), REDACT).requests[0]!;
      const ids = deriveRecordIds('api', 'rec-1');
      expect(r.joinedSpanId).toBe('');
      expect(r.span).toMatchObject({ traceId: ids.traceId, spanId: ids.spanId, parentSpanId: '' });
    });

    it('joins a record with both IDs to that span, as a child with a derived ID', () => {
      const r = toNettraceBatch(upload([jsonRecord({ traceId: TRACE, spanId: SPAN })]), REDACT).requests[0]!;
      expect(r.joinedSpanId).toBe(SPAN);
      expect(r.span).toMatchObject({ traceId: TRACE, spanId: deriveRecordIds('api', 'rec-1').spanId, parentSpanId: SPAN });
    });

    it('puts a record with only a trace ID at the root of that trace', () => {
      const r = toNettraceBatch(upload([jsonRecord({ traceId: TRACE })]), REDACT).requests[0]!;
      expect(r.joinedSpanId).toBe('');
      expect(r.span).toMatchObject({ traceId: TRACE, parentSpanId: '' });
    });

    it('ignores IDs on event logs, which belong to no request', () => {
      const batch = toNettraceBatch(upload([jsonRecord({ type: 'eventLog', traceId: TRACE, spanId: SPAN })]), REDACT);
      expect(batch.eventLogs[0]).not.toHaveProperty('joinedSpanId');
      expect(batch.eventLogs[0]).not.toHaveProperty('span');
    });
  });

  it('makes the span DESIGN.md asks for: name = title, nettrace.* attributes, ERROR when failed', () => {
    const r = toNettraceBatch(upload([jsonRecord({ error: true, discardedEvents: 3, state: 'active' })]), REDACT).requests[0]!;
    expect(r.span).toMatchObject({
      name: '/helloworld.Greeter/SayHello',
      kind: SpanKind.INTERNAL,
      startTimeUnixNano: '1000000000',
      endTimeUnixNano: '1000001500',
      status: { code: StatusCode.ERROR, message: '' },
      droppedEventsCount: 3,
      serviceName: 'api',
      scope: NETTRACE_SCOPE,
      attributes: [
        { key: 'nettrace.family', value: { stringValue: 'grpc.Recv.Greeter' } },
        { key: 'nettrace.record_id', value: { stringValue: 'rec-1' } },
        { key: 'nettrace.state', value: { stringValue: 'active' } },
      ],
    });
    expect(r.span.events[1]).toEqual({
      timeUnixNano: '1000000200',
      name: REDACTED,
      attributes: [
        { key: 'nettrace.family', value: { stringValue: 'grpc.Recv.Greeter' } },
        { key: 'nettrace.title', value: { stringValue: '/helloworld.Greeter/SayHello' } },
        { key: 'nettrace.record_id', value: { stringValue: 'rec-1' } },
        { key: 'nettrace.sensitive', value: { boolValue: true } },
        { key: 'nettrace.error', value: { boolValue: true } },
      ],
      droppedAttributesCount: 0,
    });
    const untitled = toNettraceBatch(upload([jsonRecord({ title: '' })]), REDACT).requests[0]!;
    expect(untitled.span.name).toBe('grpc.Recv.Greeter');
    expect(toNettraceBatch(upload([jsonRecord()]), REDACT).requests[0]!.span.status.code).toBe(StatusCode.UNSET);
  });

  it('normalizes what the Go bridge sends', () => {
    const batch = toNettraceBatch(parseNettraceJson(GO_UPLOADS[0]!), REDACT);
    expect(batch.requests.map((r) => [r.service, r.instance, r.joinedSpanId])).toEqual([
      ['greeter', 'h1', SPAN],
      ['greeter', 'h1', ''],
    ]);
    expect(batch.requests[0]!.events.map((e) => e.message)).toEqual(['recv: name="world"', REDACTED]);
    expect(batch.eventLogs).toHaveLength(1);
  });
});

describe('deriveRecordIds', () => {
  it('is deterministic, valid, and tells services and records apart', () => {
    const a = deriveRecordIds('api', '9f3c0a1b2c3d4e5f');
    expect(deriveRecordIds('api', '9f3c0a1b2c3d4e5f')).toEqual(a);
    expect(isValidTraceId(a.traceId) && isValidSpanId(a.spanId)).toBe(true);
    expect(deriveRecordIds('web', '9f3c0a1b2c3d4e5f')).not.toEqual(a);
    expect(deriveRecordIds('api', '9f3c0a1b2c3d4e60')).not.toEqual(a);
    // No separator games: ("a b", "c") and ("a", "b c") differ.
    expect(deriveRecordIds('a b', 'c')).not.toEqual(deriveRecordIds('a', 'b c'));
  });
});
