import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SERVER_COMMAND, arg, buildBatch, log, postOnce, sleep, startServerProcess } from './reliability-support.js';

/**
 * `--idle` idle TCP connections (default 1,100) held against a server whose descriptor
 * limit is 1,024 (`prlimit`), from another address (127.0.0.2, as another machine would),
 * each reopened 100 ms after the server closes it; then a new exporter (from 127.0.0.1)
 * sends a batch with a 10 s timeout, retrying every second as exporters do. Reports how
 * long its batch took to be accepted.
 *
 *   node --import tsx test/reliability/connection-bomb.ts [--idle 1100] [--nofile 1024] [--seconds 30] [--attacker-address 127.0.0.2]
 */

const SCRIPT = 'connection-bomb';
const idle = Number(arg('idle', '1100'));
const nofile = arg('nofile', '1024');
const seconds = Number(arg('seconds', '30'));
/** 127.0.0.1 puts the idle sockets and the exporter behind the same per-client cap. */
const attacker = arg('attacker-address', '127.0.0.2');
const command = `prlimit --nofile=${nofile}:${nofile} ${arg('server', DEFAULT_SERVER_COMMAND)}`;

async function main(): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-conn-'));
  const server = await startServerProcess(command, ['--db', path.join(dir, 'db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'], 2);
  log(SCRIPT, server.output().split('\n').find((l) => l.includes('descriptor')) ?? '(no descriptor line)');
  const url = new URL(server.urls['OTLP/HTTP']!);
  let holding = true;
  let opened = 0;
  let closedByServer = 0;
  const live = new Set<net.Socket>();
  const hold = () => {
    if (!holding) return;
    const s = net.connect({ port: Number(url.port), host: url.hostname, localAddress: attacker });
    opened++;
    live.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      live.delete(s);
      if (!holding) return;
      closedByServer++;
      setTimeout(hold, 100);
    });
  };
  for (let i = 0; i < idle; i++) {
    hold();
    if (i % 100 === 99) await sleep(20);
  }
  await sleep(2000);
  log(SCRIPT, `holding ${live.size} idle connections (${opened} opened, ${closedByServer} closed by the server so far)`);

  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  let attempts = 0;
  let status = 0;
  while (Date.now() < deadline) {
    attempts++;
    status = (await postOnce(`${url.origin}/v1/traces`, buildBatch(1, attempts), undefined, undefined, 10_000)).status;
    if (status === 200) break;
    await sleep(1000);
  }
  const tookS = (performance.now() - started) / 1000;
  holding = false;
  for (const s of live) s.destroy();
  const alive = server.child.exitCode === null;
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  log(SCRIPT, `new exporter: ${status === 200 ? 'accepted' : `NOT accepted (last status ${status})`} after ${tookS.toFixed(2)} s and ${attempts} attempt(s); idle sockets opened ${opened}, closed by the server ${closedByServer}; server ${alive ? 'alive' : 'DEAD'}`);
  return status === 200 && tookS < 15 && alive ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
