import { describe, expect, it } from 'vitest';
import { markerLabel, markerTitle, toMarkerMap } from './profile-markers';

describe('profile markers', () => {
  it('are found by span ID and say what the span has', () => {
    const markers = toMarkerMap([
      { spanId: 'a', cpu: true, execTrace: false },
      { spanId: 'b', cpu: true, execTrace: true },
      { spanId: 'c', cpu: false, execTrace: true },
    ]);
    expect(markerLabel(markers.get('a')!)).toBe('cpu');
    expect(markerLabel(markers.get('b')!)).toBe('cpu·trace');
    expect(markerLabel(markers.get('c')!)).toBe('trace');
    expect(markerTitle(markers.get('b')!)).toContain('CPU profile and execution trace');
    expect(markers.has('d')).toBe(false);
  });
});
