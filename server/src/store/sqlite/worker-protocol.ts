import type { JaegerDependency } from '@threadline/shared';
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
  OperationInfo,
  SpanKindName,
  TraceQuery,
  TraceSummary,
} from '../span-store.js';
import type {
  LatencyHeatmap,
  LatencyHeatmapQuery,
  LatencyHistogram,
  LatencyHistogramQuery,
  LatencyQuery,
  OperationStatsQuery,
  RetentionStep,
  SlowSpanPage,
  SlowSpanQuery,
} from '../latency-queries.js';
import type { EncodedLatencyStats, EncodedOperationStats } from './latency-sketch-reader.js';
import type { PackedBatch } from './packed-batch.js';
import type { IndexPass } from './ingest-log.js';
import type { PackedTrace } from './trace-chunk-pages.js';
import type { TraceCursor, TracePiece } from './trace-piece-reader.js';
import type { FirstPiece } from './trace-piece-stream.js';
import type { ProfileOperations } from './profile-operations.js';
import type { SizeEvictions } from '../size-evictions.js';

/** The requests a store worker serves; synchronous inside the worker. */
export interface StoreOperations extends ProfileOperations {
  /**
   * A batch prepared on the calling thread (prepared-batch.ts). A file database's writer
   * gets it after the caller appended it to log file `segment` (ingest-log-file.ts) and
   * answers once it is indexed; `:memory:` writes and indexes it at once.
   */
  /** A file database's writer resolves once the batch is indexed, with the pass that indexed it. */
  writeBatch(batch: PackedBatch, segment?: number): void | Promise<IndexPass>;
  /** Indexes what the ingest log holds, so that searches see every acknowledged span. */
  indexPending(): void;
  /** `unindexed`: the trace's acknowledged chunks still on their way to the index (sqlite-store.ts). */
  getTraceJson(traceId: string, unindexed?: readonly Uint8Array[]): string;
  /** The trace undecoded, for getTrace (decoded on the calling thread); `unindexed` as above. */
  getTracePacked(traceId: string, unindexed?: readonly Uint8Array[]): PackedTrace;
  /**
   * The trace undecoded a piece at a time, for streamTrace: the piece at `cursor` (the first
   * without, which also carries the joined net/trace records), pages of `pageSpans` spans.
   */
  getTracePiece(traceId: string, cursor: TraceCursor | undefined, pageSpans: number): FirstPiece | TracePiece;
  getServices(): string[];
  getOperations(service: string, spanKind?: SpanKindName): OperationInfo[];
  findTraceIds(query: TraceQuery): string[];
  getDependencies(startNs: bigint, endNs: bigint): JaegerDependency[];
  getTraceSummaries(traceIds: readonly string[]): TraceSummary[];
  writeNettrace(batch: NettraceBatch): void;
  findNettraceRequests(query: NettraceRequestQuery): NettraceRequest[];
  getEventLogFamilies(query: EventLogQuery): EventLogFamily[];
  findEventLogs(query: EventLogListQuery): EventLogSummary[];
  getEventLogs(recordId: string, service?: string): EventLog[];
  getNettraceFamilies(query: NettraceFamiliesQuery): NettraceFamilies;
  getLatencyStats(query: LatencyQuery): EncodedLatencyStats;
  getOperationStats(query: OperationStatsQuery): EncodedOperationStats;
  getLatencyHistogram(query: LatencyHistogramQuery): LatencyHistogram;
  getLatencyHeatmap(query: LatencyHeatmapQuery): LatencyHeatmap;
  findSlowSpans(query: SlowSpanQuery): SlowSpanPage;
  deleteBefore(cutoffNs: bigint, maxSpans: number): RetentionStep;
  deleteOldestTraces(maxSpans: number): RetentionStep;
  getStorageBytes(): number;
  /** What `--max-db-size` evicted since the writer started (zeros without a limit). */
  getSizeEvictions(): SizeEvictions;
  /** Closes the connection, the writer after a last checkpoint. Always the last request. */
  close(): void;
}

export type OperationName = keyof StoreOperations;

/**
 * A file database gets a writer and a reader worker; `:memory:` exists only inside the
 * connection that created it, so one worker does both there.
 */
export type WorkerRole = 'writer' | 'reader' | 'memory';

export interface CheckpointPolicy {
  /** A TRUNCATE checkpoint is tried after this many commits… */
  everyCommits: number;
  /** …or at the first commit this long after the last one. */
  everyMs: number;
}

export interface WorkerConfig {
  path: string;
  role: WorkerRole;
  checkpoint: CheckpointPolicy;
  /** `--max-db-size`: the writer evicts the oldest traces to stay under it; 0 = no limit. */
  maxDbSizeBytes?: number;
}

export interface WorkerData {
  config: WorkerConfig;
  /** Set when running from TypeScript sources: how the bootstrap loads the entry. */
  tsx?: { api: string; entry: string };
}

export interface WorkerRequest {
  id: number;
  op: OperationName;
  args: unknown[];
}

/** Errors cross the thread boundary as data: class identity does not survive a clone. */
export type WorkerFailure =
  | { kind: 'version'; databaseVersion: number; supportedVersion: number }
  | { kind: 'open'; message: string }
  | { kind: 'input'; code: 'invalid_span' | 'invalid_record' | 'invalid_query'; message: string }
  | { kind: 'internal' };

export type LogLevel = 'info' | 'warn' | 'error';

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'startup-failure'; failure: WorkerFailure }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'failure'; id: number; failure: WorkerFailure }
  | { type: 'log'; level: LogLevel; msg: string; fields: Record<string, unknown> };
