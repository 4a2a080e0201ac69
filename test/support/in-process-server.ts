import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { defaultConfig, type Config } from '../../server/src/config.js';
import { startServer, type ServerHandle, type StartOptions } from '../../server/src/server.js';

/**
 * The store every test server runs on: `THREADLINE_TEST_STORAGE=clickhouse` (the vitest
 * project `clickhouse`, see vitest.config.ts) puts each one on a fresh database of the
 * ClickHouse at THREADLINE_TEST_CLICKHOUSE_URL; otherwise each gets a fresh SQLite file.
 */
export const testStorage: 'sqlite' | 'clickhouse' = process.env.THREADLINE_TEST_STORAGE === 'clickhouse' ? 'clickhouse' : 'sqlite';

function clickhouseConfig(): Partial<Config> {
  const url = process.env.THREADLINE_TEST_CLICKHOUSE_URL;
  if (!url) throw new Error('THREADLINE_TEST_STORAGE=clickhouse needs THREADLINE_TEST_CLICKHOUSE_URL (the vitest project clickhouse sets it)');
  return { storage: 'clickhouse', clickhouseUrl: url, clickhouseDatabase: `test_${randomBytes(6).toString('hex')}` };
}

/** Drops a test's ClickHouse database, so one engine serves a whole run without growing. */
async function dropClickhouseDatabase(config: Config): Promise<void> {
  await fetch(config.clickhouseUrl, { method: 'POST', body: `DROP DATABASE IF EXISTS ${config.clickhouseDatabase}` }).catch(() => undefined);
}

export interface TestServer {
  handle: ServerHandle;
  /** Base URL of the main listener (UI + query API + ingest), e.g. http://127.0.0.1:41234 */
  http: string;
  /** Base URL of the OTLP/HTTP listener. */
  otlpHttp: string;
  /** URL of the OTLP/gRPC listener as exporters take it (http://host:port); '' when off. */
  otlpGrpc: string;
  /** Base URL of the Zipkin listener; '' when off. */
  zipkin: string;
  dbPath: string;
  /** The store it runs on (dbPath is only meaningful for sqlite). */
  storage: 'sqlite' | 'clickhouse';
  config: Config;
  stop(): Promise<void>;
}

/** Starts a real Threadline in this process on free ports with a fresh database file. */
export async function startTestServer(overrides: Partial<Config> = {}, options: Partial<StartOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-test-'));
  const dbPath = path.join(dir, 'threadline.db');
  const config: Config = {
    ...defaultConfig(),
    db: dbPath,
    httpPort: 0,
    otlpHttpPort: 0,
    otlpGrpcPort: 0,
    zipkinPort: 0,
    logLevel: 'silent',
    // Fixtures carry fixed, long-past timestamps: retention is off unless a test asks for it.
    retentionNs: 0n,
    ...(testStorage === 'clickhouse' ? clickhouseConfig() : {}),
    ...overrides,
  };
  const handle = await startServer(config, { logger: pino({ level: 'silent' }), ...options });
  const url = (name: string) => {
    try {
      return `http://127.0.0.1:${handle.port(name)}`;
    } catch {
      return '';
    }
  };
  return {
    handle,
    http: url('http'),
    otlpHttp: url('otlp-http'),
    otlpGrpc: url('otlp-grpc'),
    zipkin: url('zipkin'),
    dbPath,
    storage: config.storage,
    config,
    async stop() {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
      if (config.storage === 'clickhouse') await dropClickhouseDatabase(config);
    },
  };
}

export async function getJson<T = any>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}
