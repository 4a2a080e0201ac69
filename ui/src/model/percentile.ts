/**
 * Percentiles as people write them (`99`, `99.9`, `97.5`), kept as decimal strings so
 * that `p99.9` never turns into 0.9990000000000001 on its way to the API.
 */

export const PERCENTILE_CHOICES = ['50', '90', '95', '99', '99.9'] as const;

export const DEFAULT_PERCENTILE = '99';

const PERCENTILE = /^(\d{1,2})(?:\.(\d{1,4}))?$/;

/** A percentile strictly between 0 and 100 with up to 4 decimals, normalized (`99.90` → `99.9`); else null. */
export function parsePercentile(text: string): string | null {
  const match = PERCENTILE.exec(text.trim());
  if (!match) return null;
  const whole = String(Number(match[1]));
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (whole === '0' && fraction === '') return null;
  return fraction ? `${whole}.${fraction}` : whole;
}

export function percentileLabel(percentile: string): string {
  return `p${percentile}`;
}

/** The quantile as a decimal string: `99.9` → `0.999`, `5` → `0.05`. */
export function percentileToQuantile(percentile: string): string {
  const [whole = '0', fraction = ''] = percentile.split('.');
  const digits = `${whole.padStart(2, '0')}${fraction}`.replace(/0+$/, '');
  return digits === '' ? '0' : `0.${digits}`;
}

/** The inverse of percentileToQuantile for the quantiles the API echoes back as numbers. */
export function quantileMatches(q: number, percentile: string): boolean {
  return Math.abs(q - Number(percentileToQuantile(percentile))) < 1e-9;
}
