/**
 * Go's `time.ParseDuration` syntax, which Jaeger's query API, the Jaeger UI and Grafana
 * all use for `minDuration`/`maxDuration`. Results are exact nanoseconds as bigint:
 * Go rounds fractions through float64, we truncate exactly, which can only differ in
 * the last nanosecond.
 */

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const SECOND = 1_000_000_000n;
const MINUTE = 60n * SECOND;
const HOUR = 60n * MINUTE;
const DAY = 24n * HOUR;

const GO_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', NS],
  ['us', US],
  ['µs', US], // U+00B5 micro sign
  ['μs', US], // U+03BC Greek mu: Go accepts both
  ['ms', MS],
  ['s', SECOND],
  ['m', MINUTE],
  ['h', HOUR],
]);

/** The Jaeger UI's lookback choices go past hours ("2d", "1w"), which Go durations cannot say. */
const LOOKBACK_UNITS: ReadonlyMap<string, bigint> = new Map([...GO_UNITS, ['d', DAY], ['w', 7n * DAY]]);

const MAX_INT64 = (1n << 63n) - 1n;

export class DurationSyntaxError extends Error {
  constructor(readonly input: string, reason: string) {
    super(reason);
    this.name = 'DurationSyntaxError';
  }
}

/** Parses `1.5s`, `300ms`, `1h2m3.5s`, `-2m`, `0`; throws DurationSyntaxError otherwise. */
export function parseGoDuration(input: string): bigint {
  return parseWithUnits(input, GO_UNITS);
}

/** Go duration syntax plus `d` (24h) and `w` (7d), for Jaeger UI lookback values like `2d`. */
export function parseLookbackDuration(input: string): bigint {
  return parseWithUnits(input, LOOKBACK_UNITS);
}

function parseWithUnits(input: string, units: ReadonlyMap<string, bigint>): bigint {
  let rest = input;
  const negative = rest.startsWith('-');
  if (negative || rest.startsWith('+')) rest = rest.slice(1);
  // Go's one unitless special case.
  if (rest === '0') return 0n;
  if (rest === '') throw new DurationSyntaxError(input, 'empty duration');

  // One `<digits>[.<digits>]<unit>` component per match; sticky so nothing is skipped.
  const component = /(\d*)(?:\.(\d*))?([^\d.]*)/y;
  let total = 0n;
  while (component.lastIndex < rest.length) {
    const match = component.exec(rest);
    const [, whole = '', fraction, unitName = ''] = match ?? [];
    if (whole === '' && (fraction === undefined || fraction === '')) {
      throw new DurationSyntaxError(input, 'expected a number');
    }
    if (unitName === '') throw new DurationSyntaxError(input, 'missing unit');
    const unit = units.get(unitName);
    if (unit === undefined) throw new DurationSyntaxError(input, `unknown unit "${unitName}"`);
    total += BigInt(whole || '0') * unit;
    if (fraction) total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    if (total > MAX_INT64) throw new DurationSyntaxError(input, 'out of range');
  }
  return negative ? -total : total;
}
