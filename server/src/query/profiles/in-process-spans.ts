import type { Span } from '@threadline/shared';
import { SpanKind } from '@threadline/shared';

export interface InProcessSpans {
  /** The span and its descendants in the same process (same service, not across a remote call). */
  spanIds: string[];
  /**
   * The span whose pprof labels cover the selected one: the nearest ancestor-or-self that is
   * a local root or server span (clients/go/profiling labels only those).
   */
  labeledSpanId: string;
}

/** Which spans' CPU samples belong to `spanId` (in-process children included). */
export function buildInProcessSpans(spans: readonly Span[], spanId: string): InProcessSpans | undefined {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const self = byId.get(spanId);
  if (self === undefined) return undefined;
  const children = new Map<string, Span[]>();
  for (const s of spans) {
    const list = children.get(s.parentSpanId);
    if (list) list.push(s);
    else children.set(s.parentSpanId, [s]);
  }
  const spanIds: string[] = [];
  const stack = [self];
  while (stack.length > 0) {
    const span = stack.pop()!;
    spanIds.push(span.spanId);
    for (const child of children.get(span.spanId) ?? []) {
      // A server span in the same service is another request (a call to itself): its own labels.
      if (child.serviceName === self.serviceName && child.kind !== SpanKind.SERVER) stack.push(child);
    }
  }
  let labeled = self;
  for (;;) {
    const parent = byId.get(labeled.parentSpanId);
    if (labeled.kind === SpanKind.SERVER || parent === undefined || parent.serviceName !== labeled.serviceName) break;
    labeled = parent;
  }
  return { spanIds, labeledSpanId: labeled.spanId };
}
