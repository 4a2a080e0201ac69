import { AppError } from '../../app-error.js';
import type { IngestLimits } from '../ingest-limits.js';
import { buildPreparedBatch, type PreparedBatch } from '../../store/sqlite/prepared-batch.js';
import { StoreInputError } from '../../store/sqlite/store-input-error.js';
import { decodeOtlpProto, type OtlpDecodeCounts } from './decode-otlp-proto.js';
import { prepareOtlpDirect } from './prepare-otlp-direct.js';

export interface PreparedOtlp {
  counts: OtlpDecodeCounts;
  /** The accepted spans prepared for the SQLite store; none when no span was accepted. */
  batch: PreparedBatch | undefined;
}

/**
 * All the CPU work of an OTLP protobuf request before it is stored: decode, validate,
 * prepare the store's batch. Pure, so that it can run on any thread (prepare-pool.ts);
 * throws AppError as the receivers answer it (a span the store refuses is a 400, as from
 * the store itself). A request with nothing to reject, cut or refuse is read in place
 * (prepare-otlp-direct.ts); any other is decoded into spans first, which gives the same
 * batch and counts for the former and the detailed answers for the latter.
 */
export function prepareOtlpBatch(body: Uint8Array, limits: IngestLimits, malformed: string): PreparedOtlp {
  return prepareOtlpDirect(body, limits) ?? prepareOtlpDecoded(body, limits, malformed);
}

/** prepareOtlpBatch through decoded spans: every request, whatever it holds. */
export function prepareOtlpDecoded(body: Uint8Array, limits: IngestLimits, malformed: string): PreparedOtlp {
  const { result, counts } = decodeOtlpProto(body, limits, malformed);
  if (result.spans.length === 0) return { counts, batch: undefined };
  try {
    return { counts, batch: buildPreparedBatch(result.spans) };
  } catch (err) {
    if (err instanceof StoreInputError) throw new AppError(400, err.code, err.message);
    throw err;
  }
}
