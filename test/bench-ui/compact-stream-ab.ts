/**
 * The server's side of the compact trace route, in-process, old way against new: a
 * generated 100k-span trace (bench:ui's generator) is stored through a SQLite store, then
 * encoded to the compact format three times, measuring wall time, CPU time of the process
 * (all threads: the store's reader worker included) and peak RSS (sampled every 5 ms).
 *
 *   whole   the path the route took before streamTrace: getTraceJson, JSON.parse of the
 *           whole trace, repointing, then encoding (pages of 1,000 spans)
 *   stream  SpanStore.streamTrace pages encoded as they are pulled (compactTraceText)
 *   proto   SpanStore.streamTraceProto pages (spans still in stored protobuf) transcoded as pulled
 *
 * The consumer yields to the event loop after every piece, as a socket would. Run each mode
 * in a process of its own (RSS does not shrink between runs):
 *
 *   node --expose-gc --import tsx test/bench-ui/compact-stream-ab.ts whole|stream|proto
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Span } from '@threadline/shared';
import { generateTrace } from './trace-generator.js';
import { createSqliteStore } from '../../server/src/store/sqlite/sqlite-store.js';
import { parseExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { toSpans } from '../../server/src/receivers/otlp/otlp-to-spans.js';
import { compactTraceChunks, compactTraceText } from '../../server/src/query/v1-api/compact-trace.js';
import { toSharedChildrenRepointed } from '../../server/src/receivers/zipkin/zipkin-shared-spans.js';

const mode = process.argv[2];
if (mode !== 'whole' && mode !== 'stream' && mode !== 'proto') throw new Error('usage: compact-stream-ab.ts whole|stream|proto');
if (!globalThis.gc) throw new Error('run with node --expose-gc');
const dir = mkdtempSync(path.join(os.tmpdir(), 'wt10-ab-'));
const store = await createSqliteStore({ path: path.join(dir, 'x.db') });
console.log('generating and storing a 100,000-span trace…');
let trace: ReturnType<typeof generateTrace> | undefined = generateTrace(100_000);
const traceId = trace.traceId;
for (const req of trace.requests) await store.writeBatch(toSpans(parseExportTraceRequestProto(new Uint8Array(encodeExportTraceRequestProto(req)))).spans);
trace = undefined;
globalThis.gc!();
const mb = (n: number) => Math.round(n / 1048576);
const rss0 = process.memoryUsage().rss;
for (let run = 0; run < 3; run++) {
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let bytes = 0;
  if (mode === 'whole') {
    const spans = toSharedChildrenRepointed(JSON.parse(await store.getTraceJson(traceId)) as Span[]);
    for (const piece of compactTraceChunks(traceId, spans)) { bytes += piece.length; await new Promise(setImmediate); }
  } else {
    const pages = (mode === 'proto' ? store.streamTraceProto(traceId) : store.streamTrace(traceId))[Symbol.asyncIterator]();
    const first = await pages.next();
    for await (const piece of compactTraceText(traceId, first.value!, pages)) { bytes += piece.length; await new Promise(setImmediate); }
  }
  const c = process.cpuUsage(c0);
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`${mode} run ${run}: ${Math.round(performance.now() - t0)} ms wall, ${Math.round((c.user + c.system) / 1000)} ms CPU (all threads), ${(bytes / 1e6).toFixed(1)} MB; RSS ${mb(rss0)} before, peak ${mb(peak)}`);
  globalThis.gc!();
}
await store.close();
