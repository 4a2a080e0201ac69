import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { toolTestsEnabled } from './required-tool.js';
import { fileURLToPath } from 'node:url';

/**
 * Builds and runs the Go demo of examples/go-demo (frontend → orders → inventory, plus
 * loadgen) against a Threadline, for the interop tests. Every service binds 127.0.0.1:0
 * and the helper reads the address it logged, so tests never race for fixed ports.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const GO_DEMO_DIR = path.join(repoRoot, 'examples/go-demo');

export function goAvailable(): boolean {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Whether the Go tests of a file can run (see `toolTestsEnabled`). */
export function goTestsEnabled(what: string): boolean {
  return toolTestsEnabled({ tool: 'go', available: goAvailable(), requireEnv: 'THREADLINE_REQUIRE_GO', install: 'install Go 1.26+' }, what);
}

/** `go build -o outDir/ ./cmd/...` in a module of the repo; Go's build cache keeps repeats quick. */
export async function goBuild(moduleDir: string, outDir: string, timeoutMs = 110_000): Promise<void> {
  const { code, output } = await run('go', ['build', '-o', outDir + path.sep, './cmd/...'], { cwd: moduleDir, timeoutMs });
  if (code !== 0) throw new Error(`go build in ${path.relative(repoRoot, moduleDir)} failed (${code}):\n${output}`);
}

export function exePath(outDir: string, name: string): string {
  return path.join(outDir, name + (process.platform === 'win32' ? '.exe' : ''));
}

export interface GoDemoBinaries {
  frontend: string;
  orders: string;
  inventory: string;
  loadgen: string;
}

export async function buildGoDemo(outDir: string): Promise<GoDemoBinaries> {
  await goBuild(GO_DEMO_DIR, outDir);
  const bin = (name: string) => exePath(outDir, name);
  return { frontend: bin('frontend'), orders: bin('orders'), inventory: bin('inventory'), loadgen: bin('loadgen') };
}

/** Processes still running, killed when the test worker exits whatever happened to the test. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface GoProcess {
  name: string;
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far, interleaved. */
  output(): string;
  exited: Promise<number | string>;
  /** Resolves with the first match of `re` in its output (earlier output included). */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (the services flush on it), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The caller's OTEL_* and THREADLINE_* variables would redirect the exporters; only ours apply. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OTEL_') && !k.startsWith('THREADLINE_')) env[k] = v;
  return { ...env, ...extra };
}

