import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchFactory, DEFAULT_SERVER_COMMAND, arg, batchTraceId, log, postOnce, sleep, startServerProcess } from './reliability-support.js';

/**
 * Disk full on a small tmpfs (needs root for `mount`): ingest until the store fails, then
 * checks ingest 503 + Retry-After, /readyz 503, queries 200 and a rate-limited log; frees
 * the space and measures how long until ingest and /readyz recover by themselves; checks
 * every acknowledged batch is stored.
 *
 *   sudo node --import tsx test/reliability/disk-full.ts [--size 48m] [--server CMD]
 */

const SCRIPT = 'disk-full';
const size = arg('size', '48m');
const command = arg('server', DEFAULT_SERVER_COMMAND);

function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 0x61);
  let written = 0;
  try {
    for (;;) written += writeSync(fd, chunk);
  } catch {
    // ENOSPC: the disk is full, which is the point.
  } finally {
    closeSync(fd);
  }
  return written;
}

async function main(): Promise<number> {
  const mnt = mkdtempSync(path.join(os.tmpdir(), 'threadline-diskfull-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  try {
    const server = await startServerProcess(command, ['--db', path.join(mnt, 'threadline.db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off', '--retention', '0'], 2);
    const ingest = `${server.urls['OTLP/HTTP']}/v1/traces`;
    const api = server.urls['UI + query API']!;
    const batches = new BatchFactory();
    const acked: number[] = [];
    let seq = 0;
    const send = async () => {
      const mine = seq++;
      const res = await postOnce(ingest, batches.batch(3, mine), undefined, undefined, 10_000);
      if (res.status === 200) acked.push(mine);
      return res;
    };
    for (let i = 0; i < 20; i++) await send();
    const filler = path.join(mnt, 'filler');
    log(SCRIPT, `${acked.length} batches stored; filled the rest of the ${size} tmpfs with ${(fill(filler) / 1e6).toFixed(1)} MB`);

    let refused: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const res = await send();
      if (res.status === 503) refused = res;
    }
    if (!refused) throw new Error('the store never refused a write on a full disk');
    const linesBefore = server.output().split('\n').length;
    const during: number[] = [];
    for (let i = 0; i < 40; i++) during.push((await send()).status);
    const ready = (await fetch(`${api}/readyz`)).status;
    const query = (await fetch(`${api}/api/services`)).status;
    const logLines = server.output().split('\n').length - linesBefore;
    const sample = server.output().split("\n").slice(linesBefore, linesBefore + 3).map((l) => l.slice(0, 160));
    log(SCRIPT, `log sample: ${JSON.stringify(sample)}`);
    log(SCRIPT, `disk full: ingest ${refused.status} with Retry-After ${refused.retryAfterS} s; next 40 batches: ${[...new Set(during)].join('/')}; /readyz ${ready}; /api/services ${query}; ${logLines} log lines for those 40 refusals`);

    unlinkSync(filler);
    const freed = performance.now();
    let ingestBack = NaN;
    let readyBack = NaN;
    while (performance.now() - freed < 30_000 && (Number.isNaN(ingestBack) || Number.isNaN(readyBack))) {
      if (Number.isNaN(ingestBack) && (await send()).status === 200) ingestBack = (performance.now() - freed) / 1000;
      if (Number.isNaN(readyBack) && (await fetch(`${api}/readyz`)).status === 200) readyBack = (performance.now() - freed) / 1000;
      await sleep(100);
    }
    log(SCRIPT, `space freed: ingest accepted again after ${ingestBack.toFixed(2)} s, /readyz 200 after ${readyBack.toFixed(2)} s`);

    let missing = 0;
    for (const s of acked) {
      const res = await fetch(`${api}/api/traces/${batchTraceId(3, s)}`);
      const n = res.status === 200 ? ((await res.json()) as { data: Array<{ spans: unknown[] }> }).data[0]!.spans.length : 0;
      if (n !== 512) missing++;
    }
    await server.stop();
    log(SCRIPT, `${acked.length} acknowledged batches, ${missing} missing`);
    const ok = refused.status === 503 && ready === 503 && query === 200 && ingestBack <= 10 && missing === 0;
    return ok ? 0 : 1;
  } finally {
    execFileSync('umount', [mnt]);
    rmdirSync(mnt);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
