import { describe, expect, it } from 'vitest';
import { buildSpanTree } from './span-tree';
import { buildRows } from './span-rows';
import { buildFindIndex, EMPTY_FIND, errorRows, filterRows, findRows, parseFindQuery, stepMatch } from './span-find';
import { buildErrorSummary } from './error-summary';
import { makeSpan } from './fixtures/make-span';

const deadlock = (span: ReturnType<typeof makeSpan>) => ({ ...span, status: { code: 2 as const, message: 'ERROR: deadlock detected' } });
const rows = buildRows(
  buildSpanTree([
    makeSpan({ id: 'root', name: 'GET /checkout', service: 'frontend', start: 0, end: 100 }),
    makeSpan({ id: 'db', parent: 'root', name: 'SELECT', service: 'postgres', host: 'db-7', start: 1, end: 2, attributes: [{ key: 'db.statement', value: { stringValue: 'SELECT * FROM Carts' } }] }),
    makeSpan({
      id: 'pay',
      parent: 'root',
      name: 'charge',
      service: 'payments',
      start: 3,
      end: 60,
      error: true,
      attributes: [{ key: 'http.status_code', value: { intValue: '500' } }],
      events: [{ at: 4, name: 'retry', attributes: [{ key: 'nettrace.line', value: { stringValue: 'backoff 20ms' } }] }],
    }),
    deadlock(makeSpan({ id: 'tx1', parent: 'pay', name: 'tx', service: 'payments', start: 5, end: 6 })),
    deadlock(makeSpan({ id: 'tx2', parent: 'pay', name: 'tx', service: 'payments', start: 7, end: 8 })),
  ]),
);
const index = buildFindIndex(rows);
const find = (text: string, errorsOnly = false) => findRows(rows, index, parseFindQuery(text, errorsOnly));

describe('find in trace', () => {
  it('matches names and services case-insensitively', () => {
    expect(find('checkout')).toEqual([0]);
    expect(find('POSTGRES')).toEqual([1]);
  });

  it('matches attribute values and key=value pairs', () => {
    expect(find('carts')).toEqual([1]);
    expect(find('http.status_code=500')).toEqual([2]);
    expect(find('status_code=404')).toEqual([]);
  });

  it('matches status, status message, resource attributes, events and their attributes', () => {
    expect(find('deadlock')).toEqual([3, 4]);
    expect(find('status=error')).toEqual([2, 3, 4]);
    expect(find('host.name=db-7')).toEqual([1]);
    expect(find('retry')).toEqual([2]);
    expect(find('backoff')).toEqual([2]);
    expect(find(rows[1]!.node.span.spanId)).toEqual([1]);
  });

  it('needs every term, and reads >duration and >percent as length filters', () => {
    expect(find('payments tx')).toEqual([3, 4]);
    expect(find('>50ms')).toEqual([0, 2]);
    expect(find('payments >50%')).toEqual([2]);
    expect(find('>fast')).toEqual([]);
    expect(parseFindQuery('>fast').terms).toEqual(['>fast']);
  });

  it('filters to errors only, with or without text', () => {
    expect(find('', true)).toEqual([2, 3, 4]);
    expect(find('charge', true)).toEqual([2]);
    expect(errorRows(rows)).toEqual([2, 3, 4]);
  });

  it('matches nothing for a blank query', () => {
    expect(find('  ')).toEqual([]);
    expect(findRows(rows, index, EMPTY_FIND)).toEqual([]);
  });

  it('filter mode keeps the matches and their ancestors, in order', () => {
    expect([...filterRows(rows, [3])]).toEqual([0, 2, 3]);
    expect([...filterRows(rows, [1, 4])]).toEqual([0, 1, 2, 4]);
    expect([...filterRows(rows, [])]).toEqual([]);
  });

  it('steps through matches with wrap-around', () => {
    expect(stepMatch([2, 5, 9], 5, 1)).toBe(9);
    expect(stepMatch([2, 5, 9], 9, 1)).toBe(2);
    expect(stepMatch([2, 5, 9], 2, -1)).toBe(9);
    expect(stepMatch([2, 5, 9], 6, -1)).toBe(5);
    expect(stepMatch([], 0, 1)).toBeUndefined();
  });
});

describe('error summary', () => {
  it('groups error spans by status message, most frequent first', () => {
    expect(buildErrorSummary(rows)).toEqual([
      { message: 'ERROR: deadlock detected', count: 2, firstRow: 3 },
      { message: '', count: 1, firstRow: 2 },
    ]);
  });
});
