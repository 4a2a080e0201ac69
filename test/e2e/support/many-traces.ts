/** Many one-span traces through the OTel JS SDK's protobuf exporter, for the search result list's browser test and benchmark. */
import { SpanKind } from '@opentelemetry/api';
import { ids, OtelServices, recordSpan } from './otel-services.js';

/** The search's largest `limit`. */
export const MANY_TRACES = 1500;

export interface SentTrace {
  traceId: string;
  durationMs: number;
}

/** 1,500 one-span traces of `bulk` over the last 25 minutes, each with its own duration. */
export async function sendManyTraces(otlpHttpBase: string): Promise<SentTrace[]> {
  const services = new OtelServices(otlpHttpBase);
  const tracer = services.tracer({ name: 'bulk', host: 'bulk-1' });
  const now = Math.floor(Date.now());
  const sent: SentTrace[] = [];
  for (let i = 0; i < MANY_TRACES; i++) {
    // Start order and duration order differ, so each sort gives its own first and last card.
    const durationMs = 1 + ((i * 7919) % MANY_TRACES);
    const start = now - 25 * 60_000 + i * 1_000;
    sent.push({ traceId: ids(recordSpan(tracer, undefined, { name: 'GET /item', kind: SpanKind.SERVER, start, end: start + durationMs })).traceId, durationMs });
  }
  await services.flush();
  await services.shutdown();
  return sent;
}

/** The search page's scrolling results column, found the way a DOM inspector would walk to it. */
export const RESULTS_COLUMN = `document.querySelector('tl-app').shadowRoot.querySelector('tl-search-page').shadowRoot.querySelector('section.results')`;
