/**
 * A trace file a user opens in the browser: OTLP JSON, Jaeger JSON, or a saved
 * `/api/v1/traces/{id}` response. Nothing is uploaded or stored; the spans live
 * in the tab until it closes.
 */
import type { Span } from '@threadline/shared';
import { JsonShapeError, isObject } from './json-guards';
import { parseOtlpJson } from './otlp-json-import';
import { parseJaegerJson } from './jaeger-json-import';
import { parseSpanJson } from './span-json';

export type TraceFileFormat = 'otlp' | 'jaeger' | 'threadline';

export interface FileTrace {
  readonly traceId: string;
  readonly spans: readonly Span[];
}

export interface TraceFile {
  readonly format: TraceFileFormat;
  /** One entry per trace ID, in order of first appearance. */
  readonly traces: readonly FileTrace[];
}

export class TraceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceFileError';
  }
}

function groupByTrace(spans: readonly Span[]): FileTrace[] {
  const groups = new Map<string, Span[]>();
  for (const span of spans) {
    let list = groups.get(span.traceId);
    if (!list) groups.set(span.traceId, (list = []));
    list.push(span);
  }
  return [...groups].map(([traceId, list]) => ({ traceId, spans: list }));
}

function decode(doc: unknown): { format: TraceFileFormat; spans: Span[] } {
  if (isObject(doc) && Array.isArray(doc.resourceSpans)) return { format: 'otlp', spans: parseOtlpJson(doc) };
  if (isObject(doc) && Array.isArray(doc.data)) return { format: 'jaeger', spans: parseJaegerJson(doc) };
  if (isObject(doc) && Array.isArray(doc.spans)) {
    return { format: 'threadline', spans: doc.spans.map((s, i) => parseSpanJson(s, `$.spans[${i}]`)) };
  }
  throw new TraceFileError('Not a trace file: expected OTLP JSON {"resourceSpans":[…]} or Jaeger JSON {"data":[…]}.');
}

export function parseTraceFile(text: string): TraceFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(`Not valid JSON: ${(error as Error).message}`);
  }
  let decoded: { format: TraceFileFormat; spans: Span[] };
  try {
    decoded = decode(doc);
  } catch (error) {
    if (error instanceof JsonShapeError) throw new TraceFileError(`Malformed trace file at ${error.message}`);
    throw error;
  }
  if (decoded.spans.length === 0) throw new TraceFileError('The file holds no spans.');
  return { format: decoded.format, traces: groupByTrace(decoded.spans) };
}
