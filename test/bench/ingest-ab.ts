/**
 * Ingest A/B of collector builds, alternating so that the host's pace (which moves within
 * minutes here) weighs on both alike: the same payloads as `npm run bench`'s ingest rows,
 * each build in turn, `--rounds` times. A build is a path to its main.js (another commit
 * built in a worktree: `git worktree add /tmp/base <rev>`, link node_modules, `npx tsc -b
 * shared server`); `checkout` is this checkout's server/dist.
 *
 *   node --import tsx test/bench/ingest-ab.ts --builds "/tmp/base/server/dist/main.js,checkout"
 *        [--rounds 3] [--protocol otlp-http|otlp-grpc] [--senders 4] [--spans 600000] [--seconds 60]
 *
 * Every payload is sent unless `--seconds` stops the senders sooner (`--spans` then needs to be enough for that long).
 */
import { parseArgs } from 'node:util';
import { hostPaceMs } from '../support/host-pace.js';
import { buildPayloads, runIngestLoad, type IngestProtocol } from './ingest-load.js';

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: 'checkout' },
    rounds: { type: 'string', default: '3' },
    protocol: { type: 'string', default: 'otlp-http' },
    senders: { type: 'string', default: '4' },
    spans: { type: 'string', default: '600000' },
    seconds: { type: 'string' },
  },
});
const builds = values.builds.split(',').map((b) => b.trim());
const protocol = values.protocol as IngestProtocol;
if (protocol !== 'otlp-http' && protocol !== 'otlp-grpc') throw new Error(`--protocol is otlp-http or otlp-grpc, not ${values.protocol}`);

const { payloads, payloadSpans } = buildPayloads(Number(values.spans), 1, (line) => console.log(line));
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const build of builds) {
    process.env.BENCH_COLLECTOR_MAIN = build === 'checkout' ? '' : build;
    const pace = hostPaceMs();
    const r = await runIngestLoad(protocol, Number(values.senders), payloads, () => {}, undefined, { payloadSpans, seconds: values.seconds === undefined ? undefined : Number(values.seconds) });
    console.log(
      `${new Date().toISOString().slice(11, 19)} round ${round} ${build}: ${Math.round(r.spansPerSecond)} spans/s, ` +
        `${r.cpuSecondsPer100k.toFixed(2)} CPU-s per 100k, ack p99 ${Math.round(r.ackP99Ms)} ms, peak RSS ${Math.round(r.peakRssMb)} MB, ` +
        `${Math.round(r.diskBytesPerSpan)} B/span on disk, ${Math.round(r.writtenBytesPerSpan)} written; host pace ${pace.toFixed(0)} ms`,
    );
  }
}
process.exit(0);
