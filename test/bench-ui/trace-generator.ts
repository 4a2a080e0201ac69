/**
 * Builds one large, realistic trace as OTLP requests: a batch job at an API gateway
 * fanning out over items, each item a tree of RPCs across services (client span in the
 * caller, server span in the callee on another host), database and cache calls, internal
 * steps, events and the odd error, up to 14 levels deep. One service's host clock runs
 * 3 ms behind, as in real fleets. Deterministic for a given seed.
 */
import type { KeyValue, SpanEvent } from '@threadline/shared';
import type { OtlpSpan, OtlpTraceRequest } from '../../server/src/receivers/otlp/otlp-types.js';
import { seededRandom } from '../../server/src/test-support/seeded-random.js';

interface Service {
  name: string;
  hosts: string[];
  /** This host clock's offset from true time, ms. */
  clockSkewMs: number;
  operations: string[];
  calls: string[];
  tables: string[];
}

const SERVICES: Service[] = [
  { name: 'api-gateway', hosts: ['gw-1', 'gw-2'], clockSkewMs: 0, operations: ['POST /v1/orders/batch'], calls: ['orders'], tables: [] },
  { name: 'orders', hosts: ['orders-1', 'orders-2'], clockSkewMs: 0, operations: ['orders.Create', 'orders.Get'], calls: ['inventory', 'payments', 'pricing', 'shipping'], tables: ['orders', 'order_items'] },
  { name: 'inventory', hosts: ['inv-1'], clockSkewMs: 0, operations: ['inventory.Reserve', 'inventory.Check'], calls: ['warehouse'], tables: ['stock', 'reservations'] },
  { name: 'payments', hosts: ['pay-1'], clockSkewMs: -3, operations: ['payments.Authorize', 'payments.Capture'], calls: ['fraud', 'ledger'], tables: ['payments'] },
  { name: 'pricing', hosts: ['price-1'], clockSkewMs: 0, operations: ['pricing.Quote'], calls: ['catalog'], tables: ['price_rules'] },
  { name: 'shipping', hosts: ['ship-1'], clockSkewMs: 0, operations: ['shipping.Estimate'], calls: ['warehouse'], tables: ['carriers'] },
  { name: 'warehouse', hosts: ['wh-1'], clockSkewMs: 0, operations: ['warehouse.Locate'], calls: [], tables: ['bins'] },
  { name: 'fraud', hosts: ['fraud-1'], clockSkewMs: 0, operations: ['fraud.Score'], calls: [], tables: ['signals'] },
  { name: 'ledger', hosts: ['ledger-1'], clockSkewMs: 0, operations: ['ledger.Append'], calls: [], tables: ['entries'] },
  { name: 'catalog', hosts: ['cat-1'], clockSkewMs: 0, operations: ['catalog.Lookup'], calls: [], tables: ['products'] },
];
const BY_NAME = new Map(SERVICES.map((s) => [s.name, s]));
const MAX_DEPTH = 14;

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): KeyValue => ({ key, value: { intValue: String(Math.round(value)) } });
const bool = (key: string, value: boolean): KeyValue => ({ key, value: { boolValue: value } });

export interface GeneratedTrace {
  traceId: string;
  spanCount: number;
  /** One request per 512 spans of one service, as each service's exporter would send them. */
  requests: OtlpTraceRequest[];
  services: number;
  maxDepth: number;
}

