import { Worker, type ResourceLimits } from 'node:worker_threads';
import { foregroundSignal } from './foreground-gate.js';

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

/** Heap limits for a helper whose JavaScript heap holds next to nothing (its data are buffers outside it). */
export const SMALL_HEAP: ResourceLimits = { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 };

/**
 * The young generation of the threads that allocate all the time at full-speed ingest (the
 * store's writer, the ingest threads), in MB: 4 MB semi-spaces instead of V8's 16. Their young
 * objects die within a batch or a pass, and the pages a bigger new space touched once stayed
 * in the process. Four alternating pairs of 30-s OTLP/HTTP runs: the same rate (44.0–54.4k
 * against 42.9–54.8k spans/s) at a peak RSS of 373–406 MB against 434–448; eight attribute
 * bombs peaked at 564 and 537 MB against 575 and 580. The query threads keep V8's default:
 * they are not what grows under ingest, and serving a 100k-span trace looked slower with the
 * reader limited too.
 */
export const INGEST_YOUNG_GENERATION_MB = 12;

/**
 * Starts a worker on the entry module `entry` beside `callerUrl` (the caller's
 * `import.meta.url`): `entry`.js in dist/, or `entry`.ts when the caller itself runs from
 * TypeScript sources. `data` arrives as `workerData.config`, the process's foreground
 * signal (foreground-gate.ts) as `workerData.foreground`.
 */
export function spawnWorker(callerUrl: string, entry: string, data: unknown, resourceLimits?: ResourceLimits): Worker {
  if (!callerUrl.endsWith('.ts')) {
    return new Worker(new URL(`./${entry}.js`, callerUrl), { workerData: { config: data, foreground: foregroundSignal() }, resourceLimits });
  }
  const workerData = {
    config: data,
    foreground: foregroundSignal(),
    tsx: { api: import.meta.resolve('tsx/esm/api'), entry: new URL(`./${entry}.ts`, callerUrl).href },
  };
  return new Worker(TSX_BOOTSTRAP, { eval: true, workerData, resourceLimits });
}
