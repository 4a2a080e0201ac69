/**
 * Latency sketches (DESIGN.md §4): one row per (service, operation, span kind, minute of
 * span start), and one per hour, kept up to date by the writer in the transaction that
 * stores the spans. Percentiles, histograms and heatmaps merge these rows instead of
 * scanning spans.
 */
export const sql = `
-- sketch and error_sketch are sketch-codec.ts blobs of every span and of the failed ones
-- (NULL while the minute has none). count, error_count and sum_ns repeat what the blobs
-- hold so that counts and rates need no decoding; sum_ns saturates at 2^63-1, the blob
-- keeps it exactly. minute is Unix minutes (start_ns / 60e9).
CREATE TABLE latency_sketches (
  service      TEXT NOT NULL,
  name         TEXT NOT NULL,
  kind         INTEGER NOT NULL,
  minute       INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  error_count  INTEGER NOT NULL,
  sum_ns       INTEGER NOT NULL,
  sketch       BLOB NOT NULL,
  error_sketch BLOB,
  PRIMARY KEY (service, name, kind, minute)
) WITHOUT ROWID;
-- Retention by age.
CREATE INDEX latency_sketches_by_minute ON latency_sketches (minute);

-- The same per Unix hour (start_ns / 3600e9), written in the same transaction: a day's
-- percentiles merge 24 rows per operation (plus the minutes at the window's edges)
-- instead of 1,440.
CREATE TABLE latency_sketches_hourly (
  service      TEXT NOT NULL,
  name         TEXT NOT NULL,
  kind         INTEGER NOT NULL,
  hour         INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  error_count  INTEGER NOT NULL,
  sum_ns       INTEGER NOT NULL,
  sketch       BLOB NOT NULL,
  error_sketch BLOB,
  PRIMARY KEY (service, name, kind, hour)
) WITHOUT ROWID;
CREATE INDEX latency_sketches_hourly_by_hour ON latency_sketches_hourly (hour);
`;
