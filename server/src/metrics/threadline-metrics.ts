import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { SizeEvictions } from '../store/size-evictions.js';

export type ReceiverName = 'otlp_http' | 'otlp_grpc' | 'zipkin' | 'nettrace' | 'profiles';

export interface MetricsSources {
  queuedSpans(): number;
  storageBytes(): Promise<number>;
  inflightBytes(): number;
  sizeEvictions(): Promise<SizeEvictions>;
  /** Seconds ingest's threads have stepped aside for queries in flight, summed over threads (foreground-gate.ts). */
  steppedAsideSeconds(): number;
  /** Seconds acknowledgements have waited for the store's indexing, summed over batches. */
  pacedSeconds(): number;
}

/**
 * Threadline's Prometheus metrics, in a registry of its own (prom-client's global one would
 * be module state shared by every server in a process, e.g. in tests). Gauges are read from
 * their owners at scrape time rather than mirrored.
 */
export class ThreadlineMetrics {
  readonly registry = new Registry();
  readonly spansReceived = new Counter({ name: 'threadline_spans_received_total', help: 'Spans decoded from ingest requests', labelNames: ['receiver'], registers: [this.registry] });
  readonly spansAccepted = new Counter({ name: 'threadline_spans_accepted_total', help: 'Spans committed to the store', labelNames: ['receiver'], registers: [this.registry] });
  readonly spansRejected = new Counter({ name: 'threadline_spans_rejected_total', help: 'Decoded spans not stored, by reason', labelNames: ['receiver', 'reason'], registers: [this.registry] });
  readonly requestsRejected = new Counter({ name: 'threadline_ingest_requests_rejected_total', help: 'Ingest requests refused, by reason', labelNames: ['receiver', 'reason'], registers: [this.registry] });
  readonly commitSeconds = new Histogram({
    name: 'threadline_store_commit_seconds',
    help: 'Time to commit one ingest batch',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly evictedSpans = new Counter({ name: 'threadline_retention_deleted_spans_total', help: 'Spans deleted by --retention (age)', registers: [this.registry] });
  readonly connectionsRefused = new Counter({ name: 'threadline_connections_refused_total', help: 'Connections closed at once for being over a cap', labelNames: ['listener', 'cap'], registers: [this.registry] });
  readonly accessRefused = new Counter({ name: 'threadline_http_requests_refused_total', help: 'HTTP requests refused for their Host or Origin', labelNames: ['listener', 'reason'], registers: [this.registry] });
  readonly openConnections = new Gauge({ name: 'threadline_open_connections', help: 'Open connections', labelNames: ['listener'], registers: [this.registry] });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'threadline_ingest_queue_spans', help: 'Spans waiting to be committed', registers: [this.registry], collect() { this.set(sources.queuedSpans()); } });
    new Gauge({ name: 'threadline_ingest_inflight_bytes', help: 'Memory held by ingest requests (in-flight budget use)', registers: [this.registry], collect() { this.set(sources.inflightBytes()); } });
    new Gauge({
      name: 'threadline_db_size_bytes',
      help: 'Bytes the stored data takes',
      registers: [this.registry],
      async collect() {
        this.set(await sources.storageBytes());
      },
    });
    // Where ingest waits, from totals its owners keep, read at scrape time.
    const waited = (name: string, help: string, total: () => number) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(total());
        },
      });
    waited('threadline_ingest_stepped_aside_seconds_total', 'Time ingest threads (decoding, indexing) waited for queries in flight, summed over threads', () => sources.steppedAsideSeconds());
    waited('threadline_ingest_paced_seconds_total', 'Time acknowledgements waited for the store to index what came before (ingest paced to indexing), summed over batches', () => sources.pacedSeconds());
    // Totals kept by the store's writer, read at scrape time.
    const evicted = (name: string, help: string, field: keyof SizeEvictions) =>
      new Counter({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const total = (await sources.sizeEvictions())[field];
          this.reset();
          this.inc(total);
        },
      });
    evicted('threadline_db_size_eviction_rounds_total', 'Eviction rounds run to keep the files under --max-db-size', 'rounds');
    evicted('threadline_db_size_evicted_spans_total', 'Spans evicted (oldest traces whole) to keep the files under --max-db-size', 'spans');
    evicted('threadline_db_size_evicted_traces_total', 'Traces evicted to keep the files under --max-db-size', 'traces');
    evicted('threadline_db_size_evicted_index_rows_total', 'Index rows and tag postings of evicted traces removed', 'indexRows');
  }
}
