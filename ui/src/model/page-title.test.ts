import { describe, expect, it } from 'vitest';
import { pageTitle, traceTitle } from './page-title';
import { parseRoute } from './route';

describe('tab titles', () => {
  it('names each page, and what it shows', () => {
    expect(pageTitle(parseRoute('/search', ''))).toBe('Search · Threadline');
    expect(pageTitle(parseRoute('/search', '?service=orders'))).toBe('Search orders · Threadline');
    expect(pageTitle(parseRoute('/trace/4bf92f3577b34da6a3ce929d0e0e4736', '?span=01'))).toBe('Trace 4bf92f35 · Threadline');
    expect(pageTitle(parseRoute('/operations/orders/GET%20%2Fcart', ''))).toBe('orders: GET /cart · Threadline');
    expect(pageTitle(parseRoute('/dependencies', ''))).toBe('Dependencies · Threadline');
    expect(pageTitle(parseRoute('/nope', ''))).toBe('Not found · Threadline');
    expect(traceTitle('web', 'GET /', '4bf92f3577b34da6a3ce929d0e0e4736')).toBe('web: GET / · Trace 4bf92f35 · Threadline');
  });
});
