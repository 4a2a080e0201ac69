import { IngestRejectedError } from './ingest-queue.js';

/** Seconds a client refused for memory is asked to wait: in-flight requests finish in well under that. */
const BUDGET_RETRY_SECONDS = 1;
/** Two Go exporter batches of big spans, decoded: a request holding more is a big one. */
const DEFAULT_BIG_REQUEST_BYTES = 4 * 1024 * 1024;
/** The share of the budget big requests may not take. */
const DEFAULT_RESERVED_SHARE = 1 / 8;

export interface BudgetShares {
  /** A request holding (or declaring) more than this is big. */
  bigRequestBytes: number;
  /** Bytes only requests that are not big may use. */
  reservedBytes: number;
}

/**
 * Bytes every ingest request may hold at once, shared by all receivers: the body as it is
 * read, then the estimated heap of what it decoded to, until its spans are committed. When
 * it is spent, requests are refused (429 / RESOURCE_EXHAUSTED) rather than let memory grow
 * with whatever arrives. A request alone may always proceed, or an oversized one could
 * never be taken; the per-request caps bound it.
 *
 * Big requests (a 20 MiB body of attributes) may not take the budget's last part: eight of
 * them at once held all of it, and ordinary exporter batches were refused behind them
 * (normal ingest p99 over 2 s in the attribute-bomb script).
 */
export class InflightBudget {
  private used = 0;
  private readonly shares: BudgetShares;

  constructor(
    readonly limitBytes: number,
    shares: Partial<BudgetShares> = {},
  ) {
    this.shares = {
      bigRequestBytes: shares.bigRequestBytes ?? DEFAULT_BIG_REQUEST_BYTES,
      reservedBytes: shares.reservedBytes ?? Math.floor(limitBytes * DEFAULT_RESERVED_SHARE),
    };
  }

  get usedBytes(): number {
    return this.used;
  }

  /** True when a request declaring `bytes` should be refused before it is read. */
  isSpent(bytes = 0): boolean {
    return this.used > 0 && this.used + bytes > this.ceilingFor(bytes);
  }

  /** `onRelease` runs once, when the reservation is released. */
  reserve(onRelease?: () => void): Reservation {
    return new Reservation(this, onRelease);
  }

  /** @internal for Reservation */
  take(held: number, bytes: number): void {
    if (this.used > held && this.used + bytes > this.ceilingFor(held + bytes)) {
      throw new IngestRejectedError('memory_exhausted', `ingest memory budget of ${this.limitBytes} bytes is spent; retry later`, BUDGET_RETRY_SECONDS);
    }
    this.used += bytes;
  }

  /** @internal for Reservation */
  give(bytes: number): void {
    this.used -= bytes;
  }

  /** How far the budget's use may go with a request of `requestBytes` in it. */
  private ceilingFor(requestBytes: number): number {
    return requestBytes > this.shares.bigRequestBytes ? this.limitBytes - this.shares.reservedBytes : this.limitBytes;
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
