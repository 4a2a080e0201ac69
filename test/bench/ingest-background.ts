/**
 * Child process of the query benchmark: full-speed OTLP/HTTP ingest into a running
 * collector while the benchmark times queries against it. `node --import tsx
 * test/bench/ingest-background.ts <OTLP/HTTP base URL> <senders> <spans>`: encodes the spans
 * first (prints "ready"), then sends them by that many concurrent senders until they run
 * out or the process is told to stop (SIGTERM), and prints acknowledged spans/s every 5 s
 * and at the end ("sent N spans in S s", and whether they ran out before the stop: the
 * queries timed after that ran on an idle collector). Sending from a process of its own keeps the
 * senders off the event loop that serves the queries, as exporters are in production.
 */
import { buildPayloads, httpSender } from './ingest-load.js';

const [url, sendersArg, spansArg] = process.argv.slice(2);
if (!url) throw new Error('usage: ingest-background.ts <OTLP/HTTP base URL> <senders> <spans>');
const senders = Number(sendersArg ?? 4);
const { payloads } = buildPayloads(Number(spansArg ?? 1_000_000), 11, () => {});
const send = httpSender(url);
let stopped = false;
let next = 0;
let acked = 0;
process.on('SIGTERM', () => (stopped = true));
console.log('ready');
const started = performance.now();
const progress = setInterval(() => console.log(`${Math.round(acked / ((performance.now() - started) / 1000))} spans/s acknowledged`), 5_000);
await Promise.all(
  Array.from({ length: senders }, async () => {
    for (let i = next++; i < payloads.length && !stopped; i = next++) {
      while ((await send(payloads[i]!)) === 'retry' && !stopped) await new Promise((resolve) => setTimeout(resolve, 50));
      acked += 512;
    }
  }),
);
clearInterval(progress);
console.log(`sent ${acked} spans in ${((performance.now() - started) / 1000).toFixed(1)} s${stopped ? '' : ', and ran out of spans before it was stopped (what was timed after that ran without ingest)'}`);
