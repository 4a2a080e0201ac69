import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ids, OtelServices, recordSpan } from './otel-services.js';

export const XSS_SPAN_NAME = '<img src=x onerror=alert(1)>';
export const XSS_ATTRIBUTE_VALUE = '<script>alert(2)</script>';

const frontend = { name: 'frontend', host: 'web-1' };
const checkout = { name: 'checkout', host: 'pay-1' };

export interface E2eTraces {
  /** frontend → checkout, 8 spans: nesting, events, an error, clock skew on pay-1, the XSS span. */
  checkout: {
    traceId: string;
    rootSpanId: string;
    cartSpanId: string;
    xssSpanId: string;
    placeOrderClientSpanId: string;
    dbSpanId: string;
    chargeSpanId: string;
    spanCount: number;
    /** Spans under the PlaceOrder client span, hidden when it is collapsed. */
    placeOrderDescendants: number;
  };
  /** frontend only, 2 spans, `customer.tier=silver`. */
  products: { traceId: string; spanCount: number };
}

/** Sends the e2e traces through the OTel JS SDK's protobuf exporter and waits for the acks. */
export async function sendE2eTraces(otlpHttpBase: string): Promise<E2eTraces> {
  const services = new OtelServices(otlpHttpBase);
  const web = services.tracer(frontend);
  const pay = services.tracer(checkout);
  const t0 = Date.now() - 2 * 60_000;

  const root = recordSpan(web, undefined, {
    name: 'GET /checkout',
    kind: SpanKind.SERVER,
    start: t0,
    end: t0 + 120,
    attributes: { 'http.method': 'GET', 'http.route': '/checkout', 'http.status_code': 200, 'customer.tier': 'gold', 'user.id': 'u-42' },
    events: [{ name: 'cache miss', at: t0 + 2, attributes: { 'cache.key': 'cart:42' } }],
  });
  const cart = recordSpan(web, root, {
    name: 'cart.load',
    kind: SpanKind.INTERNAL,
    start: t0 + 2,
    end: t0 + 20,
    attributes: { 'cart.items': 3 },
  });
  recordSpan(web, cart, {
    name: 'redis GET',
    kind: SpanKind.CLIENT,
    start: t0 + 3,
    end: t0 + 6.5,
    attributes: { 'db.system': 'redis', 'db.operation': 'GET', 'net.peer.name': 'redis' },
  });
  const xss = recordSpan(web, root, {
    name: XSS_SPAN_NAME,
    kind: SpanKind.INTERNAL,
    start: t0 + 21,
    end: t0 + 25,
    attributes: { comment: XSS_ATTRIBUTE_VALUE },
  });
  const placeOrder = recordSpan(web, root, {
    name: 'checkout.PlaceOrder',
    kind: SpanKind.CLIENT,
    start: t0 + 30,
    end: t0 + 110,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': 'checkout.Checkout', 'rpc.method': 'PlaceOrder', 'net.peer.name': 'checkout' },
  });
  // pay-1's clock runs 4 ms behind web-1's: the server span starts before its client span.
  const server = recordSpan(pay, placeOrder, {
    name: 'checkout.PlaceOrder',
    kind: SpanKind.SERVER,
    start: t0 + 26,
    end: t0 + 104,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': 'checkout.Checkout', 'rpc.method': 'PlaceOrder', 'rpc.grpc.status_code': 13 },
  });
  const db = recordSpan(pay, server, {
    name: 'db.query',
    kind: SpanKind.CLIENT,
    start: t0 + 30,
    end: t0 + 45,
    attributes: {
      'db.system': 'postgresql',
      'db.name': 'orders',
      'db.statement': 'SELECT id, total FROM orders WHERE customer_id = $1',
    },
  });
  const charge = recordSpan(pay, server, {
    name: 'payments.Charge',
    kind: SpanKind.CLIENT,
    start: t0 + 50,
    end: t0 + 95,
    attributes: { 'rpc.system': 'grpc', 'payment.amount_cents': 4999, 'payment.currency': 'EUR' },
    events: [
      {
        name: 'exception',
        at: t0 + 94,
        attributes: { 'exception.type': 'PaymentDeclined', 'exception.message': 'card declined by issuer' },
      },
    ],
    error: { code: SpanStatusCode.ERROR, message: 'card declined' },
  });

  const productsRoot = recordSpan(web, undefined, {
    name: 'GET /products',
    kind: SpanKind.SERVER,
    start: t0 - 3 * 60_000,
    end: t0 - 3 * 60_000 + 35,
    attributes: { 'http.method': 'GET', 'http.route': '/products', 'http.status_code': 200, 'customer.tier': 'silver' },
  });
  recordSpan(web, productsRoot, {
    name: 'catalog.list',
    kind: SpanKind.INTERNAL,
    start: t0 - 3 * 60_000 + 5,
    end: t0 - 3 * 60_000 + 30,
  });

  await services.flush();
  await services.shutdown();
  return {
    checkout: {
      traceId: ids(root).traceId,
      rootSpanId: ids(root).spanId,
      cartSpanId: ids(cart).spanId,
      xssSpanId: ids(xss).spanId,
      placeOrderClientSpanId: ids(placeOrder).spanId,
      dbSpanId: ids(db).spanId,
      chargeSpanId: ids(charge).spanId,
      spanCount: 8,
      placeOrderDescendants: 3,
    },
    products: { traceId: ids(productsRoot).traceId, spanCount: 2 },
  };
}

/**
 * A wide trace: one request making `calls` sequential RPCs to another service, each with its
 * server span (1 + 2 × calls spans). Its root row is where a non-virtualized or per-child
 * rendering would show: thousands of children, one row.
 */
export async function sendWideTrace(otlpHttpBase: string, calls: number): Promise<{ traceId: string; spanCount: number }> {
  const services = new OtelServices(otlpHttpBase);
  const web = services.tracer(frontend);
  const pay = services.tracer(checkout);
  const t0 = Date.now() - 60_000;
  const root = recordSpan(web, undefined, {
    name: 'POST /batch',
    kind: SpanKind.SERVER,
    start: t0,
    end: t0 + calls * 2 + 5,
    attributes: { 'http.method': 'POST', 'http.route': '/batch', 'batch.size': calls },
  });
  for (let i = 0; i < calls; i++) {
    const at = t0 + 2 + i * 2;
    const client = recordSpan(web, root, { name: 'checkout.Price', kind: SpanKind.CLIENT, start: at, end: at + 1.5, attributes: { 'rpc.system': 'grpc', 'item.index': i } });
    recordSpan(pay, client, { name: 'checkout.Price', kind: SpanKind.SERVER, start: at + 0.2, end: at + 1.3, attributes: { 'rpc.system': 'grpc' } });
  }
  await services.flush();
  await services.shutdown();
  return { traceId: ids(root).traceId, spanCount: 1 + 2 * calls };
}
