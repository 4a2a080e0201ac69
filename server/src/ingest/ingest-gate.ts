import type { Logger } from 'pino';
import { AppError } from '../app-error.js';
import { bearerTokenOf, tokenMatches } from '../access/bearer-token.js';
import type { ReceiverName, ThreadlineMetrics } from '../metrics/threadline-metrics.js';
import { InflightBudget, type Reservation } from './inflight-budget.js';
import { DEFAULT_INGEST_LIMITS, DecodeMeter, type IngestLimits } from './ingest-limits.js';
import { IngestRejectedError, type IngestQueue } from './ingest-queue.js';
import { RejectionLog } from './rejection-log.js';

/** A Go exporter's protobuf span with a dozen attributes is about this big on the wire. */
const BYTES_PER_SPAN = 512;
/** Two Go exporter batches. */
const MAX_EXPECTED_SPANS = 1024;

export interface IngestGateOptions {
  /** '' = no token required. */
  ingestToken: string;
  queue: Pick<IngestQueue, 'hasRoomFor'>;
  budget: InflightBudget;
  limits: IngestLimits;
  logger: Logger;
  metrics?: ThreadlineMetrics;
}

/**
 * What every receiver does around its own decoding: checks the ingest token, refuses at
 * once (before a body is read or a message decoded) when the queue or the memory budget
 * is full, hands out the per-request decode meter, and counts and logs the outcome.
 */
export class IngestGate {
  private readonly rejections: RejectionLog;
  // Spans expected from requests admitted but not finished: without them, every request
  // arriving while the queue has room would be read and decoded, and refused only after.
  private admittedSpans = 0;

  constructor(private readonly options: IngestGateOptions) {
    this.rejections = new RejectionLog(options.logger);
  }

  /** A gate that lets everything through (unit tests of a single receiver). */
  static open(logger: Logger, queue: Pick<IngestQueue, 'hasRoomFor'> = { hasRoomFor: () => true }): IngestGate {
    return new IngestGate({ ingestToken: '', queue, budget: new InflightBudget(Number.MAX_SAFE_INTEGER), limits: DEFAULT_INGEST_LIMITS, logger });
  }

  get limits(): IngestLimits {
    return this.options.limits;
  }

  /**
   * Throws AppError 401 without the token, whatever `checkRequest` throws (a content type
   * the receiver does not take), IngestRejectedError when full; otherwise the
   * request's reservation, which the caller releases once it has answered.
   */
  admit(authorization: string | undefined, declaredBytes: number, checkRequest?: () => void): Reservation {
    const { ingestToken, queue, budget } = this.options;
    if (ingestToken !== '' && !tokenMatches(bearerTokenOf(authorization), ingestToken)) {
      throw new AppError(401, 'unauthenticated', 'this Threadline needs its ingest token: Authorization: Bearer TOKEN', { 'WWW-Authenticate': 'Bearer realm="threadline-ingest"' });
    }
    checkRequest?.();
    const bytes = Number.isFinite(declaredBytes) && declaredBytes > 0 ? declaredBytes : 0;
    // Capped: a big body of anything but spans (an attribute bomb) must not hold the queue's room; the memory budget bounds it.
    const expected = Math.min(MAX_EXPECTED_SPANS, Math.ceil(bytes / BYTES_PER_SPAN));
    // An empty queue is no reason to let in every request at once: under overload, 8–29 batches a run
    // were let in that way while hundreds of others were being decoded, then refused once decoded (overload.ts).
    if (!queue.hasRoomFor(this.admittedSpans + expected, this.admittedSpans > 0)) throw new IngestRejectedError('queue_full', 'ingest queue is full; retry later', 1);
    if (budget.isSpent(bytes)) throw new IngestRejectedError('memory_exhausted', 'ingest memory budget is spent; retry later', 1);
    this.admittedSpans += expected;
    return budget.reserve(() => (this.admittedSpans -= expected));
  }

  meter(): DecodeMeter {
    return new DecodeMeter(this.options.limits);
  }

  received(receiver: ReceiverName, spans: number): void {
    this.options.metrics?.spansReceived.inc({ receiver }, spans);
  }

  accepted(receiver: ReceiverName, spans: number): void {
    this.options.metrics?.spansAccepted.inc({ receiver }, spans);
  }

  rejectedSpans(receiver: ReceiverName, reason: string, spans: number): void {
    if (spans > 0) this.options.metrics?.spansRejected.inc({ receiver, reason }, spans);
  }

  /** A request refused as a whole: counted by reason and logged (rate-limited). */
  refused(receiver: ReceiverName, reason: string, status: number, client: string, bytes: number): void {
    this.options.metrics?.requestsRejected.inc({ receiver, reason });
    this.rejections.record({ receiver, reason, status, client, bytes });
  }
}

/** The reason label for whatever stopped a request. */
export function rejectionReason(err: unknown): string {
  if (err instanceof IngestRejectedError) return err.reason;
  if (err instanceof AppError) return err.code;
  return 'store_unavailable';
}
