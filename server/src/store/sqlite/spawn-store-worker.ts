import { Worker } from 'node:worker_threads';
import type { WorkerConfig, WorkerData } from './worker-protocol.js';

/**
 * Node 20 does not apply loader hooks registered by `--import tsx` in a worker's
 * execArgv to the worker's own entry module, so under vitest or tsx the worker starts
 * from this bootstrap, which registers tsx and only then imports the TypeScript entry.
 */
const TSX_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx.api).then((tsx) => {
  tsx.register();
  return import(workerData.tsx.entry);
});
`;

/**
 * Starts a store worker on the entry beside this module: store-worker.js in dist/, or
 * store-worker.ts when this module itself runs from TypeScript sources.
 */
export function spawnStoreWorker(config: WorkerConfig): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    const data: WorkerData = { config };
    return new Worker(new URL('./store-worker.js', import.meta.url), { workerData: data });
  }
  const data: WorkerData = {
    config,
    tsx: { api: import.meta.resolve('tsx/esm/api'), entry: new URL('./store-worker.ts', import.meta.url).href },
  };
  return new Worker(TSX_BOOTSTRAP, { eval: true, workerData: data });
}
