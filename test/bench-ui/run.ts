/**
 * `npm run bench:ui`: how fast the UI opens big traces.
 *
 * For each size it generates one realistic trace, sends it to a freshly started Threadline
 * (the built CLI, as users run it) through the real ingest path — OTLP/HTTP protobuf POSTs of
 * 512 spans per service, encoded by our encoder — then opens /trace/{id} in headless Chromium
 * in a fresh browser context per run and measures in the page: navigation start → first span
 * row painted, the API response, DOM size (shadow roots included) and rendered rows.
 * Results go to stdout and to the "UI" section of docs/benchmarks.md.
 *
 * Options: --sizes=1000,10000,100000  --runs=5  --no-write
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { COUNT_DOM_NODES, launchBrowser, requireUiBuild, VIEWPORT } from '../support/browser.js';
import { hostPaceMs, paceSentence, type HostPace } from '../support/host-pace.js';
import { MAIN_JS, spawnThreadline, type SpawnedServer } from '../support/spawned-server.js';
import { COLLECT_AFTER_PAINT, LONGEST_TASK_AFTER_PAINT, PAINTED_BINDING, PROBE_INIT, SCROLL_TO_END } from './page-probe.js';
import { generateTrace, type GeneratedTrace } from './trace-generator.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH_DOC = path.join(repoRoot, 'docs/benchmarks.md');
/** Issue 10's targets: first paint per size, and for the biggest trace the limits after it. */
const FIRST_PAINT_TARGETS_MS: Readonly<Record<number, number>> = { 10_000: 800, 100_000: 2_500 };
const LONG_TASK_LIMIT_MS = 200;
const HEAP_LIMIT_MB = 80;
const SERVER_RSS_LIMIT_MB = 500;
const INGEST_CONCURRENCY = 4;

interface Options {
  sizes: number[];
  runs: number;
  write: boolean;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { sizes: [1_000, 10_000, 100_000], runs: 5, write: true };
  for (const arg of argv) {
    const [name, value = ''] = arg.split('=', 2) as [string, string?];
    if (name === '--sizes') options.sizes = value.split(',').map((s) => Number(s.replace(/_/g, '')));
    else if (name === '--runs') options.runs = Number(value);
    else if (name === '--no-write') options.write = false;
    else throw new Error(`unknown option ${arg} (use --sizes=1000,10000 --runs=5 --no-write)`);
  }
  if (options.sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(options.runs) || options.runs < 1) {
    throw new Error('--sizes takes positive integers, --runs a positive integer');
  }
  return options;
}

interface RunResult {
  firstPaintMs: number;
  firstRowDomMs: number;
  apiRequestStartMs: number;
  apiResponseEndMs: number;
  apiBodyBytes: number;
  apiTransferBytes: number;
  rows: number;
  rowsInViewport: number;
  domElements: number;
  domNodes: number;
  jsHeapMB: number;
  scrollToEndMs: number;
  rowsAfterScroll: number;
  /** Longest main-thread task after the first paint, up to the end of the run (incl. the jump to the last row). */
  longestTaskAfterPaintMs: number;
  /** Resident set size of the server process when the run started (after the ingest and earlier runs). */
  serverStartRssMB: number;
  /** Peak resident set size of the server process while the page loaded the trace. */
  serverPeakRssMB: number;
}

interface SizeResult {
  trace: GeneratedTrace;
  ingestMs: number;
  /** From the last acknowledged request until the search index held the whole trace. */
  indexMs: number;
  /** Server RSS right after the ingest was acknowledged, and once the trace was indexed. */
  rssAfterIngestMB: number;
  rssIndexedMB: number;
  runs: RunResult[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmtMs = (ms: number): string => `${Math.round(ms).toLocaleString('en-US')} ms`;
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMB = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

async function post(url: string, body: Uint8Array<ArrayBuffer>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    await res.arrayBuffer();
    if (res.ok) return;
    // Backpressure is part of the contract; wait as told, like an exporter would.
    if ((res.status === 429 || res.status === 503) && attempt < 50) {
      const seconds = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.max(seconds, 0.2) * 1000));
      continue;
    }
    throw new Error(`POST ${url} → ${res.status}`);
  }
}

