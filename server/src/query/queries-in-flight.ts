import type { RequestHandler } from 'express';
import { beginForeground } from '../threads/foreground-gate.js';

/**
 * Counts a query API request as in flight from its arrival until its handler has written its
 * answer (`res.end`), or its client is gone, so ingest's threads step aside meanwhile
 * (threads/foreground-gate.ts). What follows the handler, compressing the answer on libuv's
 * threads and sending it, shares the cores like anything else: counted until the last byte
 * had left, a Jaeger search of 20 traces of 512 spans (11 MB of JSON, gzipped) kept ingest
 * aside for its compression too. overload.ts with the Jaeger queries, four runs of each build
 * alternating: 66–77 % of capacity acknowledged against 58–62 %, query p99 291–479 ms against
 * 396–500 ms.
 * Mounted after the compression middleware, so that its `end` is the one the handler calls.
 */
export const queriesInFlight: RequestHandler = (_req, res, next) => {
  const end = beginForeground();
  const answer = res.end;
  res.end = function (this: typeof res, ...args: Parameters<typeof res.end>) {
    end();
    return answer.apply(this, args);
  } as typeof res.end;
  res.once('close', end);
  next();
};
