import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, type Span } from '@threadline/shared';
import { getJson, startTestServer, type TestServer } from '../support/in-process-server.js';
import { buildGoDemo, goTestsEnabled, startGoDemo, waitFor, type GoDemo } from '../support/go-demo.js';
import { topFunctions } from '../../ui/src/model/profile-flame.js';

/**
 * The Go demo with clients/go/profiling against an in-process Threadline: the broken
 * item's inventory span burns CPU in a hot loop (verifyStockRecord), and concurrent bulk
 * orders queue on the inventory's ledger lock. The span's CPU flame graph must top out
 * in the hot loop, the slowest bulk span's wall time must be mostly mutex wait, and its
 * raw execution trace must parse with `go tool trace`.
 */

const hasGo = goTestsEnabled('Go profiling interop tests');

interface StackAnswer {
  unit: string;
  total: number;
  stacks: Array<{ frames: string[]; value: number }>;
}

interface ExecTraceAnswer {
  durationNano: string;
  summary: { states: Array<{ state: string; durationNano: string }>; topStacks: Array<{ state: string; frames: string[] }> };
  hasRawTrace: boolean;
}

describe.skipIf(!hasGo)('Go profiling bridge: CPU flame graph and wall-time breakdown of the demo', () => {
  let server: TestServer;
  let demo: GoDemo | undefined;
  let binDir: string;

  beforeAll(async () => {
    binDir = mkdtempSync(path.join(tmpdir(), 'threadline-go-profiling-'));
    let bins;
    [bins, server] = await Promise.all([buildGoDemo(binDir), startTestServer()]);
    // One-second CPU windows: the test waits for the window holding the request to close.
    demo = await startGoDemo(bins, { otlpHttp: server.otlpHttp, otlpGrpc: server.otlpGrpc, zipkin: server.zipkin }, { THREADLINE_CPU_WINDOW: '1s' });
  }, 180_000);

  afterAll(async () => {
    await demo?.stop();
    await server?.stop();
    if (binDir) rmSync(binDir, { recursive: true, force: true });
  });

  const checkout = async (item: string, customer: string) => {
    const res = await fetch(`${demo!.frontend}/checkout?item=${item}&customer=${customer}`);
    await res.arrayBuffer();
    const traceId = res.headers.get('x-trace-id');
    if (!traceId) throw new Error(`no X-Trace-Id from the frontend (${res.status})\n${demo!.output()}`);
    return { traceId, status: res.status };
  };

  /** The inventory server span of a trace, once it arrived. */
  const inventorySpan = (traceId: string) =>
    waitFor(`the inventory span of ${traceId}`, 20_000, async () => {
      const { status, body } = await getJson<{ spans: Span[] }>(`${server.http}/api/v1/traces/${traceId}`);
      if (status !== 200) return undefined;
      return body.spans.find((s) => s.serviceName === 'inventory' && s.kind === SpanKind.SERVER);
    });

  it('shows the broken item\'s hot loop as the top frame of the inventory span\'s CPU flame graph', async () => {
    const { traceId, status } = await checkout('broken', 'c-1');
    expect(status).toBe(502);
    const span = await inventorySpan(traceId);
    // The hot loop's samples may straddle two 1 s windows: wait until the total has not
    // grown for longer than a window, not just for the first window (which may hold only
    // the request's start).
    let last = { total: -1, since: Date.now() };
    const cpu = await waitFor(`the CPU samples of span ${span.spanId} to be complete`, 30_000, async () => {
      const { body } = await getJson<StackAnswer>(`${server.http}/api/v1/traces/${traceId}/spans/${span.spanId}/cpu`);
      if (body.total !== last.total) last = { total: body.total, since: Date.now() };
      return body.total > 0 && Date.now() - last.since > 1_500 ? body : undefined;
    });
    expect(cpu.unit).toBe('nanoseconds');
    const [top] = topFunctions(cpu.stacks, 1);
    expect(top?.name).toBe('main.verifyStockRecord');
    // Most of the span's CPU went there (the rest: HTTP, JSON, logging).
    expect(top!.self / cpu.total).toBeGreaterThan(0.5);

    const markers = await getJson<{ markers: Array<{ spanId: string; cpu: boolean; execTrace: boolean }> }>(`${server.http}/api/v1/traces/${traceId}/profile-markers`);
    expect(markers.body.markers).toContainEqual(expect.objectContaining({ spanId: span.spanId, cpu: true }));
  }, 90_000);

  it('breaks the slowest contended bulk order\'s wall time down as mostly mutex wait, and its raw trace parses with go tool trace', async () => {
    // Four at once: each holds the ledger for 150 ms, so the last one waits ~450 ms for it.
    const orders = await Promise.all(['c-2', 'c-3', 'c-4', 'c-5'].map((c) => checkout('bulk', c)));
    const spans = await Promise.all(orders.map((o) => inventorySpan(o.traceId).then((span) => ({ traceId: o.traceId, span }))));
    const slowest = spans.reduce((a, b) => (BigInt(b.span.endTimeUnixNano) - BigInt(b.span.startTimeUnixNano) > BigInt(a.span.endTimeUnixNano) - BigInt(a.span.startTimeUnixNano) ? b : a));
    const base = `${server.http}/api/v1/traces/${slowest.traceId}/spans/${slowest.span.spanId}/exectrace`;
    const exec = await waitFor(`the execution trace of span ${slowest.span.spanId}`, 30_000, async () => {
      const { status, body } = await getJson<ExecTraceAnswer>(base);
      return status === 200 ? body : undefined;
    });
    const states = exec.summary.states;
    expect(states[0]?.state, JSON.stringify(states)).toBe('mutex');
    const total = states.reduce((sum, s) => sum + Number(s.durationNano), 0);
    expect(Number(states[0]!.durationNano) / total).toBeGreaterThan(0.5);
    expect(exec.summary.topStacks[0]?.frames.join('\n')).toContain('main.(*inventory).reserve');

    expect(exec.hasRawTrace).toBe(true);
    const raw = await fetch(`${base}/raw`);
    expect(raw.status).toBe(200);
    const file = path.join(binDir, 'bulk.trace');
    writeFileSync(file, Buffer.from(await raw.arrayBuffer()));
    const parsed = spawnSync('go', ['tool', 'trace', '-d=parsed', file], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    expect(parsed.status, parsed.stderr).toBe(0);
    // The span's own markers are in it: the bridge's start and end logs.
    expect(parsed.stdout).toContain(slowest.span.spanId);
  }, 90_000);
});
