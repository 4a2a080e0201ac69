import type { Config } from '../config.js';
import { createClickhouseStore } from './clickhouse/clickhouse-store.js';
import type { ProfileStore } from './profile-store.js';
import type { NettraceStore, SpanStore } from './span-store.js';
import { createSqliteStore, type StoreLogger } from './sqlite/sqlite-store.js';

export type Store = SpanStore & NettraceStore;

/** Opens the store `--storage` names; nothing outside store/ knows which one runs. */
export function createStore(config: Pick<Config, 'storage' | 'db' | 'clickhouseUrl' | 'clickhousePassword' | 'clickhouseDatabase' | 'clickhouseCluster'>, logger: StoreLogger): Promise<Store> {
  if (config.storage === 'clickhouse') {
    return createClickhouseStore({
      url: config.clickhouseUrl,
      ...(config.clickhousePassword !== '' ? { password: config.clickhousePassword } : {}),
      database: config.clickhouseDatabase,
      ...(config.clickhouseCluster !== '' ? { cluster: config.clickhouseCluster } : {}),
      logger,
    });
  }
  return createSqliteStore({ path: config.db, logger });
}

/** The store's Go diagnostics storage, when it has one (SQLite does; ClickHouse does not, and the profile routes stay off). */
export function profileStoreOf(store: Store): ProfileStore | undefined {
  return 'writeProfile' in store ? (store as Store & ProfileStore) : undefined;
}
