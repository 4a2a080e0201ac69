import express, { type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestQueue } from '../../ingest/ingest-queue.js';
import type { IngestGate } from '../../ingest/ingest-gate.js';
import type { Reservation } from '../../ingest/inflight-budget.js';
import { limitSpans, type DecodeMeter } from '../../ingest/ingest-limits.js';
import { admitJsonParse, gatedIngest, refusal } from '../http/http-ingest.js';
import { toPartialSuccess } from '../otlp/otlp-responses.js';
import { ZipkinDecodeError, parseZipkinSpansJson, type ZipkinSpan } from './zipkin-json-decoder.js';
import { toSpans } from './zipkin-to-spans.js';

export interface ZipkinDeps {
  queue: Pick<IngestQueue, 'submit'>;
  gate: IngestGate;
  logger: Logger;
  maxBodyBytes: number;
}

/**
 * Zipkin v2 ingest (`POST /api/v2/spans`), JSON only, as zipkin-go, Brave and the
 * OpenTelemetry Zipkin exporters send it. 202 once the spans are committed; errors as
 * `{"error":{code,message}}` through the error middleware.
 *
 * Zipkin has no partial-success answer: spans that fail validation are dropped one by
 * one and the rest stored (202, with a JSON note clients ignore and curl users can read);
 * only when nothing could be stored is the upload refused with 400.
 */
export function createZipkinRouter(deps: ZipkinDeps): Router {
  const router = express.Router();
  const options = { gate: deps.gate, receiver: 'zipkin' as const, maxBodyBytes: deps.maxBodyBytes, checkContentType };
  router.post('/api/v2/spans', async (req, res) => {
    try {
      await gatedIngest(req, options, (body, meter, reservation) => handleUpload(deps, body, meter, reservation, res));
    } catch (err) {
      throw refusal(req, options, err, deps.logger);
    }
  });
  router.all('/api/v2/spans', (_req, res) => {
    res.set('Allow', 'POST');
    throw new AppError(405, 'method_not_allowed', 'use POST to upload spans; this collector has no Zipkin query API');
  });
  return router;
}

async function handleUpload(deps: ZipkinDeps, body: Buffer, meter: DecodeMeter, reservation: Reservation, res: Response): Promise<void> {
  admitJsonParse(body, meter.limits, reservation);
  const result = toSpans(decode(body));
  const spans = limitSpans(result.spans, meter);
  reservation.resize(body.length + meter.bytes);
  deps.gate.received('zipkin', result.spans.length + result.rejected);
  deps.gate.rejectedSpans('zipkin', 'invalid', result.rejected);
  deps.gate.rejectedSpans('zipkin', 'over_limit', meter.spansOverLimit);
  const rejection = toPartialSuccess(result, meter);
  if (spans.length === 0 && rejection) {
    throw new AppError(400, 'invalid_spans', `all ${rejection.rejectedSpans} spans were rejected: ${rejection.errorMessage}`);
  }
  await deps.queue.submit(spans);
  deps.gate.accepted('zipkin', spans.length);
  if (!rejection) {
    res.status(202).end();
    return;
  }
  deps.logger.warn({ rejected: rejection.rejectedSpans, reasons: rejection.errorMessage }, 'zipkin spans rejected');
  res.status(202).json({ rejectedSpans: rejection.rejectedSpans, message: rejection.errorMessage });
}

/**
 * Only `application/json`. Zipkin servers read a missing Content-Type as JSON, but a body
 * without one is what a web page can send cross-origin with no preflight (`no-cors`
 * fetch of a Blob); every Zipkin client library sets the header.
 */
function checkContentType(header: string | undefined): void {
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return;
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') {
    throw new AppError(415, 'unsupported_media_type', 'Zipkin proto3 uploads are not supported; send Zipkin v2 JSON (application/json)');
  }
  throw new AppError(415, 'unsupported_media_type', `unsupported Content-Type "${mediaType || '(none)'}"; send Zipkin v2 JSON (application/json)`);
}

function decode(body: Buffer): ZipkinSpan[] {
  try {
    return parseZipkinSpansJson(body.toString('utf8'));
  } catch (err) {
    if (err instanceof ZipkinDecodeError) throw new AppError(400, 'malformed_request', `malformed Zipkin v2 JSON: ${err.message}`);
    throw err;
  }
}
