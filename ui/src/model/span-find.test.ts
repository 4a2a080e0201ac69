import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildFindIndex, findRows, stepMatch } from './span-find';
import { makeSpan } from './fixtures/make-span';

const rows = buildRows(
  buildSpanTree([
    makeSpan({ id: 'root', name: 'GET /checkout', service: 'frontend', start: 0, end: 10 }),
    makeSpan({ id: 'db', parent: 'root', name: 'SELECT', service: 'postgres', start: 1, end: 2, attributes: [{ key: 'db.statement', value: { stringValue: 'SELECT * FROM Carts' } }] }),
    makeSpan({ id: 'pay', parent: 'root', name: 'charge', service: 'payments', start: 3, end: 4, attributes: [{ key: 'http.status_code', value: { intValue: '500' } }] }),
  ]),
);
const index = buildFindIndex(rows);

describe('find in trace', () => {
  it('matches names and services case-insensitively', () => {
    expect(findRows(index, 'checkout')).toEqual([0]);
    expect(findRows(index, 'POSTGRES')).toEqual([1]);
  });

  it('matches attribute values and key=value pairs', () => {
    expect(findRows(index, 'carts')).toEqual([1]);
    expect(findRows(index, 'http.status_code=500')).toEqual([2]);
    expect(findRows(index, 'status_code=404')).toEqual([]);
  });

  it('matches nothing for a blank query', () => {
    expect(findRows(index, '  ')).toEqual([]);
  });

  it('steps through matches with wrap-around', () => {
    expect(stepMatch([2, 5, 9], 5, 1)).toBe(9);
    expect(stepMatch([2, 5, 9], 9, 1)).toBe(2);
    expect(stepMatch([2, 5, 9], 2, -1)).toBe(9);
    expect(stepMatch([2, 5, 9], 6, -1)).toBe(5);
    expect(stepMatch([], 0, 1)).toBeUndefined();
  });
});
