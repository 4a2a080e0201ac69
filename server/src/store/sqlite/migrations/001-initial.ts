/**
 * The initial schema. Times are Unix nanoseconds in INTEGER columns (int64), IDs
 * lowercase hex TEXT. Foreign keys are documented, not enforced: the writer is the only
 * producer, and enforcement would cost a lookup per inserted row and an index per child
 * column for retention's bulk deletes.
 */
export const sql = `
-- Resources are shared by every span of a process: stored once, deduplicated by a
-- SHA-256 of their JSON.
CREATE TABLE resources (
  resource_id   INTEGER PRIMARY KEY,
  hash          BLOB NOT NULL UNIQUE,
  resource_json TEXT NOT NULL
);

-- Tag search on process tags, indexed per resource rather than per span.
CREATE TABLE resource_attributes (
  key         TEXT NOT NULL,
  value       TEXT NOT NULL,
  resource_id INTEGER NOT NULL, -- → resources
  PRIMARY KEY (key, value, resource_id)
) WITHOUT ROWID;

-- payload is the whole span as JSON with "resource": null; getTrace puts the resource
-- back in place, so a span reads back exactly as it was written.
CREATE TABLE spans (
  span_pk        INTEGER PRIMARY KEY,
  trace_id       TEXT NOT NULL,
  span_id        TEXT NOT NULL,
  parent_span_id TEXT NOT NULL, -- '' for a root span
  service        TEXT NOT NULL,
  name           TEXT NOT NULL,
  kind           INTEGER NOT NULL,
  start_ns       INTEGER NOT NULL,
  end_ns         INTEGER NOT NULL,
  duration_ns    INTEGER NOT NULL,
  status_code    INTEGER NOT NULL,
  is_error       INTEGER NOT NULL,
  resource_id    INTEGER NOT NULL, -- → resources
  payload        TEXT NOT NULL
);
-- Trace lookup, duplicate detection and the parent join of dependencies.
CREATE UNIQUE INDEX spans_by_trace ON spans (trace_id, span_id);
-- Search by service and operation, newest first.
CREATE INDEX spans_by_service_name_start ON spans (service, name, start_ns);
-- Search and percentile tails by duration.
CREATE INDEX spans_by_service_name_duration ON spans (service, name, duration_ns);
-- Search by service alone, newest first.
CREATE INDEX spans_by_service_start ON spans (service, start_ns);
-- Search without a service, dependencies over a window, retention by age.
CREATE INDEX spans_by_start ON spans (start_ns);

-- Tag search on span attributes (and a few derived tags such as error=true). Values are
-- the first 256 characters of the flat string form. start_ns makes a tag scan come out
-- newest first, and lets a span-driven search check a tag with one exact seek.
CREATE TABLE span_attributes (
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  start_ns INTEGER NOT NULL,
  span_pk  INTEGER NOT NULL, -- → spans
  PRIMARY KEY (key, value, start_ns, span_pk)
) WITHOUT ROWID;

-- One row per trace, kept up to date at every batch, so that search results and lists
-- never rebuild traces. services is a sorted JSON array.
CREATE TABLE traces (
  trace_id     TEXT PRIMARY KEY,
  start_ns     INTEGER NOT NULL,
  end_ns       INTEGER NOT NULL,
  root_service TEXT NOT NULL,
  root_name    TEXT NOT NULL,
  span_count   INTEGER NOT NULL,
  error_count  INTEGER NOT NULL,
  services     TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX traces_by_start ON traces (start_ns);

-- Spans of a trace whose parent is absent (no parent, or not arrived yet): the trace's
-- root is the earliest of them. A row leaves when its parent arrives, which keeps the
-- root right whatever order a trace's batches come in, without rescanning the trace.
CREATE TABLE root_candidates (
  trace_id       TEXT NOT NULL,
  span_id        TEXT NOT NULL,
  parent_span_id TEXT NOT NULL,
  start_ns       INTEGER NOT NULL,
  service        TEXT NOT NULL,
  name           TEXT NOT NULL,
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX root_candidates_by_parent ON root_candidates (trace_id, parent_span_id);

-- The catalog behind /api/services and /api/operations.
CREATE TABLE operations (
  service TEXT NOT NULL,
  name    TEXT NOT NULL,
  kind    INTEGER NOT NULL,
  PRIMARY KEY (service, name, kind)
) WITHOUT ROWID;
`;
