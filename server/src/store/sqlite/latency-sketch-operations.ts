import type Database from 'better-sqlite3';
import { LatencySketchReader } from './latency-sketch-reader.js';
import { SlowSpanSearch } from './slow-span-search.js';
import type { StoreOperations } from './worker-protocol.js';

export type LatencyReadOperationName =
  | 'getLatencyStats'
  | 'getOperationStats'
  | 'getLatencyHistogram'
  | 'getLatencyHeatmap'
  | 'findSlowSpans';

/** The latency reads a reader (or `:memory:`) worker serves. */
export function latencyReadOperations(db: Database.Database): Pick<StoreOperations, LatencyReadOperationName> {
  const sketches = new LatencySketchReader(db);
  const slowSpans = new SlowSpanSearch(db, sketches);
  return {
    getLatencyStats: (query) => sketches.getLatencyStats(query),
    getOperationStats: (query) => sketches.getOperationStats(query),
    getLatencyHistogram: (query) => sketches.getLatencyHistogram(query),
    getLatencyHeatmap: (query) => sketches.getLatencyHeatmap(query),
    findSlowSpans: (query) => slowSpans.find(query),
  };
}
