/**
 * The compact trace formats end to end in-process: the server's encoder (as the query API
 * streams it, in pages) read by the UI's decoder (as the trace loader reads it, in pieces).
 * compact-3 must give the UI exactly the spans compact-2 gives, which are the spans stored.
 */
import { describe, expect, it } from 'vitest';
import type { Span } from '@threadline/shared';
import { compactTraceChunks } from '../../server/src/query/v1-api/compact-trace.js';
import { parseExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-decoder.js';
import { encodeExportTraceRequestProto } from '../../server/src/receivers/otlp/otlp-proto-encoder.js';
import { toSpans } from '../../server/src/receivers/otlp/otlp-to-spans.js';
import { generateTrace } from '../bench-ui/trace-generator.js';

/**
 * The UI's modules use the bundler's extensionless imports, which this project's Node
 * typecheck cannot follow: the decoder is loaded at run time (vite resolves it) and typed here.
 */
const UI_DECODER = '../../ui/src/api/compact-trace-lines';
const { CompactTraceLineDecoder } = (await import(UI_DECODER)) as {
  CompactTraceLineDecoder: new () => { push(text: string): void; end(): { spans: Span[] } };
};

function decodeInPieces(text: string, piece: number): Span[] {
  const decoder = new CompactTraceLineDecoder();
  for (let at = 0; at < text.length; at += piece) decoder.push(text.slice(at, at + piece));
  return decoder.end().spans;
}

describe('compact trace, server encoder to UI decoder', () => {
  it('compact-3 gives the UI the same spans as compact-2 in a third of the text, for a generated 3,000-span trace', () => {
    const trace = generateTrace(3_000);
    const spans = trace.requests.flatMap((request) => toSpans(parseExportTraceRequestProto(new Uint8Array(encodeExportTraceRequestProto(request)))).spans);
    expect(spans).toHaveLength(3_000);
    const v2 = [...compactTraceChunks(trace.traceId, spans, 256)].join('');
    const v3 = [...compactTraceChunks(trace.traceId, spans, 256, 'compact-3')].join('');
    const fromV2 = decodeInPieces(v2, 4096);
    const fromV3 = decodeInPieces(v3, 1000);
    expect(fromV3).toEqual(fromV2);
    expect(JSON.parse(JSON.stringify(fromV3))).toEqual(JSON.parse(JSON.stringify(spans)));
    expect(v3.length).toBeLessThan(v2.length / 2);
    // Equal attributes are one object in the UI (the table's entry).
    const rpcSystem = fromV3.flatMap((s) => s.attributes).filter((a) => a.key === 'rpc.system');
    expect(rpcSystem.length).toBeGreaterThan(100);
    expect(new Set(rpcSystem).size).toBeLessThan(5);
  });
});
