import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { parseRfc3339Nanos, parseV3TraceSearch } from './jaeger-v3-params.js';

const T = (raw: string) => parseRfc3339Nanos(raw, 'query.start_time_min');

describe('parseRfc3339Nanos', () => {
  it('keeps all nine fraction digits and applies offsets exactly', () => {
    expect(T('2024-04-05T19:34:38.901234567Z')).toBe(1712345678901234567n);
    expect(T('2024-04-05T21:34:38.901234567+02:00')).toBe(1712345678901234567n);
    expect(T('2024-04-05T19:04:38.9-00:30')).toBe(1712345678900000000n);
    expect(T('1970-01-01T00:00:00Z')).toBe(0n);
  });

  it.each(['2024-04-05', '2024-04-05 19:34:38Z', '2024-02-30T00:00:00Z', '2024-04-05T25:00:00Z', '2024-04-05T19:34:38.1234567890Z', '1712345678', '1969-12-31T23:59:59Z'])(
    'rejects %j with a 400 naming the parameter',
    (raw) => {
      expect(() => T(raw)).toThrow(AppError);
      expect(() => T(raw)).toThrow(/query\.start_time_min/);
    },
  );
});

describe('parseV3TraceSearch', () => {
  const parse = (qs: string) => parseV3TraceSearch(new URLSearchParams(qs));
  const window = 'query.start_time_min=2024-04-05T19:00:00Z&query.start_time_max=2024-04-05T20:00:00Z';

  it('reads every query.* parameter', () => {
    expect(parse(`${window}&query.service_name=api&query.operation_name=GET%20%2F&query.num_traces=7&query.duration_min=1.5ms&query.duration_max=2s`)).toEqual({
      tags: [],
      service: 'api',
      operation: 'GET /',
      startNs: 1712343600000000000n,
      endNs: 1712347200000000000n,
      limit: 7,
      minDurationNs: 1_500_000n,
      maxDurationNs: 2_000_000_000n,
    });
  });

  it('needs both time bounds, as Jaeger does', () => {
    expect(() => parse('query.service_name=api')).toThrow('query.start_time_min and query.start_time_max are required');
    expect(() => parse('query.start_time_min=2024-04-05T19:00:00Z')).toThrow(/required/);
  });

  it('defaults num_traces (and 0) to 100 and caps it', () => {
    expect(parse(window).limit).toBe(100);
    expect(parse(`${window}&query.num_traces=0`).limit).toBe(100);
    expect(parse(`${window}&query.num_traces=999999`).limit).toBe(1500);
    expect(() => parse(`${window}&query.num_traces=-1`)).toThrow(/query\.num_traces/);
  });

  it('rejects inverted windows and durations', () => {
    expect(() => parse('query.start_time_min=2024-04-05T20:00:00Z&query.start_time_max=2024-04-05T19:00:00Z')).toThrow(/before start/);
    expect(() => parse(`${window}&query.duration_min=2s&query.duration_max=1s`)).toThrow(/duration_max/);
    expect(() => parse(`${window}&query.duration_min=fast`)).toThrow(/query\.duration_min/);
  });
});
