import type { IngestQueue } from '../ingest-queue.js';
import type { IngestLimits } from '../ingest-limits.js';
import type { PreparedBatchWriter } from '../../store/create-store.js';
import { decodeOtlpProto, type OtlpDecodeCounts } from './decode-otlp-proto.js';
import type { PreparePool } from './prepare-pool.js';

/** A decoded OTLP protobuf request: its counts, and the step that queues its spans. */
export interface DecodedOtlp extends OtlpDecodeCounts {
  /** Queues the accepted spans; resolves once they are durable (as IngestQueue.submit). */
  submit(): Promise<void>;
}

/**
 * How the OTLP receivers (HTTP protobuf and gRPC) turn a request body into queued spans.
 * `decode` takes the body: its memory may move to another thread, so the caller must not
 * use it after. Throws AppError for a request refused as a whole; `malformed` starts the
 * 400's message.
 */
export interface OtlpProtoIngest {
  decode(body: Buffer, malformed: string): Promise<DecodedOtlp>;
}

/** Decoding on the calling thread, spans queued as objects: any store takes them. */
export function inlineOtlpIngest(queue: Pick<IngestQueue, 'submit'>, limits: IngestLimits): OtlpProtoIngest {
  return {
    decode: async (body, malformed) => {
      const { result, counts } = decodeOtlpProto(body, limits, malformed);
      return { ...counts, submit: () => queue.submit(result.spans) };
    },
  };
}

/** Decoding and preparation on the pool's threads; the store takes the prepared batch (SQLite). */
export function pooledOtlpIngest(pool: PreparePool, queue: Pick<IngestQueue, 'submitPrepared'>, store: PreparedBatchWriter): OtlpProtoIngest {
  return {
    decode: async (body, malformed) => {
      const { counts, batch } = await pool.run(body, malformed);
      return { ...counts, submit: () => (batch ? queue.submitPrepared(counts.spans, () => store.writePrepared(batch)) : Promise.resolve()) };
    },
  };
}
