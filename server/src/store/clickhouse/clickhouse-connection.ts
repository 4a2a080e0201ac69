import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { AppError } from '../../app-error.js';

export interface ClickhouseLogger {
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
}

export type QueryParams = Record<string, unknown>;

const RETRY_AFTER = { 'Retry-After': '5' };
/** While ClickHouse is down, how often a ping checks whether it is back. */
const RECHECK_MS = 2_000;

/** Writes and reads failed because ClickHouse could not be reached or refused: retryable, so 503. */
export function clickhouseUnavailable(write: boolean): AppError {
  return write
    ? new AppError(503, 'store_unavailable', 'spans could not be stored: ClickHouse is unavailable; retry later', RETRY_AFTER)
    : new AppError(503, 'store_unavailable', 'the trace store (ClickHouse) is unavailable; retry later', RETRY_AFTER);
}

/**
 * The one place that talks to ClickHouse. Every value travels as a bound parameter
 * (`{name:Type}` with `query_params`) or inside an insert's JSONEachRow body, never in the
 * SQL text. Failures become AppErrors (503 + Retry-After) and mark the store unready;
 * a background ping marks it ready again once ClickHouse answers, so the node recovers
 * by itself. ClickHouse's own message goes to the log only.
 */
export class ClickhouseConnection {
  readonly client: ClickHouseClient;
  private healthy = true;
  private recheck: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    url: string,
    password: string | undefined,
    private readonly logger: ClickhouseLogger,
    /** Added to every insert's settings (on a cluster: wait for the shards, see createClickhouseStore). */
    private readonly insertSettings: ClickHouseSettings = {},
    requestTimeoutMs = 30_000,
  ) {
    const parsed = new URL(url);
    this.client = createClient({
      url: `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`,
      username: decodeURIComponent(parsed.username) || 'default',
      password: password ?? decodeURIComponent(parsed.password),
      request_timeout: requestTimeoutMs,
      log: { level: ClickHouseLogLevel.OFF },
      clickhouse_settings: {
        // Int64 as JSON strings: every nanosecond stays exact on the way back.
        output_format_json_quote_64bit_integers: 1,
      },
    });
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  async rows<T>(query: string, params: QueryParams = {}, write = false): Promise<T[]> {
    return this.run(write, async () => {
      const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
      return result.json<T>();
    });
  }

  async command(query: string, params: QueryParams = {}, settings: ClickHouseSettings = {}, write = true): Promise<void> {
    await this.run(write, () => this.client.command({ query, query_params: params, clickhouse_settings: settings }));
  }

  /**
   * One insert, acknowledged only once ClickHouse has the rows. `async` (for small
   * inserts that every node makes often): async_insert lets ClickHouse gather many nodes'
   * inserts into one part, and wait_for_async_insert holds the answer until that part is
   * written — at the cost of up to the server's async_insert_busy_timeout_ms of waiting.
   * Big batches go as plain inserts: one part each already.
   */
  async insert(table: string, values: readonly object[], options: { async: boolean }): Promise<void> {
    if (values.length === 0) return;
    const settings: ClickHouseSettings = options.async ? { async_insert: 1, wait_for_async_insert: 1 } : {};
    await this.run(true, () =>
      this.client.insert({
        table,
        values: values as object[],
        format: 'JSONEachRow',
        clickhouse_settings: { ...settings, ...this.insertSettings },
      }),
    );
  }

  private async run<T>(write: boolean, call: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AppError(503, 'store_closed', 'the trace store is closed', RETRY_AFTER);
    try {
      const value = await call();
      this.healthy = true;
      return value;
    } catch (err) {
      this.logger.warn({ err: describe(err) }, 'ClickHouse request failed');
      // An error ClickHouse answered to a read is about that query; anything else (no
      // answer, a refused write) means the store cannot take spans now.
      if (write || !(err instanceof ClickHouseError)) this.markUnhealthy();
      throw clickhouseUnavailable(write);
    }
  }

  /** Pings until ClickHouse answers again; any successful request marks it healthy too. */
  private markUnhealthy(): void {
    this.healthy = false;
    if (this.recheck || this.closed) return;
    const check = async () => {
      this.recheck = undefined;
      if (this.closed || this.healthy) return;
      const ping = await this.client.ping().catch(() => ({ success: false }));
      if (ping.success) {
        this.healthy = true;
        this.logger.info({}, 'ClickHouse answers again');
      } else if (!this.closed) {
        this.recheck = setTimeout(check, RECHECK_MS);
        this.recheck.unref();
      }
    };
    this.recheck = setTimeout(check, RECHECK_MS);
    this.recheck.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.recheck);
    await this.client.close();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err).slice(0, 500);
}
