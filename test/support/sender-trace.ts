import { expect } from 'vitest';
import { findAttribute, type Span } from '@threadline/shared';
import type { V1TraceResponse } from '../../server/src/query/v1-api/v1-types.js';
import { waitFor } from './go-demo.js';
import { getJson } from './in-process-server.js';

/**
 * The trace the interop senders (Go `otlp-export`, Python `send_trace.py`) record:
 * GET /checkout (server) → step-0..N-1, each with a `step` attribute and a "work done"
 * event, under a resource with service.name and host.name=interop.
 */
export interface SenderTrace {
  traceId: string;
  service: string;
  children: number;
}

/** The trace from the v1 API once all its spans are in. */
export async function waitForSenderTrace(http: string, t: SenderTrace): Promise<Span[]> {
  return waitFor(`trace ${t.traceId} with ${t.children + 1} spans`, 30_000, async () => {
    const { status, body } = await getJson<V1TraceResponse>(`${http}/api/v1/traces/${t.traceId}`);
    return status === 200 && body.spans.length === t.children + 1 ? body.spans : undefined;
  });
}

/** Every span, attribute, event and resource attribute the sender recorded arrived as recorded. */
export function expectWholeSenderTrace(spans: readonly Span[], t: SenderTrace): void {
  const value = (attrs: Span['attributes'], key: string) => findAttribute(attrs, key);
  const root = spans.find((s) => s.parentSpanId === '');
  expect(root, 'root span').toBeDefined();
  expect(root).toMatchObject({ traceId: t.traceId, name: 'GET /checkout', kind: 2, serviceName: t.service });
  expect(value(root!.attributes, 'http.request.method')).toEqual({ stringValue: 'GET' });
  expect(value(root!.attributes, 'http.response.status_code')).toEqual({ intValue: '200' });
  const children = spans.filter((s) => s !== root).sort((a, b) => a.name.localeCompare(b.name));
  expect(children.map((s) => s.name)).toEqual(Array.from({ length: t.children }, (_, i) => `step-${i}`));
  children.forEach((c, i) => {
    expect(c.parentSpanId).toBe(root!.spanId);
    expect(c.kind).toBe(1);
    expect(value(c.attributes, 'step')).toEqual({ intValue: String(i) });
    expect(c.events.map((e) => [e.name, e.attributes])).toEqual([['work done', [{ key: 'cached', value: { boolValue: i % 2 === 0 } }]]]);
    expect(BigInt(c.startTimeUnixNano) >= BigInt(root!.startTimeUnixNano)).toBe(true);
    expect(BigInt(c.endTimeUnixNano) <= BigInt(root!.endTimeUnixNano)).toBe(true);
  });
  for (const s of spans) {
    expect(s.scope.name).toBe('threadline/interop');
    expect(value(s.resource.attributes, 'service.name')).toEqual({ stringValue: t.service });
    expect(value(s.resource.attributes, 'host.name')).toEqual({ stringValue: 'interop' });
  }
}
