import { describe, expect, it } from 'vitest';
import { parseTraceFile, TraceFileError } from './trace-file';
import { toOtlpJson } from '@threadline/shared';
import { makeSpan } from './fixtures/make-span';

const spans = [makeSpan({ id: 'root', start: 0, end: 1 }), makeSpan({ id: 'kid', parent: 'root', start: 0.2, end: 0.5 })];

describe('parseTraceFile', () => {
  it('detects OTLP JSON', () => {
    const file = parseTraceFile(JSON.stringify(toOtlpJson(spans)));
    expect(file.format).toBe('otlp');
    expect(file.traces).toHaveLength(1);
    expect(file.traces[0]!.spans).toHaveLength(2);
  });

  it('detects Jaeger JSON', () => {
    const jaeger = { data: [{ traceID: 'abc', spans: [{ spanID: '1', operationName: 'x', startTime: 1, duration: 1, processID: 'p' }], processes: { p: { serviceName: 's' } } }] };
    expect(parseTraceFile(JSON.stringify(jaeger)).format).toBe('jaeger');
  });

  it('accepts a saved /api/v1/traces response', () => {
    expect(parseTraceFile(JSON.stringify({ traceId: spans[0]!.traceId, spans })).format).toBe('threadline');
  });

  it('splits a file holding several traces', () => {
    const other = { ...makeSpan({ id: 'x', start: 0, end: 1 }), traceId: 'f'.repeat(32) };
    expect(parseTraceFile(JSON.stringify(toOtlpJson([...spans, other]))).traces.map((t) => t.spans.length)).toEqual([2, 1]);
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown shape', '{"hello":1}'],
    ['no spans', '{"resourceSpans":[]}'],
    ['a malformed span', '{"resourceSpans":[{"scopeSpans":[{"spans":[{"spanId":7}]}]}]}'],
  ])('rejects %s with a TraceFileError', (_name, text) => {
    expect(() => parseTraceFile(text)).toThrow(TraceFileError);
  });
});
