import { describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW, parseWindowParams, previousWindow, resolveWindow, writeWindowParams, type TimeWindow } from './latency-window';

function roundTrip(window: TimeWindow): TimeWindow {
  const params = new URLSearchParams();
  writeWindowParams(window, params);
  return parseWindowParams(new URLSearchParams(params.toString()));
}

describe('time window URL state', () => {
  it('round-trips relative and custom windows', () => {
    for (const window of [DEFAULT_WINDOW, { window: '15m', start: '', end: '' }, { window: 'custom', start: '1712345678000000000', end: '1712349278000000000' }] as TimeWindow[]) {
      expect(roundTrip(window)).toEqual(window);
    }
  });

  it('writes only what the window needs', () => {
    const params = new URLSearchParams();
    writeWindowParams({ window: '6h', start: '1', end: '2' }, params);
    expect(params.toString()).toBe('window=6h');
  });

  it('falls back to the last hour for anything unusable', () => {
    expect(parseWindowParams(new URLSearchParams('window=3w'))).toEqual(DEFAULT_WINDOW);
    expect(parseWindowParams(new URLSearchParams(''))).toEqual(DEFAULT_WINDOW);
    expect(parseWindowParams(new URLSearchParams('window=custom&start=abc&end=5'))).toEqual(DEFAULT_WINDOW);
    // A range that ends before it starts is not a range.
    expect(parseWindowParams(new URLSearchParams('window=custom&start=9&end=5'))).toEqual(DEFAULT_WINDOW);
  });

  it('resolves a relative window against now, in nanoseconds, and a custom one as it is', () => {
    const now = Date.UTC(2024, 3, 5, 12, 0, 0);
    expect(resolveWindow({ window: '1h', start: '', end: '' }, now)).toEqual({
      startNs: `${now - 3_600_000}000000`,
      endNs: `${now}000000`,
    });
    expect(resolveWindow({ window: 'custom', start: '10', end: '20' }, now)).toEqual({ startNs: '10', endNs: '20' });
  });
});

describe('previous window', () => {
  it('has the same length and ends just before the window starts', () => {
    expect(previousWindow({ startNs: '1000', endNs: '1999' })).toEqual({ startNs: '0', endNs: '999' });
    expect(previousWindow({ startNs: '1712345678000000000', endNs: '1712349278000000000' })).toEqual({
      startNs: '1712342077999999999',
      endNs: '1712345677999999999',
    });
  });
});
