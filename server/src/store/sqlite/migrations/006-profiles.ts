/**
 * Go diagnostics (issue 13): pprof windows with their samples summed per (span label,
 * stack), stacks interned once, and execution traces of slow spans. Times are Unix ns.
 */
export const sql = `
CREATE TABLE profile_windows (
  window_pk INTEGER PRIMARY KEY,
  service   TEXT NOT NULL,
  kind      TEXT NOT NULL, -- cpu | heap | goroutine | mutex | block | other
  unit      TEXT NOT NULL,
  start_ns  INTEGER NOT NULL,
  end_ns    INTEGER NOT NULL,
  resource  TEXT NOT NULL  -- JSON object
);
CREATE INDEX profile_windows_by_start ON profile_windows (start_ns);

-- frames: JSON array of function names, root first; hash: its SHA-1, for interning.
CREATE TABLE profile_stacks (
  stack_id INTEGER PRIMARY KEY,
  hash     BLOB NOT NULL UNIQUE,
  frames   TEXT NOT NULL
);

-- One row per (window, span label, stack). service, kind and start_ns repeat the
-- window's so the operation flame graph is one index range.
CREATE TABLE profile_samples (
  window_pk INTEGER NOT NULL,
  service   TEXT NOT NULL,
  kind      TEXT NOT NULL,
  start_ns  INTEGER NOT NULL,
  span_id   TEXT NOT NULL, -- '' without labels
  span_name TEXT NOT NULL,
  trace_id  TEXT NOT NULL,
  stack_id  INTEGER NOT NULL,
  value     INTEGER NOT NULL
);
CREATE INDEX profile_samples_by_window ON profile_samples (window_pk);
CREATE INDEX profile_samples_by_span ON profile_samples (span_id, kind) WHERE span_id <> '';
CREATE INDEX profile_samples_by_operation ON profile_samples (service, kind, span_name, start_ns);
CREATE INDEX profile_samples_by_stack ON profile_samples (stack_id);

-- Which spans of a trace have samples: the waterfall's markers without scanning samples.
CREATE TABLE profile_spans (
  trace_id  TEXT NOT NULL,
  span_id   TEXT NOT NULL,
  window_pk INTEGER NOT NULL, -- the newest window that has it; goes with that window
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX profile_spans_by_window ON profile_spans (window_pk);

CREATE TABLE exec_traces (
  trace_id    TEXT NOT NULL,
  span_id     TEXT NOT NULL,
  service     TEXT NOT NULL,
  span_name   TEXT NOT NULL,
  start_ns    INTEGER NOT NULL,
  duration_ns INTEGER NOT NULL,
  is_error    INTEGER NOT NULL,
  summary     TEXT NOT NULL, -- JSON, as validated at ingest
  raw         BLOB,          -- NULL when the client did not send it (over its cap)
  raw_bytes   INTEGER NOT NULL,
  PRIMARY KEY (trace_id, span_id)
);
CREATE INDEX exec_traces_by_start ON exec_traces (start_ns);
`;
