/**
 * Entry of an ingest thread (prepare-pool.ts): decodes OTLP protobuf request bodies and
 * prepares their spans for the store, so that the thread answering exporters and the UI
 * only routes bytes. Bodies arrive and batches leave as transferred buffers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../app-error.js';
import { packBatch, packedTransferables } from '../../store/sqlite/packed-batch.js';
import { prepareOtlpBatch } from './prepare-otlp-batch.js';
import { BACKGROUND_NICE, niceThisThread } from '../../threads/thread-priority.js';
import { BackgroundYield } from '../../threads/foreground-gate.js';
import type { PrepareAnswer, PrepareRequest, PrepareWorkerConfig } from './prepare-protocol.js';

const { limits } = (workerData as { config: PrepareWorkerConfig }).config;
const port = parentPort!;
niceThisThread(BACKGROUND_NICE);
const queries = new BackgroundYield();

port.on('message', ({ id, buffer, offset, length, malformed }: PrepareRequest) => {
  let answer: PrepareAnswer;
  queries.yield();
  try {
    const { counts, batch } = prepareOtlpBatch(new Uint8Array(buffer, offset, length), limits, malformed);
    const packed = batch && packBatch(batch);
    port.postMessage({ id, prepared: { counts, batch: packed } } satisfies PrepareAnswer, packed ? packedTransferables(packed) : []);
    return;
  } catch (err) {
    answer =
      err instanceof AppError
        ? { id, refused: { status: err.status, code: err.code, message: err.message, headers: err.headers } }
        : { id, failed: (err as Error).message };
  }
  port.postMessage(answer);
});
