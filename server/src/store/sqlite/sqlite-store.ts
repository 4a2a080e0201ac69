import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JaegerDependency, Span } from '@threadline/shared';
import { StoreOpenError } from '../store-errors.js';
import type {
  EventLog,
  EventLogFamily,
  EventLogListQuery,
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
import { INDEX_AT_SPANS } from './ingest-log.js';
import { IngestLogFile } from './ingest-log-file.js';
import type { ExecTraceInfo, ExecTraceRecord, ProfileMarker, ProfileStackQuery, ProfileStacks, ProfileStore, ProfileWindow } from '../profile-store.js';
import { buildPreparedBatch, type PreparedBatch } from './prepared-batch.js';
import { chunkCount, packBatch, packedTransferables, type PackedBatch } from './packed-batch.js';
import { StoreInputError } from './store-input-error.js';
import { UnindexedBatches } from './unindexed-batches.js';
import { IntakePacer } from './intake-pacer.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeTracePages, decodeWholeTrace } from './trace-chunk-pages.js';
import { TRACE_PAGE_SPANS } from '../trace-pages.js';
import { protoTracePages } from './proto-trace-pages.js';
import { chunksOf, streamPieces, type TraceChunkStream } from './trace-piece-stream.js';
import type { TracePage } from '../proto-span-page.js';
import { toRequestError, WorkerClient, type StoreLogger } from './worker-client.js';
import type { SizeEvictions } from '../size-evictions.js';
import type { CheckpointPolicy } from './worker-protocol.js';
import { awaitIngest } from '../../threads/foreground-gate.js';

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
 * Acknowledged spans the writer may be behind by before ingest waits for it (and the
 * ingest queue, filling, answers 429): two passes' worth, ~18 MB of chunk bytes held here
 * and about twice that in the writer. Past one pass, IntakePacer already slows ingest to
 * the writer's pace.
 */
export const MAX_UNINDEXED_SPANS = 2 * INDEX_AT_SPANS;
/**
 * A search first has the writer index what waits, so that it sees every span acknowledged
 * before it, as long as that is a small pass; with more waiting (sustained ingest) it answers
 * from what is indexed, which is at most about a second behind.
 */
export const SEARCH_WAITS_BELOW_SPANS = 8_192;
/** …and only when ingest has not had to wait for the writer for this long. */
const SEARCH_SKIPS_AFTER_PACING_MS = 1_000;

/** getTraceProto hands over decoded spans for traces of fewer bytes than this: ~128 spans (the Jaeger writer's threshold). */
const PROTO_PAGES_FROM_BYTES = 48 * 1024;

/**
 * Opens (creating and migrating as needed) a SQLite span store. Rejects with
 * StoreVersionError for a database from a newer Threadline, StoreOpenError otherwise.
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteSpanStore> {
  const logger = options.logger ?? SILENT;
  const checkpoint = { ...DEFAULT_CHECKPOINT, ...options.checkpoint };
  if (options.path === MEMORY) {
    const worker = await WorkerClient.start({ path: MEMORY, role: 'memory', checkpoint }, logger);
    return new SqliteSpanStore(worker, worker, logger);
  }
  // SQLite would open a private temporary database per connection: writer and reader apart.
  if (options.path === '') throw new StoreOpenError('the database path is empty');
  await mkdir(dirname(options.path), { recursive: true });
  // The reader opens only after the writer has migrated the schema.
  // The writer also indexes (and deletes) whatever ingest log files the last run left.
  const writer = await WorkerClient.start({ path: options.path, role: 'writer', checkpoint, maxDbSizeBytes: options.maxDbSizeBytes ?? 0 }, logger);
  try {
    const reader = await WorkerClient.start({ path: options.path, role: 'reader', checkpoint }, logger);
    return new SqliteSpanStore(writer, reader, logger, options.path);
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
export class SqliteSpanStore implements SpanStore, NettraceStore, ProfileStore {
  private closing: Promise<void> | undefined;
  private unindexed = false;
  private indexing: Promise<void> = Promise.resolve();
  // Once all it took is indexed, the log file is emptied.
  private readonly waiting = new UnindexedBatches(() => this.file?.log.emptyIfIdle());
  /** A file database's ingest log; `:memory:` writes straight to its one connection. */
  private readonly file: { path: string; log: IngestLogFile } | undefined;
  private readonly pacer = new IntakePacer(INDEX_AT_SPANS);
  /** Time acknowledgements waited for indexing (getPacedSeconds). */
  private pacedMs = 0;
  /** Whether profiles may be stored (the database may hold some from before this process). */
  private profilesStored = true;

  constructor(
    private readonly writer: WorkerClient,
    private readonly reader: WorkerClient,
    private readonly logger: StoreLogger,
    /** The database file, when not `:memory:`. */
    path?: string,
  ) {
    this.file = path === undefined ? undefined : { path, log: IngestLogFile.open(path, { allIndexed: () => this.waiting.allIndexed }) };
  }

  /**
   * Resolves once the batch is durable: appended to the ingest log file (a file database),
   * committed (`:memory:`). A process killed after the ack loses nothing; the writer indexes
   * the batch a moment later, and a restart indexes whatever it had not.
   */
  async writeBatch(spans: readonly Span[]): Promise<void> {
    if (spans.length === 0) return;
    let batch: PreparedBatch;
    try {
      batch = buildPreparedBatch(spans);
    } catch (err) {
      if (err instanceof StoreInputError) throw toRequestError({ kind: 'input', code: err.code, message: err.message }, 'writeBatch');
      throw err;
    }
    return this.writePrepared(packBatch(batch));
  }

  /**
   * writeBatch for a batch prepared already (on the calling thread by writeBatch, or by
   * the ingest threads that decode OTLP), so that the writer thread only runs SQLite.
   */
  async writePrepared(batch: PackedBatch): Promise<void> {
    if (!this.file) return this.writer.callTransferring('writeBatch', packedTransferables(batch), batch) as Promise<void>;
    if (chunkCount(batch) === 0) return;
    // Without a writer nothing would index what the log takes, and nothing would slow ingest down.
    if (!this.writer.isAlive) throw toRequestError({ kind: 'internal' }, 'writeBatch');
    let segment: number;
    try {
      segment = await this.file.log.append(batch.data);
    } catch (err) {
      this.logger.error({ error: { message: (err as Error).message, code: (err as NodeJS.ErrnoException).code } }, 'appending to the ingest log failed');
      throw toRequestError({ kind: 'internal' }, 'writeBatch');
    }
    const entry = this.waiting.add(batch);
    this.unindexed = true;
    // Settles once indexed. If the writer is gone, the batch is in the log file for the next start.
    this.writer.callTransferring('writeBatch', packedTransferables(batch), batch, segment).then(
      (pass) => {
        this.waiting.remove(entry);
        if (pass) this.pacer.passed(pass);
      },
      () => this.waiting.remove(entry, false),
    );
    // Durable already: waiting here only slows senders down while indexing is behind (the
    // ingest queue fills and answers 429): evenly, at the writer's pace, and at the latest
    // once the backlog is at its cap.
    const paceStarted = performance.now();
    const delay = this.pacer.delay(entry.spans, this.waiting.spans);
    if (delay > 0) await sleep(delay);
    await this.waiting.below(MAX_UNINDEXED_SPANS);
    this.pacedMs += performance.now() - paceStarted;
  }

  /** Seconds acknowledgements have waited for indexing to keep up (the pacer's delays and the backlog's cap), summed over batches. */
  getPacedSeconds(): number {
    return this.pacedMs / 1000;
  }

  /**
   * Acknowledged batches wait in the ingest log for up to a moment before they are indexed
   * (ingest-log.ts). Reads that use the indexes first have the writer index what waits (up
   * to SEARCH_WAITS_BELOW_SPANS), so a search sees every span acknowledged before it was
   * asked; concurrent reads share one such request. getTrace adds the unindexed spans
   * itself and needs none. If indexing fails (a full disk), the read answers from what is
   * indexed and the next one retries.
   */
  private indexed(): Promise<void> {
    if (!this.unindexed) return this.indexing;
    // Under sustained ingest the writer indexes within a second by itself (INDEX_AFTER_MS plus
    // a pass); a search that waited for a pass of its own would wait that long every time.
    // While the writer is behind (ingest was paced a moment ago) it would also queue behind
    // the pass under way: under 2.5× overload that made the query p99 ~0.8 s.
    if (this.waiting.spans > SEARCH_WAITS_BELOW_SPANS || this.pacer.pacedWithin(SEARCH_SKIPS_AFTER_PACING_MS)) return Promise.resolve();
    this.unindexed = false;
    // Meanwhile a background pass under way stops stepping aside for queries (foreground-gate.ts): this one waits for it.
    const awaited = awaitIngest();
    this.indexing = this.writer
      .call('indexPending')
      .catch(() => {
        this.unindexed = true;
      })
      .finally(awaited);
    return this.indexing;
  }

  /**
   * The reader sends the trace's chunks undecoded and they are decoded here: structured-
   * cloning decoded spans out of the worker cost more than decoding them (Jaeger get-trace
   * on the 10M-span benchmark database, 86 traces warm: median 3.6 → 2.8 ms, p95 7.7 → 6.5).
   */
  async getTrace(traceId: string): Promise<Span[]> {
    return decodeWholeTrace(await this.reader.call('getTracePacked', traceId, this.waiting.chunksOf(traceId)));
  }

  getTraceJson(traceId: string): Promise<string> {
    return this.reader.call('getTraceJson', traceId, this.waiting.chunksOf(traceId));
  }

  /** Pages decoded here, on the calling thread, as they are pulled: the worker only reads and inflates, a piece at a time. */
  async *streamTrace(traceId: string): AsyncGenerator<Span[]> {
    yield* decodeTracePages(await this.tracePieces(traceId), TRACE_PAGE_SPANS);
  }

  async *streamTraceProto(traceId: string): AsyncGenerator<TracePage> {
    yield* protoTracePages(await this.tracePieces(traceId), TRACE_PAGE_SPANS);
  }

  /**
   * One read, as getTrace's: the worker sends the whole trace undecoded, and it is paged here.
   * A small trace comes decoded, as getTrace gives it: skimming and paging it cost more than a
   * reader could save on so few spans (Jaeger searches of the 10M-span benchmark database,
   * ~30-span traces skimmed and paged, then decoded by the writer: p50 22.7 against 17.7 ms).
   */
  async getTraceProto(traceId: string): Promise<TracePage[]> {
    const packed = await this.reader.call('getTracePacked', traceId, this.waiting.chunksOf(traceId));
    if (packed.bytes.length < PROTO_PAGES_FROM_BYTES) return [decodeWholeTrace(packed)];
    const pages: TracePage[] = [];
    for await (const page of protoTracePages({ chunks: chunksOf(packed), joined: packed.joined }, TRACE_PAGE_SPANS)) pages.push(page);
    return pages;
  }

  private tracePieces(traceId: string): Promise<TraceChunkStream> {
    return streamPieces((cursor) => this.reader.call('getTracePiece', traceId, cursor, TRACE_PAGE_SPANS), this.waiting.chunksOf(traceId));
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

  findEventLogs(query: EventLogListQuery): Promise<EventLogSummary[]> {
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

  /**
   * The database's bytes. The ingest log files are left out: what they hold is on its way
   * into the database (counted there once indexed), deleting traces cannot shrink them, and
   * they stay small (the file being appended to, 8 MB at most, plus the unindexed backlog).
   */
  getStorageBytes(): Promise<number> {
    return this.writer.call('getStorageBytes');
  }

  /** Profiles (profile-store.ts): writes in the writer after commit, reads in the reader. */
  async writeProfile(window: ProfileWindow): Promise<void> {
    this.profilesStored = true;
    await this.writer.call('writeProfile', window);
  }

  async writeExecTrace(record: ExecTraceRecord): Promise<void> {
    this.profilesStored = true;
    await this.writer.call('writeExecTrace', record);
  }

  /**
   * Once a sweep found no profile left, later sweeps skip the writer until one is written:
   * a store without profiles costs the retention job nothing.
   */
  async deleteProfilesBefore(cutoffNs: bigint, maxRows: number): Promise<number> {
    if (!this.profilesStored) return 0;
    const step = await this.writer.call('deleteProfilesBefore', cutoffNs, maxRows);
    if (!step.remaining) this.profilesStored = false;
    return step.deleted;
  }

  getProfileStacks(query: ProfileStackQuery): Promise<ProfileStacks> {
    return this.reader.call('getProfileStacks', query);
  }

  getExecTrace(traceId: string, spanId: string): Promise<ExecTraceInfo | undefined> {
    return this.reader.call('getExecTrace', traceId, spanId);
  }

  getExecTraceRaw(traceId: string, spanId: string): Promise<Uint8Array | undefined> {
    return this.reader.call('getExecTraceRaw', traceId, spanId);
  }

  getProfileMarkers(traceId: string): Promise<ProfileMarker[]> {
    return this.reader.call('getProfileMarkers', traceId);
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
    // The log closes before the writer, so that the writer's last pass has every appended batch.
    this.closing ??=
      this.reader === this.writer
        ? this.writer.close()
        : this.reader
            .close()
            .then(() => this.file?.log.close())
            .finally(() => this.writer.close());
    return this.closing;
  }
}
