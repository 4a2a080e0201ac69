/**
 * The duration index keyed by (operation, half-octave of duration, start) instead of
 * (operation, duration): inserts append at the end of a few hot ranges instead of landing
 * on a random page each (duration-buckets.ts). It carries duration and error so that
 * min-duration search and slow spans read no table rows.
 */
export const sql = `
DROP INDEX span_index_by_duration;
CREATE INDEX span_index_by_duration_bucket ON span_index
  (op_id, CAST(log2(duration_ns + 1) * 2 AS INTEGER), start_ns, duration_ns, is_error);
`;