async function ingest(otlpHttp: string, trace: GeneratedTrace): Promise<number> {
  const started = performance.now();
  const url = `${otlpHttp}/v1/traces`;
  let next = 0;
  let sent = 0;
  let done = 0;
  const worker = async () => {
    while (next < trace.requests.length) {
      const request = trace.requests[next++]!;
      await post(url, new Uint8Array(encodeExportTraceRequestProto(request)));
      sent += request.resourceSpans[0]!.scopeSpans[0]!.spans.length;
      if (++done % 20 === 0) process.stdout.write(`\r  ingest: ${fmtInt(sent)} / ${fmtInt(trace.spanCount)} spans`);
    }
  };
  await Promise.all(Array.from({ length: INGEST_CONCURRENCY }, worker));
  if (trace.requests.length > 20) process.stdout.write('\n');
  return performance.now() - started;
}

/**
 * Checks the stored trace through the format the page asks for. The full format is built
 * whole (the reader decodes every span, ~1 GB of RSS for 100k spans, which the process then
 * keeps): asking for it here made every run start from that high-water mark.
 */
async function checkStored(base: string, trace: GeneratedTrace): Promise<void> {
  const res = await fetch(`${base}/api/v1/traces/${trace.traceId}?format=compact-3`);
  if (!res.ok) throw new Error(`GET trace ${trace.traceId} → ${res.status}`);
  const body = (await res.json()) as { spans: unknown[] };
  if (body.spans.length !== trace.spanCount) throw new Error(`stored ${body.spans.length} spans of ${trace.spanCount}`);
}

/**
 * Waits until the search index holds the whole trace. Ingest is acknowledged once logged;
 * the store indexes in the background, and a run measured while it still did would count
 * the indexing's CPU and memory (1.4 GB RSS right after a 100k-span ingest) as the trace page's.
 */
