import { describe, expect, it } from 'vitest';
import { hostName, isErrorEvent, isErrorSpan, isNetTraceEvent, serviceInstanceId, spanKindName, statusName } from './span-facts';
import { makeSpan } from './fixtures/make-span';

const event = (name: string, attributes: Array<[string, boolean | string]> = []) => ({
  timeUnixNano: '1',
  name,
  attributes: attributes.map(([key, v]) => ({ key, value: typeof v === 'boolean' ? { boolValue: v } : { stringValue: v } })),
  droppedAttributesCount: 0,
});

describe('span facts', () => {
  it('reads host and instance from the resource', () => {
    const span = makeSpan({ id: 'a', start: 0, end: 1, host: 'h1', instance: 'i1' });
    expect(hostName(span)).toBe('h1');
    expect(serviceInstanceId(span)).toBe('i1');
    expect(hostName(makeSpan({ id: 'b', start: 0, end: 1 }))).toBeUndefined();
  });

  it('names kinds and statuses, including unknown numbers', () => {
    expect(spanKindName(2)).toBe('server');
    expect(spanKindName(9)).toBe('kind 9');
    expect(statusName(2)).toBe('error');
    expect(isErrorSpan(makeSpan({ id: 'e', start: 0, end: 1, error: true }))).toBe(true);
  });

  it('recognizes net/trace and error events', () => {
    expect(isNetTraceEvent(event('recv', [['nettrace.family', 'grpc.Recv']]))).toBe(true);
    expect(isNetTraceEvent(event('cache miss', [['key', 'x']]))).toBe(false);
    expect(isErrorEvent(event('exception'))).toBe(true);
    expect(isErrorEvent(event('dial failed', [['nettrace.error', true]]))).toBe(true);
    expect(isErrorEvent(event('recv', [['nettrace.error', false]]))).toBe(false);
  });
});
