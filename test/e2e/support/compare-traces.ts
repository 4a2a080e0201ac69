import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ids, OtelServices, recordSpan } from './otel-services.js';

export interface CompareTraces {
  /** web GET /cart → cart.Load → two db queries. */
  a: string;
  /** The same request a minute later: cart.Load slower with one db query, and a failing payments call only B makes. */
  b: string;
}

/** Two versions of one request, for trace compare and the dependency graph (web → cart → db, web → payments). */
export async function sendCompareTraces(otlpHttpBase: string): Promise<CompareTraces> {
  const services = new OtelServices(otlpHttpBase);
  const web = services.tracer({ name: 'web', host: 'web-2' });
  const cart = services.tracer({ name: 'cart', host: 'cart-1' });
  const db = services.tracer({ name: 'db', host: 'db-1' });
  const payments = services.tracer({ name: 'payments', host: 'pay-2' });
  const t0 = Date.now() - 5 * 60_000;

  const rootA = recordSpan(web, undefined, { name: 'GET /cart', kind: SpanKind.SERVER, start: t0, end: t0 + 50 });
  const loadA = recordSpan(cart, rootA, { name: 'cart.Load', kind: SpanKind.SERVER, start: t0 + 5, end: t0 + 40 });
  recordSpan(db, loadA, { name: 'SELECT items', kind: SpanKind.SERVER, start: t0 + 10, end: t0 + 20 });
  recordSpan(db, loadA, { name: 'SELECT items', kind: SpanKind.SERVER, start: t0 + 22, end: t0 + 32 });

  const t1 = t0 + 60_000;
  const rootB = recordSpan(web, undefined, { name: 'GET /cart', kind: SpanKind.SERVER, start: t1, end: t1 + 250 });
  const loadB = recordSpan(cart, rootB, { name: 'cart.Load', kind: SpanKind.SERVER, start: t1 + 5, end: t1 + 140 });
  recordSpan(db, loadB, { name: 'SELECT items', kind: SpanKind.SERVER, start: t1 + 10, end: t1 + 130 });
  recordSpan(payments, rootB, {
    name: 'payments.Check',
    kind: SpanKind.SERVER,
    start: t1 + 150,
    end: t1 + 240,
    error: { code: SpanStatusCode.ERROR, message: 'limit exceeded' },
  });

  await services.flush();
  await services.shutdown();
  return { a: ids(rootA).traceId, b: ids(rootB).traceId };
}
