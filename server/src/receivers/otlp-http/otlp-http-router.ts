import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestQueue } from '../../ingest/ingest-queue.js';
import { readBody } from '../http/read-body.js';
import { parseExportTraceRequestProto } from '../otlp/otlp-proto-decoder.js';
import { parseExportTraceRequestJson } from '../otlp/otlp-json-decoder.js';
import { toSpans } from '../otlp/otlp-to-spans.js';
import { toPartialSuccess } from '../otlp/otlp-responses.js';
import type { OtlpTraceRequest } from '../otlp/otlp-types.js';
import { ingestFailure } from '../http/ingest-failure.js';
import { otlpResponseContentType, parseOtlpContentType, type OtlpEncoding } from './otlp-content-type.js';
import { encodeExportResponse, encodeRpcStatus } from './otlp-http-responses.js';

export interface OtlpHttpDeps {
  queue: IngestQueue;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * OTLP/HTTP trace ingest (`POST /v1/traces`) per the OTLP specification: protobuf or
 * JSON, answered in the request's own encoding, errors as `google.rpc.Status`, and
 * the 200 only once the spans are committed.
 */
export function createOtlpHttpRouter(deps: OtlpHttpDeps): Router {
  const router = express.Router();
  router.post('/v1/traces', (req, res) => {
    void handleExport(deps, req, res);
  });
  router.all('/v1/traces', (_req, res) => {
    res.set('Allow', 'POST');
    sendStatus(res, 'json', new AppError(405, 'method_not_allowed', 'use POST to export traces'));
  });
  return router;
}

async function handleExport(deps: OtlpHttpDeps, req: Request, res: Response): Promise<void> {
  // Until we know the body's encoding, errors are answered in JSON.
  let encoding: OtlpEncoding = 'json';
  try {
    encoding = parseOtlpContentType(req.headers['content-type']);
    const body = await readBody(req, deps.maxBodyBytes);
    const request = decode(encoding, body);
    const result = toSpans(request);
    await deps.queue.submit(result.spans);
    const bytes = encodeExportResponse(encoding, toPartialSuccess(result));
    send(res.status(200), encoding, bytes);
  } catch (err) {
    const appError = ingestFailure(err, deps.logger);
    sendStatus(res, encoding, appError);
  }
}

function decode(encoding: OtlpEncoding, body: Buffer): OtlpTraceRequest {
  try {
    return encoding === 'protobuf' ? parseExportTraceRequestProto(body) : parseExportTraceRequestJson(body.toString('utf8'));
  } catch (err) {
    throw new AppError(400, 'malformed_request', `malformed ${encoding === 'protobuf' ? 'protobuf' : 'JSON'} ExportTraceServiceRequest: ${(err as Error).message}`);
  }
}

function sendStatus(res: Response, encoding: OtlpEncoding, err: AppError): void {
  send(res.set(err.headers).status(err.status), encoding, encodeRpcStatus(encoding, err.status, err.message));
}

/** `res.type()`/`res.set()` would append `; charset=utf-8` to application/json: set the header raw. */
function send(res: Response, encoding: OtlpEncoding, bytes: Uint8Array): void {
  res.setHeader('Content-Type', otlpResponseContentType(encoding));
  res.end(Buffer.from(bytes));
}