async function waitIndexed(base: string, trace: GeneratedTrace): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await fetch(`${base}/api/v1/search?limit=1500`);
    const body = (await res.json()) as { traces?: { traceId: string; spanCount: number }[] };
    if (body.traces?.some((t) => t.traceId === trace.traceId && t.spanCount === trace.spanCount)) return performance.now() - started;
    if (performance.now() - started > 300_000) throw new Error(`trace ${trace.traceId} not indexed within 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** VmRSS of a process in MB, from /proc (Linux); NaN elsewhere. */
function rssMB(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * Resolves when the page's probe calls PAINTED_BINDING after the first paint (exposed over
 * CDP: the UI's Content-Security-Policy, script-src 'self', refuses waitForFunction's eval).
 * The harness used to poll the page every 50 ms instead, a DevTools round trip each time
 * through the harness, the browser and the renderer, on the 2 cores the load is timed on.
 */
async function paintSignal(page: Page): Promise<() => Promise<void>> {
  let painted!: () => void;
  const signal = new Promise<void>((resolve) => (painted = resolve));
  await page.exposeBinding(PAINTED_BINDING, () => painted());
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no span row painted within 300 s')), 300_000)));
    try {
      await Promise.race([signal, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function measure(browser: Browser, url: string, serverPid: number | undefined): Promise<RunResult> {
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
  const serverStartRssMB = rssMB(serverPid);
  let serverPeakRssMB = serverStartRssMB;
  const sampler = setInterval(() => (serverPeakRssMB = Math.max(serverPeakRssMB, rssMB(serverPid))), 20);
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(PROBE_INIT);
    const waitForPaint = await paintSignal(page);
    await page.goto(url, { waitUntil: 'commit' });
    await waitForPaint();
    const after = (await page.evaluate(COLLECT_AFTER_PAINT)) as Record<string, number>;
    const dom = (await page.evaluate(COUNT_DOM_NODES)) as { elements: number; nodes: number };
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    const scroll = (await page.evaluate(SCROLL_TO_END)) as { ms: number; rows: number; lastRow: number };
    const longestTaskAfterPaintMs = Number(await page.evaluate(LONGEST_TASK_AFTER_PAINT));
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      firstPaintMs: after.paint!,
      firstRowDomMs: after.dom!,
      apiRequestStartMs: after.apiRequestStart ?? Number.NaN,
      apiResponseEndMs: after.apiResponseEnd ?? Number.NaN,
      apiBodyBytes: after.apiBodyBytes ?? Number.NaN,
      apiTransferBytes: after.apiTransferBytes ?? Number.NaN,
      rows: after.rows!,
      rowsInViewport: after.rowsInViewport!,
      domElements: dom.elements,
      domNodes: dom.nodes,
      jsHeapMB: heap / 1_048_576,
      scrollToEndMs: scroll.ms,
      rowsAfterScroll: scroll.rows,
      longestTaskAfterPaintMs,
      serverStartRssMB,
      serverPeakRssMB,
    };
  } finally {
    clearInterval(sampler);
    await context.close();
  }
}

function machine(browserVersion: string): string {
  const cpus = os.cpus();
  return [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    `headless Chromium ${browserVersion} (Debian package, playwright-core driver)`,
  ].join(', ');
}

function verdictLines(results: SizeResult[]): string {
  const lines: string[] = [];
  const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
  for (const { trace, runs } of results) {
    const target = FIRST_PAINT_TARGETS_MS[trace.spanCount];
    const m = (pick: (x: RunResult) => number): number => median(runs.map(pick));
    const paint = m((x) => x.firstPaintMs);
    const parts = [];
    if (target !== undefined) parts.push(`first paint ${fmtMs(paint)} (target < ${fmtMs(target)}: ${met(paint < target)})`);
    if (trace.spanCount === 100_000) {
      const task = Math.max(...runs.map((x) => x.longestTaskAfterPaintMs));
      const heap = m((x) => x.jsHeapMB);
      const rss = Math.max(...runs.map((x) => x.serverPeakRssMB));
      parts.push(`longest task after paint ${fmtMs(task)} (< ${LONG_TASK_LIMIT_MS} ms: ${met(task < LONG_TASK_LIMIT_MS)})`);
      parts.push(`JS heap ${fmtInt(heap)} MB (< ${HEAP_LIMIT_MB} MB: ${met(heap < HEAP_LIMIT_MB)})`);
      parts.push(`server RSS ${fmtInt(rss)} MB (< ${SERVER_RSS_LIMIT_MB} MB: ${met(rss < SERVER_RSS_LIMIT_MB)})`);
    }
    if (parts.length > 0) lines.push(`- ${fmtInt(trace.spanCount)} spans: ${parts.join('; ')}.`);
  }
  return lines.length > 0 ? `**Targets** (issue 10):\n\n${lines.join('\n')}\n\n` : '';
}

function section(results: SizeResult[], runs: number, machineLine: string, loadAtStart: number, pace: HostPace): string {
  const rows = results.map(({ trace, runs: r }) => {
    const m = (pick: (x: RunResult) => number): number => median(r.map(pick));
    const paint = r.map((x) => x.firstPaintMs);
    return [
      fmtInt(trace.spanCount),
      `**${fmtMs(median(paint))}** (${fmtMs(Math.min(...paint))}–${fmtMs(Math.max(...paint))})`,
      fmtMs(m((x) => x.apiRequestStartMs)),
      fmtMs(m((x) => x.apiResponseEndMs - x.apiRequestStartMs)),
      fmtMs(m((x) => x.firstPaintMs - x.apiResponseEndMs)),
      `${fmtMB(m((x) => x.apiBodyBytes))} / ${fmtMB(m((x) => x.apiTransferBytes))}`,
      `${fmtInt(m((x) => x.rows))} (${fmtInt(m((x) => x.rowsInViewport))} in view)`,
      `${fmtInt(m((x) => x.domElements))} / ${fmtInt(m((x) => x.domNodes))}`,
      `${fmtInt(m((x) => x.jsHeapMB))} MB`,
      `${fmtMs(m((x) => x.scrollToEndMs))} (${fmtInt(m((x) => x.rowsAfterScroll))} rows)`,
      fmtMs(m((x) => x.longestTaskAfterPaintMs)),
      `${fmtInt(m((x) => x.serverStartRssMB))} → ${fmtInt(Math.max(...r.map((x) => x.serverPeakRssMB)))} MB`,
    ].join(' | ');
  });
  const verdict = verdictLines(results);
  const ingestLines = results
    .map((r) => `${fmtInt(r.trace.spanCount)} spans in ${r.trace.requests.length} requests: ${fmtMs(r.ingestMs)}, indexed ${fmtMs(r.indexMs)} later, server RSS ${fmtInt(r.rssAfterIngestMB)} MB after the ingest, ${fmtInt(r.rssIndexedMB)} MB once indexed`)
    .join('; ');
  return `## UI

\`npm run bench:ui\` (\`test/bench-ui/run.ts\`). Last run ${new Date().toISOString().slice(0, 10)} on ${machineLine};
1-minute load average ${loadAtStart.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end (other jobs share the machine);
${paceSentence(pace)}.

| spans | first waterfall paint, median (min–max) | page load → trace request | trace request (server + transfer) | UI: parse, build, render | API body / on the wire (uncompressed to a client on the same machine) | span rows in DOM | DOM elements / nodes (all shadow roots) | JS heap | jump to last row, next paint | longest main-thread task after first paint | server RSS at the start of a run (median) → while serving (max) |
|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|------:|
${rows.map((r) => `| ${r} |`).join('\n')}

${verdict}The waterfall keeps only the rows in view plus 8 above and below in the DOM,
and a row's critical-path pieces closer than a pixel or two are drawn as one, so the row and
element counts stay flat from 1,000 to 100,000 spans. The UI asks for the compact trace format
with its attribute table (\`?format=compact-3\`, docs/api.md §5.4: resources and scopes once,
times as offsets, an attribute equal to one sent before as its index), which the server streams
a page of 256 spans at a time: the store's reader worker hands the trace's stored protobuf over
in pieces of about 512 KiB as they are asked for (a chunk bigger than that in slices of whole
pages), and each page's spans are transcoded from their protobuf bytes straight into compact
JSON without being decoded into span objects (\`streamTraceProto\`) and written to the socket page by
page, uncompressed (the browser is on the same machine; a remote one gets brotli quality 1,
docs/api.md §1.6). The page decodes the body itself as it arrives, page line by page line
straight into span objects, in slices of at most ~40 ms (a body over 32 MiB, bigger than any
here, would go to a Web Worker that packs its spans for the page); once the trailer came it
finishes the spans (resources, scopes), builds the tree, links it and builds both timelines
and the critical path. "Trace request" thus covers the server's reading and encoding and most
of the decoding; the column after it is the rest of the decoding, building and rendering.
"JS heap" is the page's own heap (\`JSHeapUsedSize\` of its main thread, garbage not yet
collected included). Traces over 5,000 spans open folded to 4 levels.

**Method.** For each size one trace is generated (\`test/bench-ui/trace-generator.ts\`, fixed
seed): a batch job at \`api-gateway\` fanning out over items, each item a tree of gRPC calls
(client span in the caller, server span in the callee on another host) across 10 services
with database, cache and internal spans, 15 levels deep, 5–12 attributes per span, message /
retry / exception events, ~1% errors, and one host whose clock runs 3 ms behind (so the
clock-skew adjustment has work to do). It is stored through the real ingest path: OTLP/HTTP
protobuf POSTs of at most 512 spans per service and host (as the Go exporter batches),
encoded by \`server/src/receivers/otlp/otlp-proto-encoder.ts\`, ${INGEST_CONCURRENCY} in flight, into a freshly
started \`node server/dist/main.js\` with a file database (ingest: ${ingestLines}); the runs
start once \`/api/v1/search\` shows the whole trace (the store acknowledges ingest once logged and
indexes in the background, which would otherwise run during the first runs). Then
\`/trace/{id}\` is opened at ${VIEWPORT.width}×${VIEWPORT.height} in a new browser context per run
(cold HTTP cache; one discarded warm-up run per size, then ${runs} measured runs, medians shown).
An init script wraps \`attachShadow\` so a MutationObserver watches every shadow root; "first
waterfall paint" is \`performance.now()\` (0 = navigation start) when a message posted from the
first \`requestAnimationFrame\` after the first \`span-row\` entered the DOM is delivered, i.e.
right after that frame was painted; the probe then calls a binding the harness exposed, which
waits on it instead of asking the page (until 2026-12-07 it polled every 50 ms, each poll a
DevTools round trip on the cores being measured: alternating loads of the 10k trace painted at
855 and 980 ms polled against 783 and 870 ms waiting, 10 and 14 loads each). It includes loading the page, fetching and parsing
\`/api/v1/traces/{id}?format=compact\`, building the tree, both timelines and the critical path, and rendering.
The three columns after it split that time with the Resource Timing entry of the trace
request: until its \`requestStart\`, from there to its \`responseEnd\`, and from there to the
paint. DOM counts walk the document and every open shadow root after two more frames. "Jump to last row" sets the
waterfall's \`scrollTop\` to the end and measures until the next frame is painted.
"Longest main-thread task" comes from a Long Tasks API observer (tasks over 50 ms) installed
before any page script: the longest one that started after the first paint, up to the end of
the run. "Server RSS" samples the server process's VmRSS in /proc every 20 ms while each run
loads the trace: its value when the run starts (the process did the ingest and the runs
before; V8 and SQLite keep memory they once used), and the maximum over the runs.
`;
}

