import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPERATIONS_QUERY,
  operationViewQueryToParams,
  operationsQueryToParams,
  parseOperationViewParams,
  parseOperationsParams,
  type OperationViewQuery,
} from './operations-query';

describe('operations page URL state', () => {
  it('defaults to names A→Z and numbers largest first', () => {
    expect(parseOperationsParams(new URLSearchParams('service=a'))).toEqual({ ...DEFAULT_OPERATIONS_QUERY, service: 'a' });
    expect(parseOperationsParams(new URLSearchParams('service=a&sort=p99'))).toMatchObject({ sort: 'p99', dir: 'desc' });
    expect(parseOperationsParams(new URLSearchParams('sort=bogus&dir=sideways'))).toMatchObject({ sort: 'name', dir: 'asc' });
  });

  it('leaves the default sort out of the URL', () => {
    expect(operationsQueryToParams({ ...DEFAULT_OPERATIONS_QUERY, service: 'a' }).toString()).toBe('service=a&window=1h');
    expect(operationsQueryToParams({ ...DEFAULT_OPERATIONS_QUERY, service: 'a', sort: 'rate', dir: 'asc' }).toString()).toBe(
      'service=a&window=1h&sort=rate&dir=asc',
    );
  });
});

describe('operation view URL state', () => {
  const view: OperationViewQuery = {
    service: 's',
    operation: 'o',
    window: 'custom',
    start: '1000',
    end: '9000',
    selection: { startNs: '1200', endNs: '5999', minNs: '1003', maxNs: '250000000' },
    errorsOnly: true,
  };

  it('round-trips a selection and the failed-only switch', () => {
    const params = new URLSearchParams(operationViewQueryToParams(view).toString());
    expect(parseOperationViewParams('s', 'o', params)).toEqual(view);
    const none = { ...view, selection: null, errorsOnly: false };
    expect(parseOperationViewParams('s', 'o', new URLSearchParams(operationViewQueryToParams(none).toString()))).toEqual(none);
  });

  it('drops a selection that is incomplete or inside out', () => {
    expect(parseOperationViewParams('s', 'o', new URLSearchParams('selStart=1&selEnd=2&selMin=3')).selection).toBeNull();
    expect(parseOperationViewParams('s', 'o', new URLSearchParams('selStart=5&selEnd=2&selMin=3&selMax=4')).selection).toBeNull();
    expect(parseOperationViewParams('s', 'o', new URLSearchParams('selStart=1&selEnd=2&selMin=9&selMax=4')).selection).toBeNull();
    expect(parseOperationViewParams('s', 'o', new URLSearchParams('selStart=1&selEnd=2&selMin=-1&selMax=4')).selection).toBeNull();
  });
});
