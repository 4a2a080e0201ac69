/**
 * Decodes a compact trace response as its text arrives. The server writes the header, each
 * page of spans, and the trailer on lines of their own (JSON strings cannot hold a raw
 * newline, so a newline only ever ends one of those), which lets each page be parsed and
 * decoded while the next is still being read from the store and sent.
 */
import { CompactTraceDecoder, finishSpans, parseCompactTraceResponse, wholeDocumentDecoder, type CompactTrailer } from './decode-compact-trace';
import type { PackedSpans } from './span-packing';
import type { TraceResponse } from './wire-types';
import type { Span } from '@threadline/shared';
import type { SpanOffsets } from '../model/span-offsets';

const HEADER_END = '"spans":[';

export class CompactTraceLineDecoder {
  /**
   * The text after the last newline, in the pieces it came in: a line may be megabytes long,
   * and appending every piece to one string and searching it all again would copy it over
   * and over (quadratic); only each new piece is searched.
   */
  private pending: string[] = [];
  /** The whole text, once it turned out not to be laid out in lines. */
  private buffer = '';
  private decoder: CompactTraceDecoder | undefined;
  private trailer: unknown;
  /** Set when the text is not laid out in lines as expected: it is then decoded whole at the end. */
  private whole = false;

  /** `output`: spans packed as they are decoded (takeSpans, endParts), or made as objects (objectsSoFar, end). */
  constructor(private readonly output: 'packed' | 'objects' = 'packed') {}

  push(text: string): void {
    if (this.whole) {
      this.buffer += text;
      return;
    }
    let from = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', from)) {
      this.pending.push(text.slice(from, newline));
      from = newline + 1;
      const line = this.pending.join('');
      this.pending = [];
      this.line(line);
      if (this.whole) {
        this.buffer += text.slice(from);
        return;
      }
    }
    if (from < text.length) this.pending.push(text.slice(from));
  }

  /** How many spans were decoded since the last takeSpans (none while the text is decoded whole). */
  get freshCount(): number {
    return this.decoder && !this.whole ? this.decoder.freshCount : 0;
  }

  /** The spans made as objects so far, in document order (none while the text is decoded whole): `end` finishes the same objects. */
  get objectsSoFar(): readonly Span[] {
    return this.decoder && !this.whole ? this.decoder.objectsSoFar : [];
  }

  /** The start and end offsets of objectsSoFar's spans from `from` up to `to` (none known while the text is decoded whole). */
  offsetsOf(from: number, to: number): SpanOffsets | undefined {
    return this.decoder && !this.whole ? this.decoder.offsetsOf(from, to) : undefined;
  }

  /** Spans decoded since the last call, in document order, packed; undefined before the header or while the text is decoded whole. */
  takeSpans(): PackedSpans | undefined {
    return this.decoder && !this.whole ? this.decoder.takeSpans() : undefined;
  }

  /** The text is complete: the spans not taken yet, and the trailer that finishes every span (applyTrailer). */
  endParts(): { traceId: string; spans: PackedSpans; trailer: CompactTrailer } {
    this.endLines();
    if (this.whole) {
      const doc: unknown = JSON.parse(this.buffer);
      const decoder = wholeDocumentDecoder(doc);
      return { traceId: decoder.traceId, spans: decoder.takeSpans(), trailer: decoder.trailer(doc) };
    }
    const decoder = this.started();
    return { traceId: decoder.traceId, spans: decoder.takeSpans(), trailer: decoder.trailer(this.trailer) };
  }

  /** The whole trace, for a decoder whose spans were never taken. */
  end(): TraceResponse {
    if (this.output === 'objects') {
      this.endLines();
      if (this.whole) return parseCompactTraceResponse(JSON.parse(this.buffer), 'objects');
      const decoder = this.started();
      return { traceId: decoder.traceId, spans: decoder.finishObjects(this.trailer) };
    }
    const { traceId, spans, trailer } = this.endParts();
    return { traceId, spans: finishSpans(spans, trailer) };
  }

  /** The text is complete: its last line decoded. */
  private endLines(): void {
    if (this.whole) return;
    const rest = this.pending.join('');
    this.pending = [];
    if (rest !== '') this.line(rest);
  }

  /** The decoder of a document whose header and trailer both came. */
  private started(): CompactTraceDecoder {
    if (!this.decoder || this.trailer === undefined) throw new SyntaxError('the compact trace ended before its trailer');
    return this.decoder;
  }

  private line(line: string): void {
    if (!this.decoder) {
      if (!line.endsWith(HEADER_END)) {
        this.whole = true;
        this.buffer = `${line}\n`;
        return;
      }
      this.decoder = new CompactTraceDecoder(JSON.parse(`${line}]}`), this.output);
    } else if (line.startsWith(']')) {
      this.trailer = JSON.parse(`{${line.slice(2)}`);
    } else if (line !== '') {
      this.decoder.addSpans(JSON.parse(`[${line.startsWith(',') ? line.slice(1) : line}]`) as unknown[]);
    }
  }
}
