/**
 * Entry of the writer's compression helper (block-compressor.ts): compresses each block
 * it is sent and posts it back, then bumps the shared counter the writer may be sleeping on.
 */
import { parentPort } from 'node:worker_threads';
import { compressChunk } from './chunk-compression.js';
import type { CompressorSetup, CompressRequest, CompressResult } from './block-compressor.js';
import { BACKGROUND_NICE, niceThisThread } from '../../threads/thread-priority.js';

// The writer's own work, at the writer's priority.
niceThisThread(BACKGROUND_NICE);
parentPort!.once('message', ({ port, results }: CompressorSetup) => {
  port.on('message', ({ seq, data }: CompressRequest) => {
    const packed = compressChunk(data);
    port.postMessage({ seq, data: packed } satisfies CompressResult, [packed.buffer as ArrayBuffer]);
    Atomics.add(results, 0, 1);
    Atomics.notify(results, 0);
  });
});
