import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestQueue } from '../../ingest/ingest-queue.js';
import type { IngestGate } from '../../ingest/ingest-gate.js';
import type { DecodeMeter } from '../../ingest/ingest-limits.js';
import { admitJsonParse, gatedIngest, refusal } from '../http/http-ingest.js';
import { limitOtlpRequest } from '../otlp/otlp-limits.js';
import { parseExportTraceRequestProto } from '../otlp/otlp-proto-decoder.js';
import { parseExportTraceRequestJson } from '../otlp/otlp-json-decoder.js';
import { toSpans } from '../otlp/otlp-to-spans.js';
import { toPartialSuccess } from '../otlp/otlp-responses.js';
import type { OtlpTraceRequest } from '../otlp/otlp-types.js';
import { otlpResponseContentType, parseOtlpContentType, type OtlpEncoding } from './otlp-content-type.js';
import { encodeExportResponse, encodeRpcStatus } from './otlp-http-responses.js';

export interface OtlpHttpDeps {
  queue: Pick<IngestQueue, 'submit'>;
  gate: IngestGate;
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
  let encoding = 'json' as OtlpEncoding;
  const options = {
    gate: deps.gate,
    receiver: 'otlp_http' as const,
    maxBodyBytes: deps.maxBodyBytes,
    checkContentType: (header: string | undefined) => {
      encoding = parseOtlpContentType(header);
    },
  };
  try {
    const partial = await gatedIngest(req, options, async (body, meter, reservation) => {
      if (encoding === 'json') admitJsonParse(body, meter.limits, reservation);
      const request = decode(encoding, body, meter);
      // The body stays referenced until the answer: it counts as long as the decoded spans.
      reservation.resize(body.length + meter.bytes);
      const result = toSpans(request);
      deps.gate.received('otlp_http', result.spans.length + result.rejected + meter.spansOverLimit);
      deps.gate.rejectedSpans('otlp_http', 'invalid', result.rejected);
      deps.gate.rejectedSpans('otlp_http', 'over_limit', meter.spansOverLimit);
      await deps.queue.submit(result.spans);
      deps.gate.accepted('otlp_http', result.spans.length);
      return toPartialSuccess(result, meter);
    });
    const bytes = encodeExportResponse(encoding, partial);
    send(res.status(200), encoding, bytes);
  } catch (err) {
    sendStatus(res, encoding, refusal(req, options, err, deps.logger));
  }
}

function decode(encoding: OtlpEncoding, body: Buffer, meter: DecodeMeter): OtlpTraceRequest {
  try {
    return encoding === 'protobuf' ? parseExportTraceRequestProto(body, meter) : limitOtlpRequest(parseExportTraceRequestJson(body.toString('utf8')), meter);
  } catch (err) {
    if (err instanceof AppError) throw err;
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
