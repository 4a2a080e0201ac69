/** A trace from the server, fetched and built into what its pages show. */
import { SpanTreeBuilder } from '../model/span-tree';
import { buildTraceView, type TraceView } from '../model/trace-view';
import { fetchTrace } from './fetch-trace';

/** The tree's nodes are made while the rest of the trace is on its way (SpanTreeBuilder). */
export async function loadTraceView(traceId: string, signal?: AbortSignal): Promise<TraceView> {
  let tree = new SpanTreeBuilder();
  const trace = await fetchTrace(traceId, signal, (batch, offsets) => tree.add(batch, offsets), () => (tree = new SpanTreeBuilder()));
  return buildTraceView(trace.traceId, trace.spans, tree.finish());
}
