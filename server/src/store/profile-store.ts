/**
 * Go diagnostics storage (issue 13): CPU and other pprof profiles aggregated per
 * (service, window, span label, stack), and execution-trace summaries with their raw
 * traces, keyed by trace and span ID. Implemented by the SQLite store; the ClickHouse
 * store does not implement it (the profiles routes are then not mounted).
 */
export interface ProfileStore {
  /** Stores one profile window atomically; resolves after the commit. */
  writeProfile(profile: ProfileWindow): Promise<void>;
  /** Stores (replaces) the execution trace of one span; resolves after the commit. */
  writeExecTrace(record: ExecTraceRecord): Promise<void>;
  /** Sample values summed per stack over the matching samples, largest first, at most `limit`. */
  getProfileStacks(query: ProfileStackQuery): Promise<ProfileStacks>;
  /** The execution trace of a span without its raw bytes; undefined when there is none. */
  getExecTrace(traceId: string, spanId: string): Promise<ExecTraceInfo | undefined>;
  /** The raw execution trace of a span; undefined when there is none or it was not uploaded. */
  getExecTraceRaw(traceId: string, spanId: string): Promise<Uint8Array | undefined>;
  /** Spans of a trace that have CPU samples or an execution trace. */
  getProfileMarkers(traceId: string): Promise<ProfileMarker[]>;
  /**
   * Retention step: deletes up to `maxRows` windows and execution traces older than the
   * cutoff or than the oldest span still stored (profiles never outlive their spans).
   * Returns the rows deleted; 0 when done.
   */
  deleteProfilesBefore(cutoffNs: bigint, maxRows: number): Promise<number>;
}

/** pprof sample types Threadline keeps apart. */
export type ProfileKind = 'cpu' | 'heap' | 'goroutine' | 'mutex' | 'block' | 'other';

export interface ProfileWindow {
  service: string;
  kind: ProfileKind;
  /** The unit of `value`, e.g. "nanoseconds" for CPU time. */
  unit: string;
  startNs: bigint;
  endNs: bigint;
  /** Resource attributes of the uploading process. */
  resource: Record<string, string>;
  samples: ProfileSample[];
}

/** Samples aggregated by span label and stack. */
export interface ProfileSample {
  /** pprof labels set by clients/go/profiling; '' when the sample had none. */
  spanId: string;
  spanName: string;
  traceId: string;
  /** Function names, root first. */
  frames: string[];
  value: number;
}

export interface ProfileStackQuery {
  kind: ProfileKind;
  /** Samples labeled with one of these spans (any window). */
  spanIds?: readonly string[];
  /** Or: samples of this service (and span name) in windows overlapping [startNs, endNs). */
  service?: string;
  spanName?: string;
  startNs?: bigint;
  endNs?: bigint;
  limit: number;
}

export interface ProfileStacks {
  unit: string;
  /** Sum over every matching sample, including stacks past the limit. */
  total: number;
  stacks: Array<{ frames: string[]; value: number }>;
}

export interface ExecTraceRecord {
  traceId: string;
  spanId: string;
  service: string;
  spanName: string;
  startNs: bigint;
  durationNs: bigint;
  error: boolean;
  /** The summary JSON as validated at ingest (exectrace-decoder.ts). */
  summary: ExecTraceSummary;
  raw: Uint8Array | undefined;
  rawBytes: number;
}

export interface ExecTraceSummary {
  durationNano: string;
  goroutines: number;
  startSeen: boolean;
  states: Array<{ state: string; durationNano: string }>;
  topStacks: Array<{ state: string; reason: string; durationNano: string; count: number; frames: string[] }>;
}

export type ExecTraceInfo = Omit<ExecTraceRecord, 'raw'> & { hasRaw: boolean };

export interface ProfileMarker {
  spanId: string;
  cpu: boolean;
  execTrace: boolean;
}
