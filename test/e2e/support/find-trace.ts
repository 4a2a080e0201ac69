import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ids, OtelServices, recordSpan } from './otel-services.js';

export const DEADLOCK = 'ERROR: deadlock detected';
export const CARD_EXPIRED = 'card expired';

export interface FindTrace {
  traceId: string;
  rootSpanId: string;
  placeSpanId: string;
  /** The three spans whose status message is DEADLOCK, in row order. */
  deadlockSpanIds: string[];
  /** The one span with an event attribute `lock.table=inventory_items`. */
  retrySpanId: string;
  /** frontend's failed payment call (status message CARD_EXPIRED), the last row. */
  paymentSpanId: string;
  /** Spans of the orders service, the only ones with resource `host.name=orders-db-9`. */
  ordersSpanCount: number;
  spanCount: number;
}

/**
 * A trace whose interesting facts live outside span names and span attributes: status
 * messages, an event attribute and a resource attribute (rows: root, orders.Place, commit,
 * retry, commit, commit, payments.Authorize).
 */
export async function sendFindTrace(otlpHttpBase: string): Promise<FindTrace> {
  const services = new OtelServices(otlpHttpBase);
  const web = services.tracer({ name: 'frontend', host: 'web-1' });
  const orders = services.tracer({ name: 'orders', host: 'orders-db-9' });
  const t0 = Date.now() - 90_000;
  const deadlock = { code: SpanStatusCode.ERROR, message: DEADLOCK } as const;

  const root = recordSpan(web, undefined, { name: 'POST /orders', kind: SpanKind.SERVER, start: t0, end: t0 + 200 });
  const place = recordSpan(orders, root, { name: 'orders.Place', kind: SpanKind.SERVER, start: t0 + 5, end: t0 + 150 });
  const commit1 = recordSpan(orders, place, { name: 'tx.commit', kind: SpanKind.CLIENT, start: t0 + 10, end: t0 + 20, error: deadlock });
  const retry = recordSpan(orders, place, {
    name: 'tx.retry',
    kind: SpanKind.INTERNAL,
    start: t0 + 25,
    end: t0 + 40,
    events: [{ name: 'lock wait', at: t0 + 30, attributes: { 'lock.table': 'inventory_items' } }],
  });
  const commit2 = recordSpan(orders, place, { name: 'tx.commit', kind: SpanKind.CLIENT, start: t0 + 45, end: t0 + 60, error: deadlock });
  const commit3 = recordSpan(orders, place, { name: 'tx.commit', kind: SpanKind.CLIENT, start: t0 + 65, end: t0 + 140, error: deadlock });
  const payment = recordSpan(web, root, {
    name: 'payments.Authorize',
    kind: SpanKind.CLIENT,
    start: t0 + 160,
    end: t0 + 190,
    error: { code: SpanStatusCode.ERROR, message: CARD_EXPIRED },
  });

  await services.flush();
  await services.shutdown();
  return {
    traceId: ids(root).traceId,
    rootSpanId: ids(root).spanId,
    placeSpanId: ids(place).spanId,
    deadlockSpanIds: [commit1, commit2, commit3].map((s) => ids(s).spanId),
    retrySpanId: ids(retry).spanId,
    paymentSpanId: ids(payment).spanId,
    ordersSpanCount: 5,
    spanCount: 7,
  };
}
