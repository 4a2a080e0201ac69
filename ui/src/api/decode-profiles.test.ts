import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error';
import { parseExecTraceResponse, parseProfileDiffResponse, parseSpanCpuResponse } from './decode-profiles';

describe('profile response decoders', () => {
  it('decode a span CPU profile', () => {
    expect(parseSpanCpuResponse({ unit: 'nanoseconds', total: 5, stacks: [{ frames: ['main', 'f'], value: 5 }], spanIds: ['a'], labeledSpanId: 'a' })).toEqual({
      unit: 'nanoseconds',
      total: 5,
      stacks: [{ frames: ['main', 'f'], value: 5 }],
      spanIds: ['a'],
      labeledSpanId: 'a',
    });
  });

  it('decode an execution trace with nanoseconds as numbers', () => {
    const summary = parseExecTraceResponse({
      traceId: 't',
      spanId: 's',
      summary: { durationNano: '10', goroutines: 1, startSeen: true, states: [{ state: 'mutex', durationNano: '7' }], topStacks: [{ state: 'mutex', reason: 'sync', durationNano: '7', count: 2, frames: ['x'] }] },
      hasRawTrace: false,
      rawTraceBytes: 99,
    });
    expect(summary.states).toEqual([{ state: 'mutex', durationNano: 7 }]);
    expect(summary.topStacks[0]).toEqual({ state: 'mutex', reason: 'sync', durationNano: 7, count: 2, frames: ['x'] });
  });

  it('refuse a shape they do not expect with a bad_response ApiError naming the path', () => {
    const bad = () => parseProfileDiffResponse({ thresholdNano: '5', slowSpans: 1, slow: { unit: 'ns', total: 1, stacks: [{ frames: 'main', value: 1 }] }, rest: {} });
    expect(bad).toThrow(ApiError);
    expect(bad).toThrow('slow.stacks[0].frames');
  });
});
