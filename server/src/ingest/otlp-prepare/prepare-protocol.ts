import type { IngestLimits } from '../ingest-limits.js';
import type { PreparedOtlp } from './prepare-otlp-batch.js';

export interface PrepareWorkerConfig {
  limits: IngestLimits;
}

/** One request body to decode; `malformed` starts the 400's message (the receivers word it differently). */
export interface PrepareRequest {
  id: number;
  body: Uint8Array;
  malformed: string;
}

export type PrepareAnswer =
  | { id: number; prepared: PreparedOtlp }
  /** An AppError of the request's own making (400, 413): answered as it is. */
  | { id: number; refused: { status: number; code: string; message: string; headers: Record<string, string> } }
  /** Anything else (a bug): the receivers answer it as an internal error. */
  | { id: number; failed: string };
