/**
 * Storage engine v2. Spans are kept per (trace, write batch) as one compressed chunk of
 * OTLP protobuf instead of one JSON row each, and indexed at the grain searches need:
 * one narrow row per span for the (operation, time) and (operation, duration) walks,
 * and per-trace tag postings deduplicated within a chunk and bucketed by hour, so that
 * inserts land in the newest hour's pages and retention drops whole hours.
 *
 * The v1 tables (spans, span_attributes, resource_attributes, resources, traces,
 * root_candidates) are converted and dropped after this migration by
 * legacy-conversion.ts, which needs JavaScript (it re-encodes every span).
 */
export const sql = `
-- Operation catalog with a compact ID for the span index. (operations, which the
-- latency sketches join, is kept in step.)
CREATE TABLE span_ops (
  op_id   INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  name    TEXT NOT NULL,
  kind    INTEGER NOT NULL,
  UNIQUE (service, name, kind)
);

-- One row per trace. trace_num is the compact ID everything else points at; root_* is the
-- best root candidate so far (prepared-batch.ts isBetterRoot): a span with no parent
-- first, then the earliest, then the lowest span ID.
CREATE TABLE trace_summaries (
  trace_num     INTEGER PRIMARY KEY,
  trace_id      BLOB NOT NULL UNIQUE,
  start_ns      INTEGER NOT NULL,
  end_ns        INTEGER NOT NULL,
  root_is_root  INTEGER NOT NULL,
  root_start_ns INTEGER NOT NULL,
  root_span_id  INTEGER NOT NULL,
  root_service  TEXT NOT NULL,
  root_name     TEXT NOT NULL,
  span_count    INTEGER NOT NULL,
  error_count   INTEGER NOT NULL,
  services      TEXT NOT NULL
);
-- Searches with no filter but time, and retention oldest first.
CREATE INDEX trace_summaries_by_start ON trace_summaries (start_ns);

-- Spans, compressed in blocks of about 64 KiB (block-builder.ts): data is raw deflate of
-- the concatenated span-chunk-codec.ts chunks of many traces.
CREATE TABLE span_blocks (
  block_id INTEGER PRIMARY KEY,
  data     BLOB NOT NULL
);
-- A trace's spans from one write: bytes [offset, offset + length) of a block, inflated.
CREATE TABLE span_chunks (
  chunk_id  INTEGER PRIMARY KEY,
  trace_num INTEGER NOT NULL,
  block_id  INTEGER NOT NULL,
  offset    INTEGER NOT NULL,
  length    INTEGER NOT NULL
);
CREATE INDEX span_chunks_by_trace ON span_chunks (trace_num);

-- One row per span: the (operation, start) walk of searches, newest first, and with the
-- second index the (operation, duration) walk of min-duration search and slow spans.
-- span_id is the ID's 8 bytes as a signed int64. The key doubles as duplicate detection:
-- a retried span collides and is not counted twice.
CREATE TABLE span_index (
  op_id       INTEGER NOT NULL,
  start_ns    INTEGER NOT NULL,
  trace_num   INTEGER NOT NULL,
  span_id     INTEGER NOT NULL,
  duration_ns INTEGER NOT NULL,
  is_error    INTEGER NOT NULL,
  PRIMARY KEY (op_id, start_ns, trace_num, span_id)
) WITHOUT ROWID;
CREATE INDEX span_index_by_duration ON span_index (op_id, duration_ns);

-- The write-ahead log of ingest: a batch is acknowledged once appended here (its spans'
-- span-chunk-codec.ts groups, uncompressed), and indexed into the tables above shortly
-- after, regrouped by trace across many batches so that chunks are big and postings few
-- (ingest-log.ts). ingest_log_traces lets getTrace read a trace's part of a batch before
-- it is indexed: bytes [offset, offset + length) of the batch's data.
CREATE TABLE ingest_log (
  log_id INTEGER PRIMARY KEY,
  data   BLOB NOT NULL
);
CREATE TABLE ingest_log_traces (
  trace_id BLOB NOT NULL,
  log_id   INTEGER NOT NULL,
  offset   INTEGER NOT NULL,
  length   INTEGER NOT NULL,
  PRIMARY KEY (trace_id, log_id)
) WITHOUT ROWID;

-- Resource (process) tags: a trace is posted once per resource under the resource's key
-- (prepared-batch.ts resourceKey), not once per resource tag; this finds the resources, and
-- through their keys the traces, that carry a tag. Resources are few, so rows are never deleted.
CREATE TABLE resource_tags (
  tag          INTEGER NOT NULL,
  resource_key INTEGER NOT NULL,
  PRIMARY KEY (tag, resource_key)
) WITHOUT ROWID;

-- Traces by tag: tag is tag-hash.ts's 53-bit hash of (key, value); hour is the Unix hour
-- of the chunk's earliest span. The hour leads so that new postings append to the
-- newest hour and retention deletes a key range.
CREATE TABLE tag_postings (
  hour      INTEGER NOT NULL,
  tag       INTEGER NOT NULL,
  trace_num INTEGER NOT NULL,
  PRIMARY KEY (hour, tag, trace_num)
) WITHOUT ROWID;
`;
