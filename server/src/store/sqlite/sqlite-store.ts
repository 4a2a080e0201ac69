import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JaegerDependency, Span } from '@threadline/shared';
import { StoreOpenError } from '../store-errors.js';
import type {
  EventLog,
  EventLogFamily,
  EventLogQuery,
  EventLogSummary,
  NettraceBatch,
  NettraceFamilies,
  NettraceFamiliesQuery,
  NettraceRequest,
  NettraceRequestQuery,
  NettraceStore,
  OperationInfo,
  SpanKindName,
  SpanStore,
  TraceQuery,
  TraceSummary,
} from '../span-store.js';
import type {
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  LatencyStats,
  OperationStats,
  OperationStatsQuery,
  RetentionStep,
  SlowSpanPage,
  SlowSpanQuery,
} from '../latency-queries.js';
import { parseSketch } from '../../sketch/sketch-codec.js';
import { buildPreparedBatch, toTransferable, type PreparedBatch } from './prepared-batch.js';
import { StoreInputError } from './store-input-error.js';
import { toRequestError, WorkerClient, type StoreLogger } from './worker-client.js';
import type { SizeEvictions } from './size-guard.js';
import type { CheckpointPolicy } from './worker-protocol.js';

export type { StoreLogger } from './worker-client.js';

export interface SqliteStoreOptions {
  /** A file path (its directory is created when missing) or `:memory:`. */
  path: string;
  logger?: StoreLogger;
  /** When the writer truncates the WAL; the defaults suit production. */
  checkpoint?: Partial<CheckpointPolicy>;
  /** `--max-db-size`: the writer evicts the oldest traces after a commit that brings the files near it; 0 = no limit. */
  maxDbSizeBytes?: number;
}

const MEMORY = ':memory:';
const DEFAULT_CHECKPOINT: CheckpointPolicy = { everyCommits: 200, everyMs: 30_000 };
const SILENT: StoreLogger = { info() {}, warn() {}, error() {} };

/**
 * Opens (creating and migrating as needed) a SQLite span store. Rejects with
 * StoreVersionError for a database from a newer Threadline, StoreOpenError otherwise.
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteSpanStore> {
  const logger = options.logger ?? SILENT;
  const checkpoint = { ...DEFAULT_CHECKPOINT, ...options.checkpoint };
  if (options.path === MEMORY) {
    const worker = await WorkerClient.start({ path: MEMORY, role: 'memory', checkpoint }, logger);
    return new SqliteSpanStore(worker, worker);
  }
  // SQLite would open a private temporary database per connection: writer and reader apart.
  if (options.path === '') throw new StoreOpenError('the database path is empty');
  await mkdir(dirname(options.path), { recursive: true });
  // The reader opens only after the writer has migrated the schema.
  const writer = await WorkerClient.start({ path: options.path, role: 'writer', checkpoint, maxDbSizeBytes: options.maxDbSizeBytes ?? 0 }, logger);
  try {
    const reader = await WorkerClient.start({ path: options.path, role: 'reader', checkpoint }, logger);
    return new SqliteSpanStore(writer, reader);
  } catch (err) {
    await writer.close();
    throw err;
  }
}

/**
 * SpanStore over SQLite. Every call runs in a worker thread: writes in the writer, which
 * owns the only write connection; reads in a reader with its own connection, so a long
 * search never delays a commit (WAL lets both run at once). A `:memory:` database lives
 * in a single connection, so there one worker serves both.
 */
