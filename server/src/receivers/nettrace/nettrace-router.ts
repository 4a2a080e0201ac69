import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestGate } from '../../ingest/ingest-gate.js';
import type { Reservation } from '../../ingest/inflight-budget.js';
import { admitJsonParse, gatedIngest, refusal } from '../http/http-ingest.js';
import { NettraceDecodeError, parseNettraceJson, type NettraceJsonRequest } from './nettrace-json-decoder.js';
import { toNettraceBatch } from './nettrace-normalize.js';
import type { NettraceWriteQueue } from './nettrace-write-queue.js';

export interface NettraceHttpDeps {
  nettraceQueue: Pick<NettraceWriteQueue, 'submit'>;
  gate: IngestGate;
  logger: Logger;
  maxBodyBytes: number;
  /** `--keep-sensitive`; otherwise sensitive messages are redacted before anything is stored. */
  keepSensitive: boolean;
}

/** `POST /v1/nettrace` answers this once the records are committed. */
export interface NettraceUploadResponse {
  acceptedRecords: number;
}

/**
 * net/trace ingest (`POST /v1/nettrace`, DESIGN.md §3): JSON, gzip allowed, 200 once the
 * records are committed; errors as `{"error":{code,message}}` through the error middleware,
 * a malformed upload as 400 naming the JSON path of the bad field.
 */
export function createNettraceRouter(deps: NettraceHttpDeps): Router {
  const router = express.Router();
  const options = { gate: deps.gate, receiver: 'nettrace' as const, maxBodyBytes: deps.maxBodyBytes, checkContentType };
  router.post('/v1/nettrace', async (req, res) => {
    try {
      await gatedIngest(req, options, (body, _meter, reservation) => handleUpload(deps, body, reservation, res));
    } catch (err) {
      throw refusal(req, options, err, deps.logger);
    }
  });
  router.all('/v1/nettrace', (_req, res) => {
    res.set('Allow', 'POST');
    throw new AppError(405, 'method_not_allowed', 'use POST to upload net/trace records');
  });
  return router;
}

/** net/trace records are bounded by the decoder's own caps; the budget covers the parse. */
async function handleUpload(deps: NettraceHttpDeps, body: Buffer, reservation: Reservation, res: Response): Promise<void> {
  admitJsonParse(body, deps.gate.limits, reservation);
  const batch = toNettraceBatch(decode(body), { keepSensitive: deps.keepSensitive });
  await deps.nettraceQueue.submit(batch);
  const answer: NettraceUploadResponse = { acceptedRecords: batch.requests.length + batch.eventLogs.length };
  res.status(200).json(answer);
}

function checkContentType(header: string | undefined): void {
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return;
  throw new AppError(415, 'unsupported_media_type', `unsupported Content-Type "${mediaType || '(none)'}"; send application/json`);
}

function decode(body: Buffer): NettraceJsonRequest {
  try {
    return parseNettraceJson(body.toString('utf8'));
  } catch (err) {
    if (err instanceof NettraceDecodeError) throw new AppError(400, 'malformed_request', `malformed net/trace JSON: ${err.message}`);
    throw err;
  }
}
