import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RetentionStep } from './latency-queries.js';
import type { SpanStore } from './span-store.js';
import type { ProfileStore } from './profile-store.js';

export type RetentionStore = Pick<SpanStore, 'deleteBefore' | 'deleteOldestTraces' | 'getStorageBytes'> &
  Partial<Pick<ProfileStore, 'deleteProfilesBefore'>>;

export interface RetentionPolicy {
  /** Spans older than this go; 0 keeps everything. */
  retentionNs: bigint;
  /**
   * Oldest traces go while the store is larger; 0 = not this job's to do (no limit, or a
   * store that limits its size itself after every commit: SQLite's size-guard.ts).
   */
  maxDbSizeBytes: number;
  /** The store evicts by size itself: sweeps still run, so that profiles follow its evicted spans. */
  storeLimitsSize: boolean;
  /** Pause between the end of one sweep and the start of the next. */
  intervalMs: number;
  /** Spans per delete step: one short transaction each. */
  stepSpans: number;
}

export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
/** Big enough to keep up with heavy ingest, small enough that a step takes tens of ms. */
export const DEFAULT_RETENTION_STEP_SPANS = 1_000;

export interface RetentionLogger {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface RetentionReport extends RetentionStep {
  steps: number;
}

const NOTHING: RetentionStep = { spans: 0, traces: 0, sketches: 0, records: 0 };

const systemNowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/**
 * Enforces `--retention` and `--max-db-size` in the background. A sweep is a series of
 * small store steps, each awaited and followed by a turn of the event loop: ingest
 * batches queue up at the store's writer between steps, so they never wait for a sweep.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    private readonly store: RetentionStore,
    private readonly policy: RetentionPolicy,
    private readonly logger: RetentionLogger,
    private readonly now: () => bigint = systemNowNs,
  ) {}

  /** Sweeps right away and then every interval; undefined when the policy asks for nothing. */
  static start(
    store: RetentionStore,
    policy: RetentionPolicy,
    logger: RetentionLogger,
    now?: () => bigint,
  ): RetentionJob | undefined {
    if (policy.retentionNs <= 0n && policy.maxDbSizeBytes <= 0 && !policy.storeLimitsSize) return undefined;
    const job = new RetentionJob(store, policy, logger, now);
    job.schedule(0);
    return job;
  }

  /** One full sweep: by age, then by size. Stops early once the job is closed. */
  async runOnce(): Promise<RetentionReport> {
    const report: RetentionReport = { ...NOTHING, steps: 0 };
    const started = performance.now();
    if (this.policy.retentionNs > 0n) {
      const cutoffNs = this.now() - this.policy.retentionNs;
      await this.repeat(report, () => this.store.deleteBefore(cutoffNs, this.policy.stepSpans));
    }
    if (this.policy.maxDbSizeBytes > 0) {
      await this.repeat(report, async () =>
        (await this.store.getStorageBytes()) > this.policy.maxDbSizeBytes
          ? this.store.deleteOldestTraces(this.policy.stepSpans)
          : NOTHING,
      );
    }
    const deleteProfiles = this.store.deleteProfilesBefore?.bind(this.store);
    if (deleteProfiles) {
      // After the spans: profiles go with the age cutoff and with the traces the size limit removed.
      const cutoffNs = this.policy.retentionNs > 0n ? this.now() - this.policy.retentionNs : 0n;
      await this.repeat(report, async () => ({ ...NOTHING, records: await deleteProfiles(cutoffNs, this.policy.stepSpans) }));
    }
    if (report.steps > 0) this.logger.info({ ...report, ms: Math.round(performance.now() - started) }, 'retention sweep');
    return report;
  }

  /** Stops the schedule and waits for a sweep in progress to finish its current step. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.sweeping = this.runOnce()
        .catch((err: unknown) => this.logger.warn({ err }, 'retention sweep failed; retrying at the next interval'))
        .finally(() => {
          this.sweeping = undefined;
          if (!this.closed) this.schedule(this.policy.intervalMs);
        });
    }, delayMs);
    // A pending sweep alone must not keep the process alive.
    this.timer.unref();
  }

  private async repeat(report: RetentionReport, step: () => Promise<RetentionStep>): Promise<void> {
    while (!this.closed) {
      const done = await step();
      if (done.spans + done.traces + done.sketches + done.records === 0) return;
      report.steps++;
      report.spans += done.spans;
      report.traces += done.traces;
      report.sketches += done.sketches;
      report.records += done.records;
      await nextTurn();
    }
  }
}