export class SqliteSpanStore implements SpanStore, NettraceStore {
  private closing: Promise<void> | undefined;
  private unindexed = false;
  private writesInFlight = 0;
  private indexing: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: WorkerClient,
    private readonly reader: WorkerClient,
  ) {}

  /** Resolves after the transaction committed: a process killed after the ack loses nothing. */
  async writeBatch(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return;
    let batch: PreparedBatch;
    try {
      // Prepared here, on the calling thread, so that the writer thread only runs SQLite.
      batch = buildPreparedBatch(spans);
    } catch (err) {
      if (err instanceof StoreInputError) throw toRequestError({ kind: 'input', code: err.code, message: err.message }, 'writeBatch');
      throw err;
    }
    this.writesInFlight++;
    try {
      await this.writer.callTransferring('writeBatch', toTransferable(batch), batch);
      this.unindexed = true;
    } finally {
      this.writesInFlight--;
    }
  }

  /**
   * Acknowledged batches wait in the ingest log for up to a moment before they are indexed
   * (ingest-log.ts). Reads that use the indexes first have the writer index what waits, so
   * a search always sees every span acknowledged before it was asked; concurrent reads
   * share one such request. getTrace reads the log itself and needs none. If indexing
   * fails (a full disk), the read answers from what is indexed and the next one retries.
   */
  private indexed(): Promise<void> {
    if (!this.unindexed) return this.indexing;
    this.unindexed = false;
    this.indexing = this.writer.call('indexPending').catch(() => {
      this.unindexed = true;
    });
    return this.indexing;
  }

  getTrace(traceId: string): Promise<Span[]> {
    return this.reader.call('getTrace', traceId);
  }

  getTraceJson(traceId: string): Promise<string> {
    return this.reader.call('getTraceJson', traceId);
  }

  async getServices(): Promise<string[]> {
    await this.indexed();
    return this.reader.call('getServices');
  }

  async getOperations(service: string, spanKind?: SpanKindName): Promise<OperationInfo[]> {
    await this.indexed();
    return this.reader.call('getOperations', service, spanKind);
  }

  async findTraceIds(query: TraceQuery): Promise<string[]> {
    await this.indexed();
    return this.reader.call('findTraceIds', query);
  }

  async getDependencies(startNs: bigint, endNs: bigint): Promise<JaegerDependency[]> {
    await this.indexed();
    return this.reader.call('getDependencies', startNs, endNs);
  }

  async getTraceSummaries(traceIds: readonly string[]): Promise<TraceSummary[]> {
    await this.indexed();
    return this.reader.call('getTraceSummaries', traceIds);
  }

  /** Resolves after the transaction committed, like writeBatch. */
  writeNettrace(batch: NettraceBatch): Promise<void> {
    return this.writer.call('writeNettrace', batch);
  }

  findNettraceRequests(query: NettraceRequestQuery): Promise<NettraceRequest[]> {
    return this.reader.call('findNettraceRequests', query);
  }

  getEventLogFamilies(query: EventLogQuery): Promise<EventLogFamily[]> {
    return this.reader.call('getEventLogFamilies', query);
  }

  findEventLogs(query: EventLogQuery & { limit: number }): Promise<EventLogSummary[]> {
    return this.reader.call('findEventLogs', query);
  }

  getEventLogs(recordId: string, service?: string): Promise<EventLog[]> {
    return this.reader.call('getEventLogs', recordId, service);
  }

  getNettraceFamilies(query: NettraceFamiliesQuery): Promise<NettraceFamilies> {
    return this.reader.call('getNettraceFamilies', query);
  }

  async getLatencyStats(query: LatencyQuery): Promise<LatencyStats> {
    await this.indexed();
    const stats = await this.reader.call('getLatencyStats', query);
    return { ...stats, sketch: parseSketch(stats.sketch) };
  }

  async getOperationStats(query: OperationStatsQuery): Promise<OperationStats> {
    await this.indexed();
    const stats = await this.reader.call('getOperationStats', query);
    return { ...stats, operations: stats.operations.map((op) => ({ ...op, sketch: parseSketch(op.sketch) })) };
  }

  async getLatencyHistogram(query: LatencyHistogramQuery): Promise<LatencyHistogram> {
    await this.indexed();
    return this.reader.call('getLatencyHistogram', query);
  }

  async getLatencyHeatmap(query: LatencyHeatmapQuery): Promise<LatencyHeatmap> {
    await this.indexed();
    return this.reader.call('getLatencyHeatmap', query);
  }

  async findSlowSpans(query: SlowSpanQuery): Promise<SlowSpanPage> {
    await this.indexed();
    return this.reader.call('findSlowSpans', query);
  }

  /** Runs in the writer, one transaction per call, queued between ingest batches. */
  deleteBefore(cutoffNs: bigint, maxSpans: number): Promise<RetentionStep> {
    return this.writer.call('deleteBefore', cutoffNs, maxSpans);
  }

  deleteOldestTraces(maxSpans: number): Promise<RetentionStep> {
    return this.writer.call('deleteOldestTraces', maxSpans);
  }

  getStorageBytes(): Promise<number> {
    return this.writer.call('getStorageBytes');
  }

  /** What `--max-db-size` evicted since the store opened. */
  getSizeEvictions(): Promise<SizeEvictions> {
    return this.writer.call('getSizeEvictions');
  }

  isReady(): boolean {
    return this.writer.isAlive && this.reader.isAlive;
  }

  /** Finishes requests already made, checkpoints the WAL and ends the worker threads. */
  close(): Promise<void> {
    // The reader goes first so that the writer's last checkpoint meets no reader.
    this.closing ??=
      this.reader === this.writer ? this.writer.close() : this.reader.close().finally(() => this.writer.close());
    return this.closing;
  }
}
