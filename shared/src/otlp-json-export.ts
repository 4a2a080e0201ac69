/**
 * Spans → an OTLP/JSON `ExportTraceServiceRequest` (`{"resourceSpans":[…]}`), grouped
 * by resource and then by instrumentation scope, per the OTLP JSON mapping: hex
 * IDs, nanoseconds as decimal strings, kind and status code as integers. Any
 * OTLP/HTTP receiver (Threadline's own included) accepts the result.
 */
import type { AnyValue, InstrumentationScope, KeyValue, Resource, Span } from './span-model.js';

export interface OtlpJsonExport {
  resourceSpans: Array<{
    resource: Resource;
    scopeSpans: Array<{ scope: InstrumentationScope; spans: OtlpJsonSpan[] }>;
  }>;
}

/** A span without Threadline's convenience `serviceName` (it lives in the resource). */
export type OtlpJsonSpan = Omit<Span, 'serviceName' | 'resource' | 'scope'>;

/** Order-independent identity of a value, so equal resources from different spans group together. */
function canonical(value: AnyValue | KeyValue[] | Resource | InstrumentationScope): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (Array.isArray(v) && v.every((kv) => typeof kv === 'object' && kv !== null && 'key' in kv)) {
      return [...(v as KeyValue[])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return v;
  });
}

function toOtlpSpan(span: Span): OtlpJsonSpan {
  const { serviceName: _service, resource: _resource, scope: _scope, ...rest } = span;
  return rest;
}

export function toOtlpJson(spans: readonly Span[]): OtlpJsonExport {
  const resources = new Map<string, { resource: Resource; scopes: Map<string, { scope: InstrumentationScope; spans: OtlpJsonSpan[] }> }>();
  for (const span of spans) {
    const resourceKey = canonical(span.resource);
    let resourceGroup = resources.get(resourceKey);
    if (!resourceGroup) resources.set(resourceKey, (resourceGroup = { resource: span.resource, scopes: new Map() }));
    const scopeKey = canonical(span.scope);
    let scopeGroup = resourceGroup.scopes.get(scopeKey);
    if (!scopeGroup) resourceGroup.scopes.set(scopeKey, (scopeGroup = { scope: span.scope, spans: [] }));
    scopeGroup.spans.push(toOtlpSpan(span));
  }
  return {
    resourceSpans: [...resources.values()].map(({ resource, scopes }) => ({
      resource,
      scopeSpans: [...scopes.values()].map(({ scope, spans: scoped }) => ({ scope, spans: scoped })),
    })),
  };
}
