// `npm run demo`: builds the Go demo (examples/go-demo) and Threadline, starts Threadline,
// the three demo services pointed at it and a load generator, and stops them all on
// Ctrl-C — services first, so their last spans and net/trace records reach Threadline
// before it closes. No Docker needed; `go` must be on PATH.
//
// Threadline takes its usual THREADLINE_* variables (the database defaults to
// ./data/demo.db); FRONTEND_ADDR, ORDERS_ADDR, ORDERS_DEBUG_ADDR and INVENTORY_ADDR move
// the services; DEMO_RATE sets the load generator's requests per second (default 2).
import { spawn, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demoDir = path.join(root, 'examples/go-demo');
const binDir = path.join(demoDir, 'bin');
const exe = process.platform === 'win32' ? '.exe' : '';
const env = process.env;

const color = process.stdout.isTTY && !env.NO_COLOR;
const paint = (code, s) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const say = (msg) => process.stdout.write(`${paint('1', 'demo')}: ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`${paint('1;31', 'demo')}: ${msg}\n`);
  return 1;
};

class DemoError extends Error {}

/** Every child we started; `stopAll` stops the services first and Threadline last. */
const children = [];
let stopping = false;

const NAME_WIDTH = 10;
const COLORS = { threadline: '36', inventory: '33', orders: '35', frontend: '32', loadgen: '34', go: '90', npm: '90' };

function prefixLines(name, stream, sink, onLine) {
  const tag = paint(COLORS[name] ?? '0', name.padEnd(NAME_WIDTH)) + ' | ';
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    sink.write(tag + line + '\n');
    onLine?.(line);
  });
}

/**
 * Starts a long-running child in its own process group, so a Ctrl-C in the terminal
 * reaches only this script, which then stops the children in order.
 */
function startChild(name, command, args, childEnv) {
  const child = spawn(command, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
  const lines = new EventEmitter();
  const entry = { name, child, lines, exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code))) };
  child.on('error', (err) => process.stderr.write(`demo: ${name}: ${err.message}\n`));
  prefixLines(name, child.stdout, process.stdout, (line) => lines.emit('line', line));
  prefixLines(name, child.stderr, process.stderr, (line) => lines.emit('line', line));
  children.push(entry);
  void entry.exited.then((how) => {
    if (!stopping && name !== 'loadgen') {
      process.exitCode = fail(`${name} exited (${how}); stopping the demo`);
      void stopAll().then(() => process.exit(process.exitCode));
    }
  });
  return entry;
}

/** Runs a build step to completion, its output prefixed; throws when it fails. */
function runStep(name, command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    prefixLines(name, child.stdout, process.stdout);
    prefixLines(name, child.stderr, process.stderr);
    child.on('error', (err) => reject(new DemoError(`${command}: ${err.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new DemoError(`\`${command} ${args.join(' ')}\` failed (exit ${code})`))));
  });
}

/** Newest modification time of the source files under `dir`, tests aside (0 when there are none). */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path.join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** Which built parts are older than their sources; the demo uses the build as it is. */
function staleBuilds() {
  const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
  return [
    ['shared', newestMtime(path.join(root, 'shared/src')) > mtime(path.join(root, 'shared/tsconfig.tsbuildinfo'))],
    ['server', newestMtime(path.join(root, 'server/src')) > mtime(path.join(root, 'server/tsconfig.tsbuildinfo'))],
    ['ui', newestMtime(path.join(root, 'ui/src')) > mtime(path.join(root, 'ui/dist/index.html'))],
  ].flatMap(([name, stale]) => (stale ? [name] : []));
}

function portSetting(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'off') return 'off';
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new DemoError(`${name} must be a port number, got "${raw}"`);
  return Number(raw);
}

/** "host:port" as the Go services take it → [host, port]; an empty host means every interface. */
function splitAddr(addr) {
  const i = addr.lastIndexOf(':');
  if (i === -1) throw new DemoError(`bad address "${addr}": want host:port`);
  return [addr.slice(0, i).replace(/^\[|\]$/g, ''), Number(addr.slice(i + 1))];
}

