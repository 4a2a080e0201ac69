import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestQueue } from '../../ingest/ingest-queue.js';
import { ingestFailure } from '../http/ingest-failure.js';
import { readBody } from '../http/read-body.js';
import { toPartialSuccess } from '../otlp/otlp-responses.js';
import { ZipkinDecodeError, parseZipkinSpansJson, type ZipkinSpan } from './zipkin-json-decoder.js';
import { toSpans } from './zipkin-to-spans.js';

export interface ZipkinDeps {
  queue: IngestQueue;
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
  router.post('/api/v2/spans', async (req, res) => {
    try {
      await handleUpload(deps, req, res);
    } catch (err) {
      throw ingestFailure(err, deps.logger);
    }
  });
  router.all('/api/v2/spans', (_req, res) => {
    res.set('Allow', 'POST');
    throw new AppError(405, 'method_not_allowed', 'use POST to upload spans; this collector has no Zipkin query API');
  });
  return router;
}

async function handleUpload(deps: ZipkinDeps, req: Request, res: Response): Promise<void> {
  checkContentType(req.headers['content-type']);
  const body = await readBody(req, deps.maxBodyBytes);
  const result = toSpans(decode(body));
  const rejection = toPartialSuccess(result);
  if (result.spans.length === 0 && rejection) {
    throw new AppError(400, 'invalid_spans', `all ${rejection.rejectedSpans} spans were rejected: ${rejection.errorMessage}`);
  }
  await deps.queue.submit(result.spans);
  if (!rejection) {
    res.status(202).end();
    return;
  }
  deps.logger.warn({ rejected: rejection.rejectedSpans, reasons: rejection.errorMessage }, 'zipkin spans rejected');
  res.status(202).json({ rejectedSpans: rejection.rejectedSpans, message: rejection.errorMessage });
}

/** Zipkin servers read a missing Content-Type as JSON; so do we. */
function checkContentType(header: string | undefined): void {
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === '' || mediaType === 'application/json') return;
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') {
    throw new AppError(415, 'unsupported_media_type', 'Zipkin proto3 uploads are not supported; send Zipkin v2 JSON (application/json)');
  }
  throw new AppError(415, 'unsupported_media_type', `unsupported Content-Type "${mediaType}"; send Zipkin v2 JSON (application/json)`);
}

function decode(body: Buffer): ZipkinSpan[] {
  try {
    return parseZipkinSpansJson(body.toString('utf8'));
  } catch (err) {
    if (err instanceof ZipkinDecodeError) throw new AppError(400, 'malformed_request', `malformed Zipkin v2 JSON: ${err.message}`);
    throw err;
  }
}