/** Replaces this file's "## UI" section (up to the next "## " heading), or appends one; other sections are kept as they are. */
function writeSection(markdown: string): void {
  const current = existsSync(BENCH_DOC) ? readFileSync(BENCH_DOC, 'utf8') : '# Benchmarks\n';
  const lines = current.split('\n');
  const start = lines.findIndex((line) => /^## UI\s*$/.test(line));
  let next: string;
  if (start < 0) {
    next = `${current.replace(/\n*$/, '')}\n\n${markdown}`;
  } else {
    let end = lines.findIndex((line, i) => i > start && /^## /.test(line));
    if (end < 0) end = lines.length;
    const before = lines.slice(0, start).join('\n').replace(/\n*$/, '');
    const after = lines.slice(end).join('\n');
    next = `${before}\n\n${markdown}${after ? `\n${after}` : ''}`;
  }
  writeFileSync(BENCH_DOC, next.endsWith('\n') ? next : `${next}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = os.loadavg()[0]!;
  const paceAtStart = hostPaceMs();
  requireUiBuild();
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: build the server first (npx tsc -b shared server).`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-ui-'));
  let server: SpawnedServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await spawnThreadline(['--db', path.join(dir, 'bench.db'), '--http-port', '0', '--otlp-http-port', '0', '--otlp-grpc-port', 'off', '--zipkin-port', 'off'], 2);
    const base = server.urls['UI + query API']!;
    const otlpHttp = server.urls['OTLP/HTTP']!;
    browser = await launchBrowser();
    const machineLine = machine(browser.version());
    console.log(`bench:ui — Threadline at ${base}, ${machineLine}; host pace ${fmtMs(paceAtStart)} (host-pace.ts: lower is faster)`);
    const results: SizeResult[] = [];
    for (const size of options.sizes) {
      console.log(`\n${fmtInt(size)} spans`);
      const trace = generateTrace(size);
      console.log(`  generated: ${trace.services} services, ${trace.maxDepth} levels, ${trace.requests.length} OTLP requests`);
      const ingestMs = await ingest(otlpHttp, trace);
      const rssAfterIngestMB = rssMB(server.child.pid);
      const indexMs = await waitIndexed(base, trace);
      const rssIndexedMB = rssMB(server.child.pid);
      await checkStored(base, trace);
      console.log(
        `  stored in ${fmtMs(ingestMs)}, indexed ${fmtMs(indexMs)} later; server RSS ${fmtInt(rssAfterIngestMB)} MB after ingest, ${fmtInt(rssIndexedMB)} MB indexed; opening ${base}/trace/${trace.traceId}`,
      );
      const url = `${base}/trace/${trace.traceId}`;
      console.log(`  host pace ${fmtMs(hostPaceMs())}`);
      const warmup = await measure(browser, url, server.child.pid);
      console.log(`  warm-up: first paint ${fmtMs(warmup.firstPaintMs)} (not counted)`);
      const runs: RunResult[] = [];
      for (let i = 0; i < options.runs; i++) {
        const run = await measure(browser, url, server.child.pid);
        runs.push(run);
        console.log(
          `  run ${i + 1}/${options.runs}: first paint ${fmtMs(run.firstPaintMs)} (trace request ${fmtMs(run.apiRequestStartMs)}–${fmtMs(run.apiResponseEndMs)}, ${fmtMB(run.apiBodyBytes)}), ` +
            `${run.rows} rows in DOM (${run.rowsInViewport} in view), ${fmtInt(run.domElements)} elements, heap ${run.jsHeapMB.toFixed(0)} MB, ` +
            `jump to end ${fmtMs(run.scrollToEndMs)}, longest task after paint ${fmtMs(run.longestTaskAfterPaintMs)}, server RSS ${fmtInt(run.serverStartRssMB)} → ${fmtInt(run.serverPeakRssMB)} MB`,
        );
      }
      results.push({ trace, ingestMs, indexMs, rssAfterIngestMB, rssIndexedMB, runs });
      console.log(`  median first paint: ${fmtMs(median(runs.map((r) => r.firstPaintMs)))}`);
    }
    const pace = { startMs: paceAtStart, endMs: hostPaceMs() };
    console.log(`\nhost pace at the end: ${fmtMs(pace.endMs)}`);
    const markdown = section(results, options.runs, machineLine, loadAtStart, pace);
    console.log(`\n${markdown}`);
    if (options.write) {
      writeSection(markdown);
      console.log(`wrote the "UI" section of ${path.relative(repoRoot, BENCH_DOC)}`);
    }
  } finally {
    await browser?.close();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
