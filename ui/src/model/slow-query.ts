/**
 * The percentile search's state and its URL form:
 * `/slow?service=orders&operation=Checkout&window=1h&percentile=99&tag=k=v&errorsOnly=true`.
 * An empty operation means every operation of the service.
 */
import { isTagFilter } from './search-query';
import { DEFAULT_PERCENTILE, parsePercentile } from './percentile';
import { DEFAULT_WINDOW, parseWindowParams, writeWindowParams, type TimeWindow } from './latency-window';

export interface SlowQuery extends TimeWindow {
  service: string;
  operation: string;
  /** A normalized percentile (`99`, `99.9`, `97.5`). */
  percentile: string;
  /** `key=value` pairs. */
  tags: string[];
  errorsOnly: boolean;
}

export const DEFAULT_SLOW_QUERY: Readonly<SlowQuery> = {
  ...DEFAULT_WINDOW,
  service: '',
  operation: '',
  percentile: DEFAULT_PERCENTILE,
  tags: [],
  errorsOnly: false,
};

export function parseSlowParams(params: URLSearchParams): SlowQuery {
  return {
    ...parseWindowParams(params),
    service: params.get('service') ?? '',
    operation: params.get('operation') ?? '',
    percentile: parsePercentile(params.get('percentile') ?? '') ?? DEFAULT_PERCENTILE,
    tags: params.getAll('tag').map((t) => t.trim()).filter(isTagFilter),
    errorsOnly: params.get('errorsOnly') === 'true',
  };
}

export function slowQueryToParams(query: SlowQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.service) params.set('service', query.service);
  if (query.operation) params.set('operation', query.operation);
  writeWindowParams(query, params);
  params.set('percentile', query.percentile);
  for (const tag of query.tags) params.append('tag', tag);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  return params;
}
