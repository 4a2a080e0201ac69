import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestQueue } from '../../ingest/ingest-queue.js';
import type { IngestGate } from '../../ingest/ingest-gate.js';
import type { DecodeMeter } from '../../ingest/ingest-limits.js';
import { admitJsonParse, gatedIngest, refusal } from '../http/http-ingest.js';
import { limitOtlpRequest } from '../otlp/otlp-limits.js';
import { parseExportTraceRequestJson } from '../otlp/otlp-json-decoder.js';
import { toSpans } from '../otlp/otlp-to-spans.js';
import type { OtlpTraceRequest } from '../otlp/otlp-types.js';
import { asMalformed, countsOf } from '../../ingest/otlp-prepare/decode-otlp-proto.js';
import { inlineOtlpIngest, type DecodedOtlp, type OtlpProtoIngest } from '../../ingest/otlp-prepare/otlp-proto-ingest.js';
import { otlpResponseContentType, parseOtlpContentType, type OtlpEncoding } from './otlp-content-type.js';
import { encodeExportResponse, encodeRpcStatus } from './otlp-http-responses.js';

export interface OtlpHttpDeps {
  queue: Pick<IngestQueue, 'submit'>;
  gate: IngestGate;
  logger: Logger;
  maxBodyBytes: number;
  /** How protobuf bodies are decoded and queued; on this thread when absent. JSON always is. */
  otlpIngest?: OtlpProtoIngest;
}

/**
 * OTLP/HTTP trace ingest (`POST /v1/traces`) per the OTLP specification: protobuf or
 * JSON, answered in the request's own encoding, errors as `google.rpc.Status`, and
 * the 200 only once the spans are committed.
 */
export function createOtlpHttpRouter(deps: OtlpHttpDeps): Router {
  const router = express.Router();
  const protobuf = deps.otlpIngest ?? inlineOtlpIngest(deps.queue, deps.gate.limits);
  router.post('/v1/traces', (req, res) => {
    void handleExport(deps, protobuf, req, res);
  });
  router.all('/v1/traces', (_req, res) => {
    res.set('Allow', 'POST');
    sendStatus(res, 'json', new AppError(405, 'method_not_allowed', 'use POST to export traces'));
  });
  return router;
}

async function handleExport(deps: OtlpHttpDeps, protobuf: OtlpProtoIngest, req: Request, res: Response): Promise<void> {
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
      // Read first: a protobuf body moves to the thread that decodes it.
      const bodyBytes = body.length;
      let decoded: DecodedOtlp;
      if (encoding === 'json') {
        admitJsonParse(body, meter.limits, reservation);
        decoded = decodeJson(body, meter, deps.queue);
      } else {
        decoded = await protobuf.decode(body, 'malformed protobuf ExportTraceServiceRequest');
      }
      // The body stays referenced until the answer: it counts as long as the decoded spans.
      reservation.resize(bodyBytes + decoded.decodedBytes);
      deps.gate.received('otlp_http', decoded.spans + decoded.rejected + decoded.spansOverLimit);
      deps.gate.rejectedSpans('otlp_http', 'invalid', decoded.rejected);
      deps.gate.rejectedSpans('otlp_http', 'over_limit', decoded.spansOverLimit);
      await decoded.submit();
      deps.gate.accepted('otlp_http', decoded.spans);
      return decoded.partial;
    });
    const bytes = encodeExportResponse(encoding, partial);
    send(res.status(200), encoding, bytes);
  } catch (err) {
    sendStatus(res, encoding, refusal(req, options, err, deps.logger));
  }
}

function decodeJson(body: Buffer, meter: DecodeMeter, queue: Pick<IngestQueue, 'submit'>): DecodedOtlp {
  let request: OtlpTraceRequest;
  try {
    request = limitOtlpRequest(parseExportTraceRequestJson(body.toString('utf8')), meter);
  } catch (err) {
    throw asMalformed(err, 'malformed JSON ExportTraceServiceRequest');
  }
  const result = toSpans(request);
  return { ...countsOf(result, meter), submit: () => queue.submit(result.spans) };
}

function sendStatus(res: Response, encoding: OtlpEncoding, err: AppError): void {
  send(res.set(err.headers).status(err.status), encoding, encodeRpcStatus(encoding, err.status, err.message));
}

/** `res.type()`/`res.set()` would append `; charset=utf-8` to application/json: set the header raw. */
function send(res: Response, encoding: OtlpEncoding, bytes: Uint8Array): void {
  res.setHeader('Content-Type', otlpResponseContentType(encoding));
  res.end(Buffer.from(bytes));
}
