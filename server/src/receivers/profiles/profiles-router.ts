import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { AppError } from '../../app-error.js';
import type { IngestGate } from '../../ingest/ingest-gate.js';
import type { Reservation } from '../../ingest/inflight-budget.js';
import { IngestRejectedError } from '../../ingest/ingest-queue.js';
import type { ProfileStore, ProfileWindow } from '../../store/profile-store.js';
import { admitJsonParse, gatedIngest, refusal, type HttpIngestOptions } from '../http/http-ingest.js';
import { ExecTraceDecodeError, MAX_RAW_TRACE_BYTES, parseExecTraceUpload } from './exectrace-decoder.js';
import { parsePprof, PprofDecodeError, PprofTooLargeError } from './pprof-decoder.js';
import { parseResourceHeaders, ResourceHeaderError } from './resource-headers.js';

export interface ProfilesHttpDeps {
  profileStore: ProfileStore;
  gate: IngestGate;
  logger: Logger;
  maxBodyBytes: number;
}

/** Uploads being decoded or written at once, beyond which new ones get 429 (the Go bridge drops and counts them). */
const MAX_PENDING_UPLOADS = 8;
/** Decoding a pprof body builds objects for every sample and location: measured at a few times its size. */
const PPROF_HEAP_FACTOR = 6;

/**
 * Go diagnostics ingest (DESIGN.md §2, docs/api.md): `POST /v1/profiles/pprof` (a pprof
 * protobuf, gzipped or not) and `POST /v1/profiles/exectrace` (JSON: execution-trace
 * summary + raw trace). Same gate and error rules as every receiver: token, content type,
 * body cap after decompression (413), malformed body (400), 200 once committed.
 */
export function createProfilesRouter(deps: ProfilesHttpDeps): Router {
  const router = express.Router();
  let pending = 0;
  const admitted = async (req: Request, options: HttpIngestOptions, work: (body: Buffer, reservation: Reservation) => Promise<void>) => {
    try {
      if (pending >= MAX_PENDING_UPLOADS) throw new IngestRejectedError('queue_full', `${pending} profile uploads are being stored; retry later`, 1);
      pending++;
      try {
        await gatedIngest(req, options, (body, _meter, reservation) => work(body, reservation));
      } finally {
        pending--;
      }
    } catch (err) {
      throw refusal(req, options, err, deps.logger);
    }
  };

  const pprofOptions = { gate: deps.gate, receiver: 'profiles' as const, maxBodyBytes: deps.maxBodyBytes, checkContentType: checkPprofType };
  router.post('/v1/profiles/pprof', async (req, res) => {
    await admitted(req, pprofOptions, async (body, reservation) => {
      const resource = decodeWith(() => parseResourceHeaders(header(req, 'x-service-name'), header(req, 'x-resource-attributes')));
      reservation.grow(PPROF_HEAP_FACTOR * body.length);
      const decoded = decodeWith(() => parsePprof(body, deps.maxBodyBytes, header(req, 'x-profile-type')));
      // A profile without its time is taken to have ended as it arrived.
      const startNs = decoded.startNs > 0n ? decoded.startNs : BigInt(Date.now()) * 1_000_000n - decoded.durationNs;
      const window: ProfileWindow = {
        service: resource['service.name']!,
        kind: decoded.kind,
        unit: decoded.unit,
        startNs,
        endNs: startNs + decoded.durationNs,
        resource,
        samples: decoded.samples,
      };
      await deps.profileStore.writeProfile(window);
      answer(res, { acceptedSamples: decoded.samples.length, kind: decoded.kind });
    });
  });

  const execOptions = { gate: deps.gate, receiver: 'profiles' as const, maxBodyBytes: deps.maxBodyBytes, checkContentType: checkJsonType };
  router.post('/v1/profiles/exectrace', async (req, res) => {
    await admitted(req, execOptions, async (body, reservation) => {
      admitJsonParse(body, deps.gate.limits, reservation);
      const record = decodeWith(() => parseExecTraceUpload(body.toString('utf8')));
      if (record.raw && record.raw.length > MAX_RAW_TRACE_BYTES) throw new AppError(413, 'body_too_large', `raw execution trace exceeds ${MAX_RAW_TRACE_BYTES} bytes`);
      await deps.profileStore.writeExecTrace(record);
      answer(res, { traceId: record.traceId, spanId: record.spanId, rawTraceStored: record.raw !== undefined });
    });
  });

  for (const path of ['/v1/profiles/pprof', '/v1/profiles/exectrace']) {
    router.all(path, (_req, res) => {
      res.set('Allow', 'POST');
      throw new AppError(405, 'method_not_allowed', 'use POST to upload profiles');
    });
  }
  return router;
}

function answer(res: Response, body: object): void {
  res.status(200).json(body);
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Decoder errors become the receiver's 400/413. */
function decodeWith<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof PprofTooLargeError) throw new AppError(413, 'profile_too_large', err.message);
    if (err instanceof PprofDecodeError || err instanceof ExecTraceDecodeError || err instanceof ResourceHeaderError) {
      throw new AppError(400, 'malformed_request', err.message);
    }
    throw err;
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function checkPprofType(header: string | undefined): void {
  const type = mediaType(header);
  if (type === 'application/octet-stream' || type === 'application/x-protobuf' || type === 'application/vnd.google.protobuf') return;
  throw new AppError(415, 'unsupported_media_type', `unsupported Content-Type "${type || '(none)'}"; send application/octet-stream or application/x-protobuf`);
}

function checkJsonType(header: string | undefined): void {
  const type = mediaType(header);
  if (type === 'application/json') return;
  throw new AppError(415, 'unsupported_media_type', `unsupported Content-Type "${type || '(none)'}"; send application/json`);
}