/** The address a client on this machine uses to reach a listener bound to `host`. */
function dialHost(host) {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function probePort(host, port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err) => resolve(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? err.code : null));
    server.listen({ port, host: host || undefined, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

async function checkPorts(wanted) {
  const taken = [];
  for (const { what, host, port, hint } of wanted) {
    if (port === 0 || port === 'off') continue;
    const err = await probePort(host, port);
    if (err) taken.push(`port ${port} (${what}) is ${err === 'EACCES' ? 'not allowed' : 'already in use'} on ${host || 'all interfaces'}; free it or set ${hint}`);
  }
  if (taken.length > 0) throw new DemoError(taken.join('\n      '));
}

/** Resolves with the first match of `re` in the child's output. */
function waitForLine(entry, re, what) {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      entry.lines.off('line', onLine);
    };
    const timer = setTimeout(() => {
      done();
      reject(new DemoError(`${entry.name} did not report ${what} within 30 s`));
    }, 30_000);
    const onLine = (line) => {
      const m = re.exec(line);
      if (m) {
        done();
        resolve(m);
      }
    };
    entry.lines.on('line', onLine);
    void entry.exited.then((how) => {
      done();
      reject(new DemoError(`${entry.name} exited (${how}) before reporting ${what}`));
    });
  });
}

