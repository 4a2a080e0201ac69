import { IngestRejectedError } from './ingest-queue.js';

/** Seconds a client refused for memory is asked to wait: in-flight requests finish in well under that. */
const BUDGET_RETRY_SECONDS = 1;

/**
 * Bytes every ingest request may hold at once, shared by all receivers: the body as it is
 * read, then the estimated heap of what it decoded to, until its spans are committed. When
 * it is spent, requests are refused (429 / RESOURCE_EXHAUSTED) rather than let memory grow
 * with whatever arrives. A request alone may always proceed, or an oversized one could
 * never be taken; the per-request caps bound it.
 */
export class InflightBudget {
  private used = 0;

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  /** True when a request declaring `bytes` should be refused before it is read. */
  isSpent(bytes = 0): boolean {
    return this.used > 0 && this.used + bytes > this.limitBytes;
  }

  /** `onRelease` runs once, when the reservation is released. */
  reserve(onRelease?: () => void): Reservation {
    return new Reservation(this, onRelease);
  }

  /** @internal for Reservation */
  take(held: number, bytes: number): void {
    if (this.used > held && this.used + bytes > this.limitBytes) {
      throw new IngestRejectedError('memory_exhausted', `ingest memory budget of ${this.limitBytes} bytes is spent; retry later`, BUDGET_RETRY_SECONDS);
    }
    this.used += bytes;
  }

  /** @internal for Reservation */
  give(bytes: number): void {
    this.used -= bytes;
  }
}

/** One request's share of the budget; `release` (idempotent) hands it back. */
export class Reservation {
  private held = 0;
  private released = false;

  constructor(
    private readonly budget: InflightBudget,
    private readonly onRelease?: () => void,
  ) {}

  get bytes(): number {
    return this.held;
  }

  /** Throws IngestRejectedError('memory_exhausted') when the budget cannot cover `bytes` more. */
  grow(bytes: number): void {
    this.budget.take(this.held, bytes);
    this.held += bytes;
  }

  /** Sets the share to `bytes` (a body replaced by what it decoded to). */
  resize(bytes: number): void {
    if (bytes > this.held) this.grow(bytes - this.held);
    else {
      this.budget.give(this.held - bytes);
      this.held = bytes;
    }
  }

  release(): void {
    this.budget.give(this.held);
    this.held = 0;
    if (!this.released) this.onRelease?.();
    this.released = true;
  }
}
