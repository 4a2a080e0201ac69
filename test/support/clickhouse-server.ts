import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonWithChdb } from './cached-tools.js';

/**
 * A real ClickHouse engine for the tests: chdb (ClickHouse in-process, from PyPI) behind
 * the small HTTP server in clickhouse/chdb_http_server.py, which speaks the ClickHouse
 * HTTP interface to @clickhouse/client. Its data lives in `dataDir`, so `kill()` followed
 * by `restart()` is ClickHouse going away mid-ingest and coming back with what it had.
 */
export interface ClickhouseTestServer {
  url: string;
  dataDir: string;
  /** The server process (for CPU figures); undefined while it is down. */
  readonly pid: number | undefined;
  /** SIGKILL: no goodbye, connections drop. */
  kill(): Promise<void>;
  /** Starts again on the same data directory and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'clickhouse', 'chdb_http_server.py');

export async function startClickhouseTestServer(): Promise<ClickhouseTestServer> {
  const python = await pythonWithChdb();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-chdb-'));
  let child: ChildProcess | undefined;
  let port = 0;
  const launch = async () => {
    const started = await spawnServer(python, dataDir, port);
    child = started.child;
    port = started.port;
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    get pid() {
      return child?.pid;
    },
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function spawnServer(python: string, dataDir: string, port: number): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error('the chdb server did not start within 60 s')), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${e.message}\n${err}`));
    };
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('error', (e) => fail(e));
    child.once('exit', (code) => fail(new Error(`the chdb server exited (${code}) before it listened`)));
  });
}
