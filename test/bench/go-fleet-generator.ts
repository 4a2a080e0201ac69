import { SpanKind, StatusCode, type InstrumentationScope, type KeyValue, type Resource, type Span } from '@threadline/shared';
import { seededRandom } from '../../server/src/test-support/seeded-random.js';

/**
 * Traces as a fleet of Go services instrumented with OpenTelemetry contrib packages would
 * send them: HTTP edge services (otelhttp) calling gRPC services (otelgrpc) that call
 * more gRPC services, PostgreSQL (otelsql) and Redis (redisotel). 20 services × 10
 * operations, every one of them reached: the call graph has three tiers, and each gRPC
 * method of tiers 1 and 2 is called by exactly one client operation of the tier above.
 * Each operation has its own log-normal latency (medians from 50 µs to 300 ms), about 1%
 * of spans fail, and traces are 3 to 6 levels deep. Deterministic for a seed.
 */

const SERVICE_NAMES = [
  'frontend', 'api-gateway', 'auth', 'users', 'orders', 'payments', 'inventory', 'catalog', 'search', 'recommendations',
  'cart', 'shipping', 'notifications', 'email', 'pricing', 'reviews', 'ads', 'analytics', 'billing', 'ledger',
];
const OPERATIONS_PER_SERVICE = 10;
const HOSTS_PER_SERVICE = 3;
const ERROR_RATE = 0.01;

/**
 * Tier 0: 2 edge services, 5 HTTP routes and 5 gRPC clients each. Tier 1: 5 services, 2
 * methods and 6 clients each (10 methods for the edges' 10 clients). Tier 2: 13 services
 * with 30 methods in all, for tier 1's 30 clients; the rest of every service's 10
 * operations are database, cache and internal spans.
 */
const TIERS = [
  { services: 2, methods: () => 0, routes: 5, clients: 5 },
  { services: 5, methods: () => 2, routes: 0, clients: 6 },
  { services: 13, methods: (k: number) => (k < 4 ? 3 : 2), routes: 0, clients: 0 },
] as const;

type Protocol = 'http' | 'grpc-server' | 'grpc-client' | 'db' | 'cache' | 'internal';

export interface OperationModel {
  name: string;
  kind: SpanKind;
  protocol: Protocol;
  medianNs: number;
  sigma: number;
  scope: InstrumentationScope;
  /** Attributes every span of the operation carries. */
  fixed: KeyValue[];
  /** For a gRPC client: the service and server operation it calls. */
  callee?: { service: number; operation: number };
}

export interface ServiceModel {
  name: string;
  hosts: Resource[];
  operations: OperationModel[];
  /** How many of `operations` (the first ones) are HTTP routes: a trace starts at one. */
  routes: number;
}

export interface Fleet {
  services: ServiceModel[];
  /** Indexes of the services traces start at. */
  edges: number[];
}

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: String(value) } });

function scope(name: string, version: string): InstrumentationScope {
  return { name, version, attributes: [], droppedAttributesCount: 0 };
}

const SCOPES = {
  http: scope('go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp', '0.49.0'),
  grpc: scope('go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', '0.49.0'),
  db: scope('github.com/XSAM/otelsql', '0.29.0'),
  cache: scope('github.com/redis/go-redis/extra/redisotel', '9.5.1'),
};

const HTTP_ROUTES = ['GET /api/products', 'GET /api/products/{id}', 'POST /api/cart', 'GET /api/cart', 'POST /api/checkout'];
const GRPC_METHODS = ['Get', 'List', 'Update'];
const TABLES = ['orders', 'users', 'items', 'events', 'accounts'];
const STATEMENTS = ['SELECT', 'INSERT', 'UPDATE'];

function logUniform(random: () => number, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo)));
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function route(random: () => number, path: string): OperationModel {
  const [method, target] = path.split(' ') as [string, string];
  return {
    name: path,
    kind: SpanKind.SERVER,
    protocol: 'http',
    medianNs: logUniform(random, 5e6, 300e6),
    sigma: 0.4 + random() * 0.6,
    scope: SCOPES.http,
    fixed: [str('http.method', method), str('http.route', target), str('http.scheme', 'http'), int('net.host.port', 8080)],
  };
}

function grpcMethod(random: () => number, service: string, k: number): OperationModel {
  const rpcService = `${service.replace(/-/g, '')}.${pascal(service)}`;
  const method = `${GRPC_METHODS[k]!}${pascal(service)}`;
  return {
    name: `${rpcService}/${method}`,
    kind: SpanKind.SERVER,
    protocol: 'grpc-server',
    medianNs: logUniform(random, 1e6, 80e6),
    sigma: 0.3 + random() * 0.7,
    scope: SCOPES.grpc,
    fixed: [str('rpc.system', 'grpc'), str('rpc.service', rpcService), str('rpc.method', method)],
  };
}

