/** What a store's own `--max-db-size` enforcement evicted since it opened (for /metrics). */
export interface SizeEvictions {
  /** Eviction rounds started: each takes the oldest share of traces, then their postings. */
  rounds: number;
  spans: number;
  traces: number;
  /** span_index rows and tag postings of evicted traces found among live ones. */
  indexRows: number;
}

export const NO_EVICTIONS: SizeEvictions = { rounds: 0, spans: 0, traces: 0, indexRows: 0 };
