import { setTimeout as sleep } from 'node:timers/promises';
import { StoreOpenError, StoreVersionError } from '../store-errors.js';
import type { ClickhouseConnection } from './clickhouse-connection.js';
import { buildSchemaDdl, queryTable, SCHEMA_VERSION, type SchemaTarget } from './schema.js';

/** How long a starting node waits for ClickHouse to answer (a compose stack starts both at once). */
const CONNECT_WAIT_MS = 30_000;

/** ClickHouse's version is refused; this one names the database rather than a file. */
export class ClickhouseSchemaVersionError extends StoreVersionError {
  constructor(databaseVersion: number, database: string) {
    super(databaseVersion, SCHEMA_VERSION);
    this.message =
      `ClickHouse database ${database} has schema version ${databaseVersion}, newer than this Threadline supports ` +
      `(${SCHEMA_VERSION}); upgrade Threadline or use another --clickhouse-database`;
  }
}

/**
 * Creates or migrates the schema. Every statement is idempotent (IF NOT EXISTS), so nodes
 * starting at once on an empty database all come up; the version row is written after the
 * tables, and a database whose newest version row is above SCHEMA_VERSION is refused
 * before anything is changed.
 */
export async function migrateSchema(connection: ClickhouseConnection, target: SchemaTarget, waitMs = CONNECT_WAIT_MS): Promise<void> {
  const client = connection.client;
  await waitForClickhouse(connection, waitMs);
  const [createDatabase, ...tables] = buildSchemaDdl(target);
  const versions = queryTable(target, 'schema_versions');
  try {
    await client.command({ query: createDatabase! });
    // schema_versions (and, on a cluster, its Distributed table) first: the version check needs it.
    const versionDdl = tables.filter((sql) => sql.includes('.schema_versions'));
    for (const sql of versionDdl) await client.command({ query: sql });
    const result = await client.query({ query: `SELECT max(version) AS v FROM ${versions}`, format: 'JSONEachRow' });
    const [row] = await result.json<{ v: number }>();
    const stored = Number(row?.v ?? 0);
    if (stored > SCHEMA_VERSION) throw new ClickhouseSchemaVersionError(stored, target.database);
    for (const sql of tables) if (!versionDdl.includes(sql)) await client.command({ query: sql });
    if (stored < SCHEMA_VERSION) await client.insert({ table: versions, values: [{ version: SCHEMA_VERSION }], format: 'JSONEachRow' });
  } catch (err) {
    if (err instanceof StoreVersionError) throw err;
    throw new StoreOpenError(`ClickHouse refused the schema of database ${target.database}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function waitForClickhouse(connection: ClickhouseConnection, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ping = await connection.client.ping();
    if (ping.success) return;
    if (Date.now() >= deadline) {
      throw new StoreOpenError(`ClickHouse does not answer (${ping.error.message}); check --clickhouse-url`);
    }
    await sleep(500);
  }
}