function grpcClient(target: OperationModel, callee: ServiceModel, at: { service: number; operation: number }): OperationModel {
  return {
    name: target.name,
    kind: SpanKind.CLIENT,
    protocol: 'grpc-client',
    medianNs: target.medianNs * 1.05 + 300e3,
    sigma: target.sigma,
    scope: SCOPES.grpc,
    fixed: [...target.fixed, str('net.peer.name', callee.name), int('net.peer.port', 9090)],
    callee: at,
  };
}

/** The k-th filler operation of a service: queries, cache calls and internal work, names unique per service. */
function filler(random: () => number, service: string, k: number): OperationModel {
  if (k % 4 === 3) {
    return {
      name: `redis ${k % 8 === 3 ? 'GET' : 'SET'}`,
      kind: SpanKind.CLIENT,
      protocol: 'cache',
      medianNs: logUniform(random, 100e3, 1e6),
      sigma: 0.5,
      scope: SCOPES.cache,
      fixed: [str('db.system', 'redis'), str('db.statement', `${k % 8 === 3 ? 'get' : 'set'} session`), str('net.peer.name', 'redis')],
    };
  }
  if (k % 4 === 2) {
    return {
      name: `${service}.process${k}`,
      kind: SpanKind.INTERNAL,
      protocol: 'internal',
      medianNs: logUniform(random, 50e3, 2e6),
      sigma: 0.4,
      scope: scope(`github.com/example/${service}`, '1.0.0'),
      fixed: [str('code.namespace', `github.com/example/${service}/internal`), str('code.function', `process${k}`)],
    };
  }
  const table = TABLES[k % TABLES.length]!;
  const op = STATEMENTS[Math.floor(k / 2) % STATEMENTS.length]!;
  return {
    name: `${op} ${table}`,
    kind: SpanKind.CLIENT,
    protocol: 'db',
    medianNs: logUniform(random, 300e3, 20e6),
    sigma: 0.5 + random() * 0.7,
    scope: SCOPES.db,
    fixed: [
      str('db.system', 'postgresql'),
      str('db.name', service),
      str('db.operation', op),
      str('db.sql.table', table),
      str('db.statement', op === 'SELECT' ? `SELECT * FROM ${table} WHERE id = $1` : `${op} ${table} SET v = $2 WHERE id = $1`),
    ],
  };
}

/** 20 services × 10 operations, 200 in all, every one reachable from an edge. */
export function buildFleet(seed: number): Fleet {
  const random = seededRandom(seed);
  const services: ServiceModel[] = SERVICE_NAMES.map((name, s) => ({
    name,
    routes: 0,
    hosts: Array.from({ length: HOSTS_PER_SERVICE }, (_, h) => ({
      attributes: [
        str('service.name', name),
        str('service.version', `1.${s % 7}.${h}`),
        str('host.name', `${name}-${h}`),
        str('deployment.environment', 'production'),
        str('telemetry.sdk.language', 'go'),
        str('telemetry.sdk.name', 'opentelemetry'),
        str('telemetry.sdk.version', '1.24.0'),
      ],
      droppedAttributesCount: 0,
    })),
    operations: [],
  }));
  const tiers: number[][] = [];
  let next = 0;
  for (const tier of TIERS) {
    tiers.push(Array.from({ length: tier.services }, (_, k) => next + k));
    next += tier.services;
  }
  // Server operations first, so that clients can name the method they call.
  TIERS.forEach((tier, t) => {
    tiers[t]!.forEach((s, k) => {
      const service = services[s]!;
      for (let r = 0; r < tier.routes; r++) service.operations.push(route(random, HTTP_ROUTES[r]!));
      service.routes = tier.routes;
      for (let m = 0; m < tier.methods(k); m++) service.operations.push(grpcMethod(random, service.name, m));
    });
  });
  // Each method of a tier is called by one client of the tier above, in shuffled order.
  TIERS.forEach((tier, t) => {
    if (tier.clients === 0) return;
    const methods = shuffled(
      tiers[t + 1]!.flatMap((s) =>
        services[s]!.operations.flatMap((op, i) => (op.protocol === 'grpc-server' ? [{ service: s, operation: i }] : [])),
      ),
      random,
    );
    tiers[t]!.forEach((s, k) => {
      for (let c = 0; c < tier.clients; c++) {
        const at = methods[k * tier.clients + c]!;
        const callee = services[at.service]!;
        services[s]!.operations.push(grpcClient(callee.operations[at.operation]!, callee, at));
      }
    });
  });
  for (const service of services) {
    for (let k = service.operations.length; k < OPERATIONS_PER_SERVICE; k++) service.operations.push(filler(random, service.name, k));
  }
  return { services, edges: tiers[0]! };
}

