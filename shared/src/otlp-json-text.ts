/**
 * Doubles JSON cannot spell: OTLP doubles may be NaN, ±Infinity or -0, which plain
 * JSON.stringify turns into null or 0.
 */

export function isSpecialNumber(n: number): boolean {
  return !Number.isFinite(n) || Object.is(n, -0);
}

export function containsSpecialNumber(value: unknown): boolean {
  if (typeof value === 'number') return isSpecialNumber(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(containsSpecialNumber);
  for (const key in value) if (containsSpecialNumber((value as Record<string, unknown>)[key])) return true;
  return false;
}

function spellNonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? (Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity') : value;
}

/**
 * JSON for API clients: NaN and ±Infinity spelled as OTLP/JSON spells doubles
 * ("NaN", "Infinity", "-Infinity"), where plain JSON.stringify would write null.
 */
export function toOtlpJsonText(value: unknown): string {
  // A replacer makes stringify about three times slower; walking first is far cheaper.
  return containsSpecialNumber(value) ? JSON.stringify(value, spellNonFinite) : JSON.stringify(value);
}