export function generateTrace(spanCount: number, seed = 42, batchSize = 512): GeneratedTrace {
  const random = seededRandom(seed ^ spanCount);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const hex = (bytes: number): string => {
    let out = '';
    for (let i = 0; i < bytes; i++) out += Math.floor(random() * 256).toString(16).padStart(2, '0');
    return out;
  };
  const traceId = hex(16);
  // True time in ms after the trace start; each span is written in its host's clock.
  const baseNs = BigInt(Date.now() - 10 * 60_000) * 1_000_000n;
  const ns = (ms: number): string => (baseNs + BigInt(Math.round(ms * 1e6))).toString();

  const spansByService = new Map<string, Array<{ host: string; span: OtlpSpan }>>();
  let made = 0;
  let deepest = 0;

  const emit = (
    service: Service,
    host: string,
    parentSpanId: string,
    name: string,
    kind: number,
    startMs: number,
    endMs: number,
    attributes: KeyValue[],
    depth: number,
    error = false,
  ): string => {
    const spanId = hex(8);
    const skew = service.clockSkewMs;
    const events: SpanEvent[] = [];
    if (kind === 2 || kind === 3) {
      events.push({ timeUnixNano: ns(startMs + skew + 0.02), name: 'message', attributes: [str('message.type', kind === 3 ? 'SENT' : 'RECEIVED'), int('message.id', 1), int('message.uncompressed_size', 120 + random() * 4000)], droppedAttributesCount: 0 });
    }
    if (random() < 0.08) {
      events.push({ timeUnixNano: ns(startMs + skew + (endMs - startMs) * 0.5), name: 'retry', attributes: [int('retry.attempt', 1 + Math.floor(random() * 3)), str('retry.reason', 'UNAVAILABLE')], droppedAttributesCount: 0 });
    }
    if (error) {
      events.push({ timeUnixNano: ns(endMs + skew - 0.01), name: 'exception', attributes: [str('exception.type', 'DeadlineExceeded'), str('exception.message', `${name}: context deadline exceeded`)], droppedAttributesCount: 0 });
    }
    const span: OtlpSpan = {
      traceId,
      spanId,
      traceState: '',
      parentSpanId,
      flags: 1,
      name,
      kind,
      startTimeUnixNano: ns(startMs + skew),
      endTimeUnixNano: ns(endMs + skew),
      attributes,
      droppedAttributesCount: 0,
      events,
      droppedEventsCount: 0,
      links: [],
      droppedLinksCount: 0,
      status: error ? { code: 2, message: 'context deadline exceeded' } : { code: 0, message: '' },
    };
    let list = spansByService.get(service.name);
    if (!list) spansByService.set(service.name, (list = []));
    list.push({ host, span });
    made++;
    deepest = Math.max(deepest, depth);
    return spanId;
  };

  /** The work a server span does: children laid out one after another inside its window. */
  const handle = (service: Service, host: string, spanId: string, startMs: number, endMs: number, depth: number): void => {
    if (depth >= MAX_DEPTH || made >= spanCount) return;
    const children = depth < 3 ? 3 + Math.floor(random() * 4) : Math.floor(random() * 5);
    const slot = (endMs - startMs) / Math.max(children, 1);
    for (let i = 0; i < children && made < spanCount; i++) {
      const s = startMs + slot * i + slot * 0.05;
      const e = s + slot * (0.5 + random() * 0.4);
      const roll = random();
      if (roll < 0.35 && service.calls.length > 0 && depth + 2 < MAX_DEPTH) {
        const callee = BY_NAME.get(pick(service.calls))!;
        const op = pick(callee.operations);
        const [rpcService, rpcMethod] = op.split('.') as [string, string];
        const rpcAttrs = [str('rpc.system', 'grpc'), str('rpc.service', `${rpcService}.${rpcService[0]!.toUpperCase()}${rpcService.slice(1)}`), str('rpc.method', rpcMethod), str('net.peer.name', callee.name), int('net.peer.port', 9090)];
        const failed = random() < 0.01;
        const client = emit(service, host, spanId, op, 3, s, e, rpcAttrs, depth + 1, failed);
        if (made >= spanCount) return;
        const calleeHost = pick(callee.hosts);
        // Network time on both sides of the server span.
        const net = (e - s) * 0.08;
        const server = emit(callee, calleeHost, client, op, 2, s + net, e - net, [...rpcAttrs.slice(0, 3), int('rpc.grpc.status_code', failed ? 4 : 0), str('app.tenant', `tenant-${1 + Math.floor(random() * 40)}`)], depth + 2, failed);
        handle(callee, calleeHost, server, s + net, e - net, depth + 2);
      } else if (roll < 0.6 && service.tables.length > 0) {
        const table = pick(service.tables);
        const verb = pick(['SELECT', 'SELECT', 'UPDATE', 'INSERT']);
        emit(service, host, spanId, `${verb} ${table}`, 3, s, e, [
          str('db.system', 'postgresql'),
          str('db.name', service.name),
          str('db.operation', verb),
          str('db.sql.table', table),
          str('db.statement', verb === 'SELECT' ? `SELECT * FROM ${table} WHERE id = $1` : `${verb} ${table} SET updated_at = now() WHERE id = $1`),
          str('net.peer.name', 'pg-primary'),
          int('db.rows_affected', Math.floor(random() * 20)),
        ], depth + 1);
      } else if (roll < 0.75) {
        emit(service, host, spanId, pick(['redis GET', 'redis SET', 'redis MGET']), 3, s, s + (e - s) * 0.2, [str('db.system', 'redis'), str('net.peer.name', 'redis'), int('db.redis.database_index', 0), bool('cache.hit', random() < 0.8)], depth + 1);
      } else {
        const internal = emit(service, host, spanId, pick(['validate', 'serialize', 'apply rules', 'compute totals', 'render']), 1, s, e, [str('code.function', 'process'), str('code.namespace', `${service.name}/internal`), int('app.items', Math.floor(random() * 50))], depth + 1);
        handle(service, host, internal, s, e, depth + 1);
      }
    }
  };

  const gateway = BY_NAME.get('api-gateway')!;
  const items = Math.max(1, Math.round(spanCount / 40));
  const totalMs = 200 + spanCount * 0.3;
  const rootId = emit(gateway, 'gw-1', '', 'POST /v1/orders/batch', 2, 0, totalMs, [
    str('http.method', 'POST'),
    str('http.route', '/v1/orders/batch'),
    str('http.target', '/v1/orders/batch?source=nightly'),
    int('http.status_code', 200),
    str('user_agent.original', 'batch-runner/2.3'),
    int('app.batch_size', items),
  ], 0);
  // The batch loop: one item after another until the span budget is spent.
  const itemMs = (totalMs - 20) / items;
  for (let i = 0; made < spanCount; i++) {
    const s = 10 + (i % items) * itemMs;
    const e = s + itemMs * 0.9;
    const orders = BY_NAME.get('orders')!;
    const client = emit(gateway, 'gw-1', rootId, 'orders.Create', 3, s, e, [str('rpc.system', 'grpc'), str('rpc.service', 'orders.Orders'), str('rpc.method', 'Create'), str('app.item_id', `item-${i}`)], 1);
    if (made >= spanCount) break;
    const host = pick(orders.hosts);
    const server = emit(orders, host, client, 'orders.Create', 2, s + 0.3, e - 0.3, [str('rpc.system', 'grpc'), str('rpc.service', 'orders.Orders'), str('rpc.method', 'Create'), str('app.item_id', `item-${i}`), int('rpc.grpc.status_code', 0)], 2);
    handle(orders, host, server, s + 0.3, e - 0.3, 2);
  }

  const requests: OtlpTraceRequest[] = [];
  for (const [name, entries] of spansByService) {
    const byHost = new Map<string, OtlpSpan[]>();
    for (const { host, span } of entries) {
      let list = byHost.get(host);
      if (!list) byHost.set(host, (list = []));
      list.push(span);
    }
    for (const [host, spans] of byHost) {
      for (let i = 0; i < spans.length; i += batchSize) {
        requests.push({
          resourceSpans: [
            {
              resource: {
                attributes: [
                  str('service.name', name),
                  str('service.version', '2.14.0'),
                  str('service.instance.id', `${name}-${host}`),
                  str('host.name', host),
                  str('deployment.environment', 'production'),
                  str('telemetry.sdk.language', 'go'),
                  str('telemetry.sdk.name', 'opentelemetry'),
                  str('telemetry.sdk.version', '1.38.0'),
                ],
                droppedAttributesCount: 0,
              },
              scopeSpans: [
                {
                  scope: { name: 'go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc', version: '0.63.0', attributes: [], droppedAttributesCount: 0 },
                  spans: spans.slice(i, i + batchSize),
                  schemaUrl: '',
                },
              ],
              schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
            },
          ],
        });
      }
    }
  }
  return { traceId, spanCount: made, requests, services: spansByService.size, maxDepth: deepest + 1 };
}
