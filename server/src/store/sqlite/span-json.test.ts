import { describe, expect, it } from 'vitest';
import { parseJsonText, toJsonText } from './span-json.js';

describe('span JSON', () => {
  it('writes ordinary values as plain JSON', () => {
    const value = { a: 1.5, b: [true, 'x', null], c: { d: -2 } };
    expect(toJsonText(value)).toBe(JSON.stringify(value));
  });

  it('keeps NaN, ±Infinity and -0, which plain JSON loses', () => {
    const value = { values: [NaN, Infinity, -Infinity, -0, 0, 1e308] };
    const back = parseJsonText<typeof value>(toJsonText(value));
    expect(back.values.map((n) => Object.is(n, -0) ? '-0' : String(n))).toEqual([
      'NaN', 'Infinity', '-Infinity', '-0', '0', '1e+308',
    ]);
  });

  it('leaves strings that mention the marker alone', () => {
    const value = { s: '{"$float":"NaN"}', t: '"$float"' };
    expect(parseJsonText(toJsonText(value))).toEqual(value);
  });
});
