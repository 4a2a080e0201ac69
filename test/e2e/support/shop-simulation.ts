/**
 * A small web shop's traffic over the last 40 minutes, reported through the OTel JS SDK
 * (protobuf exporter) as seven services on their own hosts would: storefront requests
 * fanning out over gRPC to cart, catalog, checkout, payments, inventory and shipping, with
 * database and cache calls, events, slow outliers and errors. The payments host's clock
 * runs 6 ms behind, so its server spans start before the client spans that called them.
 * Used for the README screenshots; deterministic for a seed apart from the wall clock.
 */
import { SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { ids, OtelServices, recordSpan, type ServiceIdentity } from './otel-services.js';
import { seededRandom } from '../../../server/src/test-support/seeded-random.js';

const HOSTS: Record<string, ServiceIdentity & { clockSkewMs: number }> = {
  storefront: { name: 'storefront', host: 'web-1', version: '3.8.1', clockSkewMs: 0 },
  cart: { name: 'cart', host: 'cart-1', version: '1.12.0', clockSkewMs: 0 },
  catalog: { name: 'catalog', host: 'cat-1', version: '2.4.3', clockSkewMs: 0 },
  checkout: { name: 'checkout', host: 'chk-1', version: '1.30.2', clockSkewMs: 0 },
  payments: { name: 'payments', host: 'pay-1', version: '0.19.0', clockSkewMs: -6 },
  inventory: { name: 'inventory', host: 'inv-1', version: '1.7.5', clockSkewMs: 0 },
  shipping: { name: 'shipping', host: 'ship-1', version: '1.2.0', clockSkewMs: 0 },
};

/** One span to record: times in ms from the request start (true time), children inside. */
interface Call {
  service: string;
  name: string;
  kind: SpanKind;
  at: number;
  ms: number;
  attributes?: Attributes;
  events?: Array<{ name: string; at: number; attributes?: Attributes }>;
  error?: string;
  children?: Call[];
}

/** A gRPC call: the client span in the caller, the server span in the callee. */
function rpc(caller: string, callee: string, method: string, at: number, ms: number, work: Call[] = [], error?: string): Call {
  const [service, name] = method.split('/') as [string, string];
  const attributes = { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': name, 'net.peer.name': callee, 'net.peer.port': 50051 };
  const server: Call = {
    service: callee,
    name: `${service}/${name}`,
    kind: SpanKind.SERVER,
    at: at + 0.4,
    ms: ms - 0.8,
    attributes: { ...attributes, 'rpc.grpc.status_code': error ? 13 : 0 },
    children: work,
    ...(error ? { error } : {}),
  };
  return {
    service: caller,
    name: `${service}/${name}`,
    kind: SpanKind.CLIENT,
    at,
    ms,
    attributes,
    events: [
      { name: 'message', at: at + 0.05, attributes: { 'message.type': 'SENT', 'message.id': 1 } },
      { name: 'message', at: at + ms - 0.05, attributes: { 'message.type': 'RECEIVED', 'message.id': 1 } },
    ],
    children: [server],
    ...(error ? { error } : {}),
  };
}

function sql(service: string, at: number, ms: number, statement: string, table: string): Call {
  const operation = statement.split(' ')[0]!;
  return {
    service,
    name: `${operation} ${table}`,
    kind: SpanKind.CLIENT,
    at,
    ms,
    attributes: { 'db.system': 'postgresql', 'db.name': service, 'db.operation': operation, 'db.sql.table': table, 'db.statement': statement, 'net.peer.name': 'pg-primary' },
  };
}

function redis(service: string, at: number, ms: number, command: string, key: string): Call {
  return { service, name: `redis ${command}`, kind: SpanKind.CLIENT, at, ms, attributes: { 'db.system': 'redis', 'db.operation': command, 'db.redis.key': key, 'net.peer.name': 'redis' } };
}

function http(route: string, method: string, ms: number, status: number, children: Call[], extra: Attributes = {}): Call {
  return {
    service: 'storefront',
    name: `${method} ${route}`,
    kind: SpanKind.SERVER,
    at: 0,
    ms,
    attributes: { 'http.method': method, 'http.route': route, 'http.status_code': status, 'http.user_agent': 'Mozilla/5.0 (X11; Linux x86_64)', ...extra },
    children,
    ...(status >= 500 ? { error: `HTTP ${status}` } : {}),
  };
}

type Route = (r: () => number, slow: number, fail: boolean) => Call;

const checkoutRoute: Route = (r, slow, fail) => {
  const t = (ms: number) => ms * (0.8 + r() * 0.5);
  const cart = t(9);
  const quote = t(14) * slow;
  const charge = t(38) * (fail ? 2.5 : 1);
  const reserve = t(11);
  const total = 6 + cart + quote + charge + reserve + 18;
  let at = 4;
  const cartCall = rpc('storefront', 'cart', 'cart.Cart/GetCart', at, cart, [redis('cart', at + 1, cart * 0.4, 'HGETALL', 'cart:7f3a')]);
  at += cart + 1;
  const place = rpc('storefront', 'checkout', 'checkout.Checkout/PlaceOrder', at, total - at - 3, [
    rpc('checkout', 'shipping', 'shipping.Shipping/Quote', at + 2, quote, [sql('shipping', at + 3, quote * 0.6, 'SELECT rate, days FROM carrier_rates WHERE zone = $1', 'carrier_rates')]),
    rpc('checkout', 'inventory', 'inventory.Inventory/Reserve', at + quote + 3, reserve, [
      sql('inventory', at + quote + 4, reserve * 0.35, 'SELECT qty FROM stock WHERE sku = ANY($1) FOR UPDATE', 'stock'),
      sql('inventory', at + quote + 4.5 + reserve * 0.35, reserve * 0.4, 'UPDATE stock SET qty = qty - $2 WHERE sku = $1', 'stock'),
    ]),
    rpc(
      'checkout',
      'payments',
      'payments.Payments/Charge',
      at + quote + reserve + 4,
      charge,
      [
        {
          service: 'payments',
          name: 'fraud.Score',
          kind: SpanKind.INTERNAL,
          at: at + quote + reserve + 5,
          ms: charge * 0.25,
          attributes: { 'fraud.model': 'gbm-2024-06', 'fraud.score': Math.round(r() * 100) / 100 },
        },
        {
          service: 'payments',
          name: 'POST api.psp.example/v1/charges',
          kind: SpanKind.CLIENT,
          at: at + quote + reserve + 6 + charge * 0.25,
          ms: charge * 0.6,
          attributes: { 'http.method': 'POST', 'http.url': 'https://api.psp.example/v1/charges', 'http.status_code': fail ? 402 : 201, 'payment.amount_cents': 2000 + Math.floor(r() * 20_000), 'payment.currency': 'EUR' },
          ...(fail
            ? {
                error: 'card declined',
                events: [{ name: 'exception', at: at + quote + reserve + 6 + charge * 0.85, attributes: { 'exception.type': 'psp.CardDeclined', 'exception.message': 'card declined: insufficient_funds' } }],
              }
            : {}),
        },
      ],
      fail ? 'payment failed: card declined' : undefined,
    ),
    sql('checkout', total - 14, 6, 'INSERT INTO orders (id, customer_id, total_cents) VALUES ($1, $2, $3)', 'orders'),
  ], fail ? 'PlaceOrder: payment failed' : undefined);
  return http('/checkout', 'POST', total, fail ? 502 : 200, [cartCall, place], { 'customer.tier': r() < 0.3 ? 'gold' : 'standard', 'enduser.id': `u-${1000 + Math.floor(r() * 9000)}` });
};

const productsRoute: Route = (r, slow) => {
  const t = (ms: number) => ms * (0.8 + r() * 0.5);
  const list = t(12) * slow;
  const recs = t(8);
  const total = 3 + list + recs + 6;
  return http('/products', 'GET', total, 200, [
    redis('storefront', 1, 0.8, 'GET', 'page:/products'),
    rpc('storefront', 'catalog', 'catalog.Catalog/ListProducts', 2.5, list, [
      sql('catalog', 3.5, list * 0.55, 'SELECT id, name, price_cents FROM products WHERE category = $1 ORDER BY rank LIMIT 48', 'products'),
      { service: 'catalog', name: 'render facets', kind: SpanKind.INTERNAL, at: 4 + list * 0.6, ms: list * 0.25 },
    ]),
    rpc('storefront', 'catalog', 'catalog.Catalog/Recommend', 3 + list, recs, [redis('catalog', 3.6 + list, recs * 0.3, 'ZRANGE', 'recs:u')]),
  ]);
};

const cartRoute: Route = (r, slow) => {
  const ms = (6 + r() * 5) * slow;
  return http('/cart', 'GET', ms + 4, 200, [rpc('storefront', 'cart', 'cart.Cart/GetCart', 2, ms, [redis('cart', 2.8, ms * 0.4, 'HGETALL', 'cart:7f3a')])]);
};

const ROUTES: Array<[Route, number]> = [
  [productsRoute, 0.45],
  [cartRoute, 0.25],
  [checkoutRoute, 0.3],
];

export interface ShopTraffic {
  /** A successful checkout: the richest trace, for the waterfall screenshot. */
  checkoutTraceId: string;
  /** Span IDs in it worth selecting. */
  spans: { placeOrder: string; chargeServer: string; insertOrder: string; reserveStock: string };
  /** A checkout whose payment failed, and its failed call to the payment provider. */
  failedCheckoutTraceId: string;
  failedChargeSpanId: string;
  traceCount: number;
}

export interface ShopTrafficOptions {
  count?: number;
  seed?: number;
  /** Where the 38 minutes of traffic begin, before now (default 40 minutes ago). */
  startMsAgo?: number;
  /** Slow outliers and failed payments (default true); without, the shop on a good day. */
  trouble?: boolean;
}

/** Records `count` requests spread over 38 minutes (the last 40 by default) and sends them; resolves after the acks. */
export async function sendShopTraffic(otlpHttpBase: string, options: ShopTrafficOptions = {}): Promise<ShopTraffic> {
  const { count = 60, seed = 7, startMsAgo = 40 * 60_000, trouble = true } = options;
  const r = seededRandom(seed);
  const services = new OtelServices(otlpHttpBase);
  const now = Date.now();
  let checkoutTraceId = '';
  let failedCheckoutTraceId = '';
  let failedChargeSpanId = '';
  const spans = { placeOrder: '', chargeServer: '', insertOrder: '', reserveStock: '' };

  /** Records a call tree; `found` gets each span ID by "kind name", first one wins. */
  const emit = (call: Call, parent: Span | undefined, t0: number, found: Map<string, string>): Span => {
    const identity = HOSTS[call.service]!;
    const skew = identity.clockSkewMs;
    const span = recordSpan(services.tracer(identity), parent, {
      name: call.name,
      kind: call.kind,
      start: t0 + call.at + skew,
      end: t0 + call.at + call.ms + skew,
      ...(call.attributes ? { attributes: call.attributes } : {}),
      events: (call.events ?? []).map((e) => ({ ...e, at: t0 + e.at + skew })),
      ...(call.error ? { error: { code: SpanStatusCode.ERROR, message: call.error } } : {}),
    });
    const key = `${call.kind} ${call.name}`;
    if (!found.has(key)) found.set(key, ids(span).spanId);
    for (const child of call.children ?? []) emit(child, span, t0, found);
    return span;
  };

  for (let i = 0; i < count; i++) {
    const t0 = now - startMsAgo + (i + r() * 0.8) * ((38 * 60_000) / count);
    let pick = r();
    const route = ROUTES.find(([, weight]) => (pick -= weight) < 0)?.[0] ?? productsRoute;
    const outlier = r() < 0.1;
    const slow = outlier && trouble ? 4 + r() * 6 : 1;
    // One checkout near the end is the showcase: successful, normal speed.
    const showcase = i === count - 3;
    const fail = !showcase && route === checkoutRoute && r() < 0.3 && trouble;
    const found = new Map<string, string>();
    const root = emit(showcase ? checkoutRoute(r, 1, false) : route(r, slow, fail), undefined, t0, found);
    if (showcase) {
      checkoutTraceId = ids(root).traceId;
      spans.placeOrder = found.get(`${SpanKind.CLIENT} checkout.Checkout/PlaceOrder`)!;
      spans.chargeServer = found.get(`${SpanKind.SERVER} payments.Payments/Charge`)!;
      spans.insertOrder = found.get(`${SpanKind.CLIENT} INSERT orders`)!;
      spans.reserveStock = found.get(`${SpanKind.SERVER} inventory.Inventory/Reserve`)!;
    } else if (fail) {
      failedCheckoutTraceId = ids(root).traceId;
      failedChargeSpanId = found.get(`${SpanKind.CLIENT} POST api.psp.example/v1/charges`)!;
    }
  }
  await services.flush();
  await services.shutdown();
  return { checkoutTraceId, spans, failedCheckoutTraceId, failedChargeSpanId, traceCount: count };
}
