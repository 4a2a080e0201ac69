/** The search form's state → `/api/v1/search` query parameters (relative lookbacks resolved against `nowMs`). */
import { LOOKBACK_MS, type SearchQuery } from '../model/search-query';
import { millisToNanos } from '../model/nanos';

export function toSearchApiParams(query: SearchQuery, nowMs: number): URLSearchParams {
  const params = new URLSearchParams();
  if (query.service) params.set('service', query.service);
  if (query.operation) params.set('operation', query.operation);
  for (const tag of query.tags) params.append('tag', tag);
  if (query.lookback === 'custom') {
    params.set('start', query.start);
    params.set('end', query.end);
  } else {
    params.set('start', millisToNanos(nowMs - LOOKBACK_MS[query.lookback]));
    params.set('end', millisToNanos(nowMs));
  }
  if (query.minDuration) params.set('minDuration', query.minDuration);
  if (query.maxDuration) params.set('maxDuration', query.maxDuration);
  if (query.errorsOnly) params.set('errorsOnly', 'true');
  params.set('limit', String(query.limit));
  return params;
}
