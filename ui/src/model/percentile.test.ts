import { describe, expect, it } from 'vitest';
import { parsePercentile, percentileLabel, percentileToQuantile, quantileMatches } from './percentile';

describe('percentiles', () => {
  it('accepts percentiles between 0 and 100 and normalizes them', () => {
    expect(parsePercentile('99')).toBe('99');
    expect(parsePercentile(' 99.90 ')).toBe('99.9');
    expect(parsePercentile('97.5')).toBe('97.5');
    expect(parsePercentile('05')).toBe('5');
    expect(parsePercentile('0.1')).toBe('0.1');
    expect(parsePercentile('99.9999')).toBe('99.9999');
  });

  it('refuses anything else', () => {
    for (const text of ['', '0', '0.0', '100', '101', '-5', '99.99999', 'p99', '1e2', '.5', '99.']) expect(parsePercentile(text)).toBeNull();
  });

  it('turns a percentile into an exact quantile string', () => {
    expect(percentileToQuantile('99')).toBe('0.99');
    expect(percentileToQuantile('99.9')).toBe('0.999');
    expect(percentileToQuantile('50')).toBe('0.5');
    expect(percentileToQuantile('5')).toBe('0.05');
    expect(percentileToQuantile('97.25')).toBe('0.9725');
    expect(percentileToQuantile('0.1')).toBe('0.001');
  });

  it('matches the quantiles the API echoes back as numbers', () => {
    expect(quantileMatches(0.999, '99.9')).toBe(true);
    expect(quantileMatches(99.9 / 100, '99.9')).toBe(true);
    expect(quantileMatches(0.99, '99.9')).toBe(false);
    expect(percentileLabel('99.9')).toBe('p99.9');
  });
});