export function startGoProcess(name: string, bin: string, env: Record<string, string>, args: string[] = []): GoProcess {
  const child = spawn(bin, args, { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const waiters = new Set<() => void>();
  const append = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? -1);
    });
    // A binary that cannot start never emits 'exit'.
    child.on('error', (err) => {
      out += `[spawn error: ${err.message}]\n`;
      live.delete(child);
      resolve('spawn error');
    });
  });
  let done = false;
  void exited.then(() => (done = true));

  return {
    name,
    child,
    output: () => out,
    exited,
    waitForOutput(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const finish = () => {
          waiters.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          const m = re.exec(out);
          if (m) {
            finish();
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${name} did not print ${re} within ${timeoutMs} ms:\n${out}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then((code) => {
          if (!waiters.has(check)) return;
          finish();
          reject(new Error(`${name} exited (${code}) before printing ${re}:\n${out}`));
        });
        check();
      });
    },
    async stop(graceMs = 7_000) {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ThreadlineEndpoints {
  /** Base URLs: http://127.0.0.1:PORT */
  otlpHttp: string;
  otlpGrpc: string;
  zipkin: string;
}

export interface GoDemo {
  /** http://127.0.0.1:PORT of the frontend (GET /checkout, /debug/requests). */
  frontend: string;
  /** http://127.0.0.1:PORT of orders' debug HTTP listener. */
  ordersDebug: string;
  /** http://127.0.0.1:PORT of inventory. */
  inventory: string;
  processes: GoProcess[];
  /** Every service's output, one block per service, for failure reports. */
  output(): string;
  /** Stops the services (they flush on SIGTERM, so the collector must still be up). */
  stop(): Promise<void>;
}

const listenedOn = (label: string) => new RegExp(`${label} listening on (127\\.0\\.0\\.1:\\d+)`);

/**
 * Starts inventory, orders and frontend (callee first: each needs the address of the
 * next) with the standard OpenTelemetry variables pointing at `tl`, and waits for their
 * /healthz. `OTEL_BSP_SCHEDULE_DELAY=200` makes spans arrive within a fraction of a second;
 * net/trace records go every 2 s (the bridge's flush interval). `env` is added to every
 * service's environment (e.g. THREADLINE_CPU_WINDOW for the profiling bridge).
 */
export async function startGoDemo(bins: GoDemoBinaries, tl: ThreadlineEndpoints, env: Record<string, string> = {}): Promise<GoDemo> {
  const processes: GoProcess[] = [];
  const common = (service: string) => ({ OTEL_SERVICE_NAME: service, OTEL_BSP_SCHEDULE_DELAY: '200', THREADLINE_NETTRACE_ENDPOINT: tl.otlpHttp, ...env });
  const demo: GoDemo = {
    frontend: '',
    ordersDebug: '',
    inventory: '',
    processes,
    output: () => processes.map((p) => `----- ${p.name} -----\n${p.output()}`).join('\n'),
    stop: async () => {
      await Promise.all(processes.map((p) => p.stop()));
    },
  };
  try {
    const inventory = startGoProcess('inventory', bins.inventory, {
      ...common('inventory'),
      INVENTORY_ADDR: '127.0.0.1:0',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${tl.zipkin}/api/v2/spans`,
    });
    processes.push(inventory);
    demo.inventory = `http://${(await inventory.waitForOutput(listenedOn('inventory')))[1]}`;

    const orders = startGoProcess('orders', bins.orders, {
      ...common('orders'),
      ORDERS_ADDR: '127.0.0.1:0',
      ORDERS_DEBUG_ADDR: '127.0.0.1:0',
      INVENTORY_URL: demo.inventory,
      OTEL_EXPORTER_OTLP_ENDPOINT: tl.otlpGrpc,
    });
    processes.push(orders);
    const ordersGrpc = (await orders.waitForOutput(listenedOn('orders gRPC')))[1]!;
    demo.ordersDebug = `http://${(await orders.waitForOutput(listenedOn('orders debug HTTP')))[1]}`;

    const frontend = startGoProcess('frontend', bins.frontend, {
      ...common('frontend'),
      FRONTEND_ADDR: '127.0.0.1:0',
      ORDERS_TARGET: ordersGrpc,
      OTEL_EXPORTER_OTLP_ENDPOINT: tl.otlpHttp,
    });
    processes.push(frontend);
    demo.frontend = `http://${(await frontend.waitForOutput(listenedOn('frontend')))[1]}`;

    await Promise.all([demo.inventory, demo.ordersDebug, demo.frontend].map((base) => waitForHealthy(`${base}/healthz`)));
  } catch (err) {
    await demo.stop();
    throw new Error(`${(err as Error).message}\n${demo.output()}`);
  }
  return demo;
}

async function waitForHealthy(url: string): Promise<void> {
  await waitFor(`${url} to answer 200`, 15_000, async () => {
    const res = await fetch(url).catch(() => undefined);
    return res?.ok ? true : undefined;
  });
}

export interface LoadgenRequest {
  traceId: string;
  status: number;
  url: string;
}

/** Runs loadgen against the frontend and parses its `<trace-id> <status> <latency> <url>` lines. */
export async function runLoadgen(bin: string, frontend: string, args: string[]): Promise<{ code: number | string; output: string; requests: LoadgenRequest[] }> {
  const { code, stdout, output } = await run(bin, ['-url', `${frontend}/checkout`, ...args], { timeoutMs: 30_000 });
  const requests = stdout
    .split('\n')
    .map((line) => /^([0-9a-f]{32}) (\d{3}) \S+ (\S+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ traceId: m[1]!, status: Number(m[2]), url: m[3]! }));
  return { code, output, requests };
}

/** Calls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Runs a program to its end with our environment only; never rejects. */
export function run(command: string, args: string[], opts: { cwd?: string; timeoutMs: number; env?: Record<string, string> }): Promise<{ code: number | string; stdout: string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: cleanEnv(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${opts.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (err) => (output += `[spawn error: ${err.message}]\n`));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code: code ?? signal ?? -1, stdout, output });
    });
  });
}
