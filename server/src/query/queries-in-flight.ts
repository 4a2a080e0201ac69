import type { RequestHandler } from 'express';
import { beginForeground } from '../threads/foreground-gate.js';

/**
 * Counts a query API request as in flight from its arrival until its response is done or
 * its client gone, so ingest's threads step aside meanwhile (threads/foreground-gate.ts).
 */
export const queriesInFlight: RequestHandler = (_req, res, next) => {
  const end = beginForeground();
  res.once('finish', end);
  res.once('close', end);
  next();
};
