/**
 * net/trace records (DESIGN.md §3). A record is keyed by (record_id, service) and holds
 * its newest seq only: request traces are full snapshots, so a newer seq replaces the row;
 * event logs send deltas, so a newer seq updates the running totals and appends events.
 * Events are kept as sent (messages already redacted at ingest).
 */
export const sql = `
-- Request traces (x/net/trace trace.New). A joined record (joined = 1) is merged into
-- span span_id of trace trace_id whenever that trace is read, so it does not matter
-- whether the span or the record arrives first; span holds the record as a span (JSON),
-- shown under span_id while that span is missing. A record that named no span is stored
-- in spans like any other span (span_id = its own span; span is then NULL).
CREATE TABLE nettrace_requests (
  request_pk       INTEGER PRIMARY KEY,
  record_id        TEXT NOT NULL,
  service          TEXT NOT NULL,
  seq              INTEGER NOT NULL,
  instance         TEXT NOT NULL,
  family           TEXT NOT NULL,
  title            TEXT NOT NULL,
  start_ns         INTEGER NOT NULL,
  elapsed_ns       INTEGER NOT NULL,
  state            TEXT NOT NULL, -- 'active' | 'finished'
  is_error         INTEGER NOT NULL,
  max_events       INTEGER NOT NULL,
  discarded_events INTEGER NOT NULL,
  trace_id         TEXT NOT NULL,
  span_id          TEXT NOT NULL,
  joined           INTEGER NOT NULL,
  events           TEXT NOT NULL, -- JSON [{timeUnixNano, message, sensitive, error}]
  span             TEXT           -- joined records only
);
-- Seq comparison on write; record_id first so a lookup by record ID alone uses it too.
CREATE UNIQUE INDEX nettrace_requests_by_record ON nettrace_requests (record_id, service);
-- The merge on trace read; records with their own span are found through spans instead.
CREATE INDEX nettrace_requests_by_trace ON nettrace_requests (trace_id) WHERE joined = 1;
-- /debug/requests-style lists: newest first per family, or by duration (latency buckets).
CREATE INDEX nettrace_requests_by_family_start ON nettrace_requests (service, family, start_ns);
CREATE INDEX nettrace_requests_by_family_elapsed ON nettrace_requests (service, family, elapsed_ns);
CREATE INDEX nettrace_requests_by_service_start ON nettrace_requests (service, start_ns);
-- Lists without a service, and retention by age.
CREATE INDEX nettrace_requests_by_start ON nettrace_requests (start_ns);

-- Event logs (x/net/trace NewEventLog): long-lived, so their age is their last report,
-- end_ns = start_ns + elapsed_ns. total_events counts every event ever appended; the
-- newest ones are kept (event_no >= total_events - the bound), the rest are dropped.
CREATE TABLE nettrace_event_logs (
  log_pk           INTEGER PRIMARY KEY,
  record_id        TEXT NOT NULL,
  service          TEXT NOT NULL,
  seq              INTEGER NOT NULL,
  instance         TEXT NOT NULL,
  family           TEXT NOT NULL,
  title            TEXT NOT NULL,
  start_ns         INTEGER NOT NULL,
  elapsed_ns       INTEGER NOT NULL,
  end_ns           INTEGER NOT NULL,
  state            TEXT NOT NULL,
  is_error         INTEGER NOT NULL,
  max_events       INTEGER NOT NULL,
  discarded_events INTEGER NOT NULL,
  total_events     INTEGER NOT NULL
);
CREATE UNIQUE INDEX nettrace_event_logs_by_record ON nettrace_event_logs (record_id, service);
-- /debug/events-style lists: families, and their logs most recently updated first.
CREATE INDEX nettrace_event_logs_by_family_end ON nettrace_event_logs (service, family, end_ns);
-- A log still reporting must outlive retention however old its start: retention goes by end_ns.
CREATE INDEX nettrace_event_logs_by_end ON nettrace_event_logs (end_ns);
CREATE INDEX nettrace_event_logs_by_start ON nettrace_event_logs (start_ns);

-- event_no numbers a log's events in arrival order, so trimming a log is one range delete.
CREATE TABLE nettrace_log_events (
  log_pk   INTEGER NOT NULL, -- → nettrace_event_logs
  event_no INTEGER NOT NULL,
  time_ns  INTEGER NOT NULL,
  message  TEXT NOT NULL,
  sensitive INTEGER NOT NULL,
  is_error INTEGER NOT NULL,
  PRIMARY KEY (log_pk, event_no)
) WITHOUT ROWID;
`;
