import type { IngestLimits } from '../ingest-limits.js';
import type { PackedBatch } from '../../store/sqlite/packed-batch.js';
import type { OtlpDecodeCounts } from './decode-otlp-proto.js';

export interface PrepareWorkerConfig {
  limits: IngestLimits;
}

/**
 * One request body to decode: `length` bytes at `offset` of `buffer` (moved to the thread);
 * `malformed` starts the 400's message (the receivers word it differently).
 */
export interface PrepareRequest {
  id: number;
  buffer: ArrayBuffer;
  offset: number;
  length: number;
  malformed: string;
}

/** A body decoded: its counts, and its accepted spans packed for the store (none when none was accepted). */
export interface PackedOtlp {
  counts: OtlpDecodeCounts;
  batch: PackedBatch | undefined;
}

export type PrepareAnswer =
  | { id: number; prepared: PackedOtlp }
  /** An AppError of the request's own making (400, 413): answered as it is. */
  | { id: number; refused: { status: number; code: string; message: string; headers: Record<string, string> } }
  /** Anything else (a bug): the receivers answer it as an internal error. */
  | { id: number; failed: string };
