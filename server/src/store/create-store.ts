import type { Config } from '../config.js';
import { createClickhouseStore } from './clickhouse/clickhouse-store.js';
import type { ProfileStore } from './profile-store.js';
import { NO_EVICTIONS, type SizeEvictions } from './size-evictions.js';
import type { NettraceStore, SpanStore } from './span-store.js';
import { createSqliteStore, type StoreLogger } from './sqlite/sqlite-store.js';
import type { PackedBatch } from './sqlite/packed-batch.js';

export type Store = SpanStore & NettraceStore;

/** Opens the store `--storage` names; nothing outside store/ knows which one runs. */
type StoreConfig = Pick<Config, 'storage' | 'db' | 'maxDbSizeBytes' | 'clickhouseUrl' | 'clickhousePassword' | 'clickhouseDatabase' | 'clickhouseCluster'>;

export function createStore(config: StoreConfig, logger: StoreLogger): Promise<Store> {
  if (config.storage === 'clickhouse') {
    return createClickhouseStore({
      url: config.clickhouseUrl,
      ...(config.clickhousePassword !== '' ? { password: config.clickhousePassword } : {}),
      database: config.clickhouseDatabase,
      ...(config.clickhouseCluster !== '' ? { cluster: config.clickhouseCluster } : {}),
      logger,
    });
  }
  return createSqliteStore({ path: config.db, logger, maxDbSizeBytes: config.maxDbSizeBytes });
}

/**
 * Who enforces `--max-db-size`: SQLite's writer does after every commit (so the file never
 * passes it); ClickHouse's size is the retention job's to check once a sweep.
 */
export function sizeLimitOf(config: Pick<StoreConfig, 'storage' | 'maxDbSizeBytes'>): { retentionJobBytes: number; storeLimitsSize: boolean } {
  return config.storage === 'clickhouse'
    ? { retentionJobBytes: config.maxDbSizeBytes, storeLimitsSize: false }
    : { retentionJobBytes: 0, storeLimitsSize: config.maxDbSizeBytes > 0 };
}

/** Spans, traces and index rows the store's own size limit evicted (for /metrics); zeros for a store without one. */
export function sizeEvictionsOf(store: Store): () => Promise<SizeEvictions> {
  const withGuard = store as Store & { getSizeEvictions?: () => Promise<SizeEvictions> };
  return withGuard.getSizeEvictions ? () => withGuard.getSizeEvictions!() : async () => NO_EVICTIONS;
}

/** Seconds acknowledgements have waited for the store's indexing to keep up; 0 for a store that does not pace ingest. */
export function pacedSecondsOf(store: Store): () => number {
  const paced = store as Store & { getPacedSeconds?: () => number };
  return paced.getPacedSeconds ? () => paced.getPacedSeconds!() : () => 0;
}

/** The store's Go diagnostics storage, when it has one (SQLite does; ClickHouse does not, and the profile routes stay off). */
export function profileStoreOf(store: Store): ProfileStore | undefined {
  return 'writeProfile' in store ? (store as Store & ProfileStore) : undefined;
}

/** Writes batches prepared off the main thread (SQLite: ingest/otlp-prepare). */
export interface PreparedBatchWriter {
  writePrepared(batch: PackedBatch): Promise<void>;
}

/** The store's PreparedBatchWriter, when it takes prepared batches (SQLite does; ClickHouse takes spans). */
export function preparedWriterOf(store: Store): PreparedBatchWriter | undefined {
  return 'writePrepared' in store ? (store as Store & PreparedBatchWriter) : undefined;
}
