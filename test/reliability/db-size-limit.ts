import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, log, postOnce, sleep, startServerProcess } from './reliability-support.js';

/**
 * `--max-db-size` under sustained full-speed ingest: `--clients` exporters send 512-span
 * batches (each one trace) as fast as they are answered for `--seconds`, while the
 * database and WAL files are sampled every 100 ms. Prints the largest db + WAL seen, the
 * acknowledged rate and the evictions /metrics reports; with `--keep` it also prints how
 * the pages of the final file are used (dbstat). Exit code 1 when db + WAL passed
 * `--fail-above` (default: the limit + 10 %).
 *
 *   node --import tsx test/reliability/db-size-limit.ts [--limit 200MB] [--seconds 180] [--clients 4] [--server CMD]
 */

const SCRIPT = 'db-size';
const limit = arg('limit', '200MB');
const seconds = Number(arg('seconds', '180'));
const clients = Number(arg('clients', '4'));
const command = arg('server', DEFAULT_SERVER_COMMAND);
const limitBytes = parseMb(limit);
const failAboveBytes = arg('fail-above', '') ? parseMb(arg('fail-above', '')) : limitBytes * 1.1;

function parseMb(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|MiB|GB)?$/i.exec(v);
  if (!m) throw new Error(`cannot read size ${v}`);
  const unit = (m[2] ?? 'MB').toUpperCase();
  return Number(m[1]) * (unit === 'MIB' ? 1024 * 1024 : unit === 'GB' ? 1e9 : 1e6);
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

async function metric(api: string, name: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-dbsize-'));
  const db = path.join(dir, 'threadline.db');
  const flags = ['--db', db, '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'];
  if (limit !== '0') flags.push('--max-db-size', limit);
  const server = await startServerProcess(command, flags, 2);
  const ingest = `${server.urls['OTLP/HTTP']}/v1/traces`;
  const api = server.urls['UI + query API']!;
  const batches = new BatchFactory();

  let max = 0;
  let maxAt = 0;
  let current = 0;
  const started = performance.now();
  const sampler = setInterval(() => {
    current = fileBytes(db) + fileBytes(`${db}-wal`);
    if (current > max) {
      max = current;
      maxAt = (performance.now() - started) / 1000;
    }
  }, 100);
  let acked = 0;
  let refused = 0;
  let seq = 0;
  const deadline = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const res = await postOnce(ingest, batches.batch(9, seq++));
      if (res.status === 200) acked++;
      else {
        refused++;
        await sleep(50);
      }
    }
  };
  const progress = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    log(SCRIPT, `${s.toFixed(0)} s: db+wal ${mb(current)} (max ${mb(max)}), ${acked} batches acknowledged (${((acked * 512) / s).toFixed(0)} spans/s), ${refused} refused`);
  }, 10_000);
  await Promise.all(Array.from({ length: clients }, client));
  clearInterval(progress);
  clearInterval(sampler);
  const evicted = await metric(api, 'threadline_db_size_evicted_spans_total');
  await server.stop();
  const elapsed = (performance.now() - started) / 1000;
  log(SCRIPT, `limit ${limit}: max db+wal ${mb(max)} at ${maxAt.toFixed(1)} s (final db ${mb(fileBytes(db))}, wal ${mb(fileBytes(`${db}-wal`))}); ${acked} batches (${((acked * 512) / elapsed).toFixed(0)} spans/s) acknowledged, ${refused} refused; /metrics evicted spans ${evicted}`);
  if (process.argv.includes('--keep')) {
    const conn = new Database(db, { readonly: true });
    const rows = conn.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as Array<{ name: string; bytes: number }>;
    for (const r of rows.slice(0, 12)) log(SCRIPT, `  ${r.name}: ${mb(r.bytes)}`);
    log(SCRIPT, `  free pages: ${mb((conn.pragma('freelist_count', { simple: true }) as number) * (conn.pragma('page_size', { simple: true }) as number))}; kept in ${dir}`);
    conn.close();
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
  return max > failAboveBytes ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
