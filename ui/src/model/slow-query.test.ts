import { describe, expect, it } from 'vitest';
import { DEFAULT_SLOW_QUERY, parseSlowParams, slowQueryToParams, type SlowQuery } from './slow-query';
import { operationPath, operationsPath, slowPath } from './latency-routes';
import { parseRoute } from './route';

const full: SlowQuery = {
  service: 'orders',
  operation: 'orders.Checkout',
  window: 'custom',
  start: '1712345678000000000',
  end: '1712349278000000000',
  percentile: '99.9',
  tags: ['region=eu', 'k=a=b'],
  errorsOnly: true,
};

describe('percentile search URL state', () => {
  it('round-trips through URL parameters and a whole route', () => {
    for (const query of [full, { ...DEFAULT_SLOW_QUERY, service: 'a b&c', percentile: '97.5' }]) {
      expect(parseSlowParams(new URLSearchParams(slowQueryToParams(query).toString()))).toEqual(query);
      const path = slowPath(query);
      expect(parseRoute('/slow', path.slice('/slow'.length))).toEqual({ page: 'slow', query, submitted: true });
    }
  });

  it('writes the link of the issue as people would type it', () => {
    expect(slowPath({ ...DEFAULT_SLOW_QUERY, service: 'orders', operation: 'Checkout' })).toBe('/slow?service=orders&operation=Checkout&window=1h&percentile=99');
  });

  it('falls back to p99 and drops bad tags from a pasted link; without a service nothing runs', () => {
    const query = parseSlowParams(new URLSearchParams('service=x&percentile=120&tag=novalue&tag=a=1&errorsOnly=yes'));
    expect(query).toEqual({ ...DEFAULT_SLOW_QUERY, service: 'x', tags: ['a=1'] });
    expect(parseRoute('/slow', '')).toMatchObject({ page: 'slow', submitted: false });
  });
});

describe('operation routes', () => {
  it('encodes service and operation names, slashes and spaces included, as path segments', () => {
    const path = operationPath('web shop', 'GET /cart/{id}');
    expect(path).toBe('/operations/web%20shop/GET%20%2Fcart%2F%7Bid%7D?window=1h');
    const [pathname, search] = path.split('?');
    expect(parseRoute(pathname!, `?${search}`)).toMatchObject({ page: 'operation', query: { service: 'web shop', operation: 'GET /cart/{id}' } });
  });

  it('keeps the operations list state: service, window and sort', () => {
    expect(operationsPath({ service: 'orders' })).toBe('/operations?service=orders&window=1h');
    const path = operationsPath({ service: 'orders', window: '6h', sort: 'p99', dir: 'desc' });
    expect(parseRoute('/operations', path.slice('/operations'.length))).toEqual({
      page: 'operations',
      query: { service: 'orders', window: '6h', start: '', end: '', sort: 'p99', dir: 'desc' },
    });
  });

  it('answers an undecodable segment with not-found', () => {
    expect(parseRoute('/operations/%E0%A4%A/x', '')).toMatchObject({ page: 'not-found' });
    expect(parseRoute('/operations/a/b/c', '')).toMatchObject({ page: 'not-found' });
  });
});