async function waitForOk(url, entry) {
  const deadline = Date.now() + 30_000;
  let exited = false;
  void entry.exited.then(() => (exited = true));
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (exited) throw new DemoError(`${entry.name} exited before ${url} answered`);
    if (Date.now() > deadline) throw new DemoError(`${url} did not answer 200 within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopChild(entry, graceMs) {
  const { child } = entry;
  if (child.exitCode !== null || child.signalCode !== null) return entry.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    process.stderr.write(`demo: ${entry.name} did not stop within ${graceMs / 1000} s, killing it\n`);
    child.kill('SIGKILL');
  }, graceMs);
  return entry.exited.finally(() => clearTimeout(timer));
}

let stopped;
function stopAll() {
  stopped ??= (async () => {
    stopping = true;
    const threadline = children.filter((c) => c.name === 'threadline');
    const others = children.filter((c) => c.name !== 'threadline');
    if (others.some((c) => c.child.exitCode === null && c.child.signalCode === null)) say('stopping the services (they flush their spans and net/trace records)…');
    // The services bound their own flush at 5 s.
    await Promise.all(others.map((c) => stopChild(c, 8_000)));
    if (threadline.length > 0) say('stopping Threadline…');
    await Promise.all(threadline.map((c) => stopChild(c, 15_000)));
    if (children.length > 0) say('stopped');
  })();
  return stopped;
}

function onSignal(signal) {
  if (stopped) {
    process.stderr.write(`demo: second ${signal}, killing everything\n`);
    for (const { child } of children) child.kill('SIGKILL');
    process.exit(130);
  }
  process.stdout.write('\n');
  void stopAll().then(() => process.exit(process.exitCode ?? 0));
}

/** Sends checkout requests forever, one loadgen run of 20 after another. */
function loadLoop(frontendUrl, rate) {
  const run = () => {
    if (stopping) return;
    const entry = startChild('loadgen', path.join(binDir, 'loadgen' + exe), ['-n', '20', '-rate', String(rate), '-url', `${frontendUrl}/checkout`], env);
    void entry.exited.then((code) => {
      if (stopping) return;
      if (code !== 0) say(`loadgen exited with ${code}; starting another run in 2 s`);
      setTimeout(run, code === 0 ? 0 : 2_000);
    });
  };
  run();
}

async function main() {
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  // Whatever happens to this script, no child outlives it.
  process.on('exit', () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const rate = Number(env.DEMO_RATE ?? 2);
  if (!(rate > 0)) throw new DemoError(`DEMO_RATE must be a positive number of requests per second, got "${env.DEMO_RATE}"`);
  const tlHost = env.THREADLINE_HOST || '127.0.0.1';
  const tlPorts = {
    http: portSetting('THREADLINE_HTTP_PORT', 16686),
    otlpHttp: portSetting('THREADLINE_OTLP_HTTP_PORT', 4318),
    otlpGrpc: portSetting('THREADLINE_OTLP_GRPC_PORT', 4317),
    zipkin: portSetting('THREADLINE_ZIPKIN_PORT', 9411),
  };
  for (const [key, name] of [['http', 'THREADLINE_HTTP_PORT'], ['otlpHttp', 'THREADLINE_OTLP_HTTP_PORT'], ['otlpGrpc', 'THREADLINE_OTLP_GRPC_PORT'], ['zipkin', 'THREADLINE_ZIPKIN_PORT']]) {
    if (tlPorts[key] === 'off') throw new DemoError(`${name}=off, but the demo uses every listener (the three services export over OTLP/HTTP, OTLP/gRPC and Zipkin)`);
  }
  const addrs = {
    frontend: env.FRONTEND_ADDR || '127.0.0.1:8080',
    orders: env.ORDERS_ADDR || '127.0.0.1:9090',
    ordersDebug: env.ORDERS_DEBUG_ADDR || '127.0.0.1:9091',
    inventory: env.INVENTORY_ADDR || '127.0.0.1:8081',
  };

  // 1. Ports, before building anything: a clash found after a minute of compiling is annoying.
  say('[1/6] checking ports');
  await checkPorts([
    { what: 'Threadline UI + query API', host: tlHost, port: tlPorts.http, hint: 'THREADLINE_HTTP_PORT' },
    { what: 'Threadline OTLP/HTTP', host: tlHost, port: tlPorts.otlpHttp, hint: 'THREADLINE_OTLP_HTTP_PORT' },
    { what: 'Threadline OTLP/gRPC', host: tlHost, port: tlPorts.otlpGrpc, hint: 'THREADLINE_OTLP_GRPC_PORT' },
    { what: 'Threadline Zipkin', host: tlHost, port: tlPorts.zipkin, hint: 'THREADLINE_ZIPKIN_PORT' },
    ...Object.entries({ frontend: 'FRONTEND_ADDR', orders: 'ORDERS_ADDR', ordersDebug: 'ORDERS_DEBUG_ADDR', inventory: 'INVENTORY_ADDR' }).map(([key, hint]) => {
      const [host, port] = splitAddr(addrs[key]);
      return { what: `demo ${key === 'ordersDebug' ? 'orders debug HTTP' : key}`, host, port, hint };
    }),
  ]);

  // 2. The Go services.
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) throw new DemoError('`go` is not on PATH; the demo services are Go programs (install Go 1.26+: https://go.dev/dl/)');
  say('[2/6] building the Go demo services: (cd examples/go-demo && go build -o bin/ ./cmd/...)');
  let t = Date.now();
  await runStep('go', 'go', ['build', '-o', binDir + path.sep, './cmd/...'], demoDir);
  say(`      built frontend, orders, inventory, loadgen into examples/go-demo/bin/ (${((Date.now() - t) / 1000).toFixed(1)} s)`);

  // 3. Threadline.
  const mainJs = path.join(root, 'server/dist/main.js');
  if (!existsSync(mainJs) || !existsSync(path.join(root, 'ui/dist/index.html'))) {
    say('[3/6] building Threadline: npm run build');
    t = Date.now();
    await runStep('npm', process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], root);
    say(`      built (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  } else {
    const stale = staleBuilds();
    say(`[3/6] Threadline is built${stale.length > 0 ? `, but ${stale.join(', ')} changed since: run \`npm run build\` to see the changes` : ''}`);
  }

  const db = env.THREADLINE_DB || './data/demo.db';
  if (db !== ':memory:') mkdirSync(path.dirname(path.resolve(root, db)), { recursive: true });
  say(`[4/6] starting Threadline (database ${db})`);
  const listeners = {};
  const threadline = startChild('threadline', process.execPath, [mainJs], { ...env, THREADLINE_DB: db });
  threadline.lines.on('line', (line) => {
    const m = /^threadline: (.+) listening on (http:\/\/[^/\s]+)/.exec(line);
    if (m) listeners[m[1]] = m[2];
  });
  await waitForLine(threadline, /^threadline: storing in /, 'its listeners');
  const tlUrl = (label) => {
    const u = listeners[label];
    if (!u) throw new DemoError(`Threadline did not report its ${label} listener`);
    const url = new URL(u);
    return `http://${dialHost(url.hostname.replace(/^\[|\]$/g, ''))}:${url.port}`;
  };
  const ui = tlUrl('UI + query API');
  const otlpHttp = tlUrl('OTLP/HTTP');
  const otlpGrpc = tlUrl('OTLP/gRPC');
  const zipkin = tlUrl('Zipkin v2');
  await waitForOk(`${ui}/readyz`, threadline);

  // 4. The services, callee first. OTLP endpoints given explicitly win over any in the caller's environment.
  say('[5/6] starting inventory, orders and frontend');
  const base = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('OTEL_EXPORTER_') && k !== 'THREADLINE_NETTRACE_ENDPOINT'));
  const serviceEnv = (service, extra) => ({ OTEL_BSP_SCHEDULE_DELAY: '1000', ...base, OTEL_SERVICE_NAME: service, THREADLINE_NETTRACE_ENDPOINT: otlpHttp, ...extra });
  const bin = (name) => path.join(binDir, name + exe);
  const listening = (label) => new RegExp(`${label} listening on (\\S+)$`);
  const urlOf = (addr) => {
    const [host, port] = splitAddr(addr);
    return `http://${dialHost(host)}:${port}`;
  };

  const inventory = startChild('inventory', bin('inventory'), [], serviceEnv('inventory', { INVENTORY_ADDR: addrs.inventory, OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkin}/api/v2/spans` }));
  const inventoryUrl = urlOf((await waitForLine(inventory, listening('inventory'), 'its address'))[1]);
  await waitForOk(`${inventoryUrl}/healthz`, inventory);

  const orders = startChild('orders', bin('orders'), [], serviceEnv('orders', { ORDERS_ADDR: addrs.orders, ORDERS_DEBUG_ADDR: addrs.ordersDebug, INVENTORY_URL: inventoryUrl, OTEL_EXPORTER_OTLP_ENDPOINT: otlpGrpc }));
  const [ordersGrpc, ordersDebug] = await Promise.all([
    waitForLine(orders, listening('orders gRPC'), 'its gRPC address'),
    waitForLine(orders, listening('orders debug HTTP'), 'its debug address'),
  ]);
  const ordersDebugUrl = urlOf(ordersDebug[1]);
  await waitForOk(`${ordersDebugUrl}/healthz`, orders);

  const frontend = startChild('frontend', bin('frontend'), [], serviceEnv('frontend', { FRONTEND_ADDR: addrs.frontend, ORDERS_TARGET: urlOf(ordersGrpc[1]).slice('http://'.length), OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttp }));
  const frontendUrl = urlOf((await waitForLine(frontend, listening('frontend'), 'its address'))[1]);
  await waitForOk(`${frontendUrl}/healthz`, frontend);

  say(`[6/6] sending load: ${rate} checkout request(s) a second (loadgen prints <trace-id> <status> <latency> <url>)`);
  process.stdout.write(
    [
      '',
      `  ${paint('1', 'Threadline UI')}    ${ui}   (a trace: ${ui}/trace/<trace-id>)`,
      `  frontend         ${frontendUrl}/checkout?item=book   (item=broken fails in inventory)`,
      `  /debug/requests  ${frontendUrl}/debug/requests  ${ordersDebugUrl}/debug/requests  ${inventoryUrl}/debug/requests`,
      `  /debug/events    ${frontendUrl}/debug/events  ${ordersDebugUrl}/debug/events  ${inventoryUrl}/debug/events`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
  loadLoop(frontendUrl, rate);
}

main().catch((err) => {
  // A child that died has already said so and started the shutdown.
  if (!stopping) process.exitCode = fail(err instanceof DemoError ? err.message : (err?.stack ?? String(err)));
  else process.exitCode ||= 1;
  void stopAll().then(() => process.exit(process.exitCode));
});
