import { describe, expect, it } from 'vitest';
import { toEventLogsParams, toFamiliesParams, toNettraceRequestsParams } from './nettrace-requests';
import { DEFAULT_NETTRACE_QUERY } from '../model/nettrace-query';

const window = { startNs: '1000', endNs: '2000' };

describe('net/trace API parameters', () => {
  it('filters the families by service, instance and window', () => {
    expect(toFamiliesParams({ ...DEFAULT_NETTRACE_QUERY, service: 'a', instance: 'h1' }, window).toString()).toBe('service=a&instance=h1&start=1000&end=2000');
  });

  it('asks for the records behind a cell', () => {
    const query = { ...DEFAULT_NETTRACE_QUERY, family: 'grpc.Recv', minDuration: '50ms', errorsOnly: true, active: true };
    expect(toNettraceRequestsParams(query, window).toString()).toBe(
      'family=grpc.Recv&start=1000&end=2000&minDuration=50ms&errorsOnly=true&active=true&limit=100',
    );
    expect(toEventLogsParams({ service: '', instance: '', family: 'conn.pool', errorsWithin: '1m' }).toString()).toBe('family=conn.pool&limit=200');
  });

  it('asks for the page after a cursor with the same parameters', () => {
    const query = { ...DEFAULT_NETTRACE_QUERY, family: 'grpc.Recv', minDuration: '', errorsOnly: false, active: false };
    expect(toNettraceRequestsParams(query, window, 'abc_-').toString()).toBe('family=grpc.Recv&start=1000&end=2000&limit=100&cursor=abc_-');
    expect(toEventLogsParams({ service: 'a', instance: '', family: '', errorsWithin: '' }, 'xyz').toString()).toBe('service=a&limit=200&cursor=xyz');
  });
});
