import { startClickhouseTestServer } from './clickhouse-server.js';

/**
 * Global setup of the vitest project `clickhouse`: one chdb-backed ClickHouse for the
 * whole run (each test server takes a database of its own), stopped at the end.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startClickhouseTestServer();
  process.env.THREADLINE_TEST_CLICKHOUSE_URL = server.url;
  return () => server.stop();
}
