import { describe, expect, it } from 'vitest';
import { stringAttr } from '@threadline/shared';
import { rawProtoOf } from '../../receivers/otlp/otlp-raw.js';
import { encodeSpanChunk, parseSpanChunk } from './span-chunk-codec.js';
import { spanIdOf, testSpan } from './test-spans.js';

describe('parseSpanChunk', () => {
  const chunk = encodeSpanChunk([1, 2, 3].map((i) => testSpan({ spanId: spanIdOf(i), attributes: [stringAttr('i', String(i))] })));

  it('gives spans to be stored again their protobuf bytes, which re-encode to the same chunk', () => {
    const spans = parseSpanChunk(chunk);
    expect(spans.every((s) => rawProtoOf(s) !== undefined)).toBe(true);
    expect([...encodeSpanChunk(spans)]).toEqual([...chunk]);
  });

  it('gives spans only read the same fields and no bytes', () => {
    const read = parseSpanChunk(chunk, false);
    expect(read.every((s) => rawProtoOf(s) === undefined)).toBe(true);
    expect(read).toEqual(parseSpanChunk(chunk));
  });
});
