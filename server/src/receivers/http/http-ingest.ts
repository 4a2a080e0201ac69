import type { Request } from 'express';
import type { Logger } from 'pino';
import type { AppError } from '../../app-error.js';
import type { Reservation } from '../../ingest/inflight-budget.js';
import { rejectionReason, type IngestGate } from '../../ingest/ingest-gate.js';
import { IngestRejectedError } from '../../ingest/ingest-queue.js';
import { checkJsonObjectCount, type DecodeMeter, type IngestLimits } from '../../ingest/ingest-limits.js';
import type { ReceiverName } from '../../metrics/threadline-metrics.js';
import { ingestFailure } from './ingest-failure.js';
import { readBody } from './read-body.js';

/**
 * `JSON.parse` builds the whole tree before any limit applies: a JSON body is charged this
 * many times its size while it is parsed (measured: OTLP/JSON attribute bodies take 5-8×).
 */
const JSON_HEAP_FACTOR = 8;

/** Before `JSON.parse`: refuses a body holding too many objects (413), and charges the parse to the budget (429). */
export function admitJsonParse(body: Buffer, limits: IngestLimits, reservation: Reservation): void {
  checkJsonObjectCount(body, limits);
  reservation.grow(JSON_HEAP_FACTOR * body.length);
}

export interface HttpIngestOptions {
  gate: IngestGate;
  receiver: ReceiverName;
  maxBodyBytes: number;
  /** Throws a 415 AppError for a content type the receiver does not take; runs after the token check. */
  checkContentType(header: string | undefined): void;
}

/** A few exporter batches (a 512-span Go batch is ~140 KB). */
const DRAIN_REFUSED_BODIES_UP_TO = 1024 * 1024;

/**
 * The steps every HTTP receiver shares, in the order that keeps refusals cheap: token,
 * content type, queue and budget (all before a byte of the body is read), then the body,
 * charged to the budget as it arrives. `work` decodes and submits; the reservation is held
 * until it settles, so spans waiting for their commit stay counted.
 */
export async function gatedIngest<T>(req: Request, options: HttpIngestOptions, work: (body: Buffer, meter: DecodeMeter, reservation: Reservation) => Promise<T>): Promise<T> {
  const { gate } = options;
  let reservation: Reservation;
  const declared = Number(req.headers['content-length']);
  try {
    reservation = gate.admit(req.headers.authorization, declared, () => options.checkContentType(req.headers['content-type']));
  } catch (err) {
    // Refused unread. An exporter's batch is then read and dropped by Node so that the
    // connection stays open for the retry: under 2.5× overload, closing it made every retry
    // a new connection, and those waited up to ~200 ms to be accepted (429 p99 180–260 ms;
    // kept open, 18–80 ms in most runs: docs/benchmarks.md, "Sixth round"). A body bigger than that, or of
    // unknown length, is not worth reading: the connection closes after the answer.
    if (err instanceof IngestRejectedError && !(declared > 0 && declared <= DRAIN_REFUSED_BODIES_UP_TO)) req.res?.setHeader('Connection', 'close');
    throw err;
  }
  try {
    const body = await readBody(req, options.maxBodyBytes, reservation);
    return await work(body, gate.meter(), reservation);
  } finally {
    reservation.release();
  }
}

/** The AppError to answer with, counted and logged (rate-limited) as a refused request. */
export function refusal(req: Request, options: Pick<HttpIngestOptions, 'gate' | 'receiver'>, err: unknown, logger: Logger): AppError {
  const appError = ingestFailure(err, logger);
  const declared = Number(req.headers['content-length']);
  options.gate.refused(options.receiver, rejectionReason(err), appError.status, req.socket.remoteAddress ?? '', Number.isFinite(declared) ? declared : 0);
  return appError;
}