/** Makes traces one after another from a seed; each call to `next` is one whole trace. */
export class TraceGenerator {
  private readonly random;

  constructor(
    private readonly fleet: Fleet,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  /** One trace starting at `startNs`, its spans in creation order. */
  next(startNs: bigint): Span[] {
    const spans: Span[] = [];
    const traceId = this.hex(32);
    const entry = this.fleet.edges[Math.floor(this.random() * this.fleet.edges.length)]!;
    const route = Math.floor(this.random() * this.fleet.services[entry]!.routes);
    const maxDepth = 3 + Math.floor(this.random() * 4);
    this.serverSpan(spans, traceId, '', entry, route, startNs, 1, maxDepth);
    return spans;
  }

  private serverSpan(out: Span[], traceId: string, parent: string, s: number, op: number, start: bigint, depth: number, maxDepth: number): void {
    const spanId = this.span(out, traceId, parent, s, op, start);
    if (depth >= maxDepth) return;
    const service = this.fleet.services[s]!;
    let offset = 20_000n;
    for (let k = 0; k < service.operations.length; k++) {
      const child = service.operations[k]!;
      if (child.kind === SpanKind.SERVER) continue;
      // About two children per server span: one or two calls, a query, sometimes a cache hit.
      if (this.random() > (child.protocol === 'grpc-client' ? 0.45 : 0.3)) continue;
      const childStart = start + offset;
      offset += 50_000n + BigInt(Math.floor(this.random() * 200_000));
      const clientId = this.span(out, traceId, spanId, s, k, childStart);
      if (child.callee && depth + 2 <= maxDepth) {
        this.serverSpan(out, traceId, clientId, child.callee.service, child.callee.operation, childStart + 150_000n, depth + 2, maxDepth);
      }
    }
  }

  private span(out: Span[], traceId: string, parentSpanId: string, s: number, op: number, start: bigint): string {
    const service = this.fleet.services[s]!;
    const model = service.operations[op]!;
    const durationNs = Math.max(1000, Math.round(model.medianNs * Math.exp(model.sigma * this.normal())));
    const failed = this.random() < ERROR_RATE;
    const spanId = this.hex(16);
    const attributes = [...model.fixed, ...this.variable(model, failed)];
    out.push({
      traceId,
      spanId,
      parentSpanId,
      traceState: '',
      flags: 1,
      name: model.name,
      kind: model.kind,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + BigInt(durationNs)).toString(),
      attributes,
      droppedAttributesCount: 0,
      events: failed
        ? [{
            timeUnixNano: (start + BigInt(durationNs >> 1)).toString(),
            name: 'exception',
            attributes: [str('exception.type', '*errors.errorString'), str('exception.message', 'context deadline exceeded')],
            droppedAttributesCount: 0,
          }]
        : [],
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: failed ? { code: StatusCode.ERROR, message: 'context deadline exceeded' } : { code: StatusCode.UNSET, message: '' },
      resource: service.hosts[Math.floor(this.random() * HOSTS_PER_SERVICE)]!,
      scope: model.scope,
      serviceName: service.name,
    });
    return spanId;
  }

  /** The per-request attributes: status codes, peers, targets. */
  private variable(model: OperationModel, failed: boolean): KeyValue[] {
    const peer = `10.0.${Math.floor(this.random() * 8)}.${Math.floor(this.random() * 250)}`;
    switch (model.protocol) {
      case 'http': {
        const id = Math.floor(this.random() * 5000);
        return [
          str('http.target', model.name.split(' ')[1]!.replace('{id}', String(id))),
          int('http.status_code', failed ? 500 : this.random() < 0.03 ? 404 : 200),
          str('net.sock.peer.addr', peer),
          str('http.user_agent', 'Go-http-client/1.1'),
        ];
      }
      case 'grpc-server':
      case 'grpc-client':
        return [int('rpc.grpc.status_code', failed ? 13 : 0), str('net.sock.peer.addr', peer)];
      case 'db':
      case 'cache':
        return [str('net.sock.peer.addr', peer)];
      case 'internal':
        return [];
    }
  }

  private normal(): number {
    const u = 1 - this.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
  }

  private hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += Math.floor(this.random() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, digits);
  }
}
