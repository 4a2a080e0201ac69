/**
 * `12,345`: a count with its thousands grouped, as `toLocaleString('en-US')` writes it, without
 * Intl. The page's first use of Intl (any locale) sets up ICU and took 23–56 ms in a fresh page
 * of Debian's Chromium on the 2-core machine; the trace page showed its span count with it on
 * the way to its first paint.
 */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const [whole, fraction] = String(Math.abs(n)).split('.') as [string, string | undefined];
  // Exponent notation (≥ 1e21) has no digits to group.
  if (whole.includes('e')) return String(n);
  let grouped = '';
  for (let end = whole.length; end > 0; end -= 3) grouped = whole.slice(Math.max(0, end - 3), end) + (grouped === '' ? '' : `,${grouped}`);
  return sign + grouped + (fraction === undefined ? '' : `.${fraction}`);
}
