import { describe, expect, it } from 'vitest';
import {
  DEFAULT_NETTRACE_QUERY,
  nettraceEventsQueryToParams,
  nettraceRequestsQueryToParams,
  parseNettraceEventsParams,
  parseNettraceRequestsParams,
  type NettraceEventsQuery,
  type NettraceRequestsQuery,
} from './nettrace-query';
import { nettraceEventsPath, nettracePath, nettraceRequestsPath } from './nettrace-routes';
import { parseRoute } from './route';

describe('net/trace URL state', () => {
  const requests: NettraceRequestsQuery = {
    ...DEFAULT_NETTRACE_QUERY,
    service: 'orders',
    instance: 'orders-1',
    window: '6h',
    family: 'grpc.Recv.Checkout',
    minDuration: '50ms',
    errorsOnly: true,
    active: true,
  };
  const events: NettraceEventsQuery = { service: '', instance: 'h 1', family: 'conn.pool', errorsWithin: '10m' };

  it('round-trips the request and event-log lists', () => {
    expect(parseNettraceRequestsParams(new URLSearchParams(nettraceRequestsQueryToParams(requests).toString()))).toEqual(requests);
    expect(parseNettraceEventsParams(new URLSearchParams(nettraceEventsQueryToParams(events).toString()))).toEqual(events);
  });

  it('routes the three pages', () => {
    const path = nettraceRequestsPath(requests);
    expect(path).toBe('/nettrace/requests?family=grpc.Recv.Checkout&minDuration=50ms&errorsOnly=true&active=true&service=orders&instance=orders-1&window=6h');
    expect(parseRoute('/nettrace/requests', path.slice(path.indexOf('?')))).toEqual({ page: 'nettrace-requests', query: requests });
    expect(parseRoute('/nettrace/events', nettraceEventsPath(events).slice('/nettrace/events'.length))).toEqual({ page: 'nettrace-events', query: events });
    expect(nettracePath()).toBe('/nettrace?window=1h');
    expect(parseRoute('/nettrace/', '?service=a')).toMatchObject({ page: 'nettrace', query: { service: 'a', window: '1h' } });
  });

  it('ignores a bad duration or period from a pasted link', () => {
    expect(parseNettraceRequestsParams(new URLSearchParams('minDuration=soon')).minDuration).toBe('');
    expect(parseNettraceEventsParams(new URLSearchParams('errorsWithin=2m')).errorsWithin).toBe('');
  });
});
