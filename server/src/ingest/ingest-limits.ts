import type { AnyValue, KeyValue, Span } from '@threadline/shared';
import { AppError } from '../app-error.js';

/** What one request may carry (flags `--max-span-attributes` … `--max-objects-per-request`). */
export interface IngestLimits {
  /** Per span, event and link (and resource/scope); more are dropped and counted in `dropped_attributes_count`. */
  maxSpanAttributes: number;
  maxSpanEvents: number;
  maxSpanLinks: number;
  /** Longer strings are cut to this many characters and end in TRUNCATION_MARK. */
  maxAttributeLength: number;
  /** Spans past this in one request are rejected (counted in partial success). */
  maxSpansPerRequest: number;
  /** Spans, attributes, events, links and nested values one request may decode to; past it 413. */
  maxObjectsPerRequest: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxSpanAttributes: 128,
  maxSpanEvents: 128,
  maxSpanLinks: 128,
  maxAttributeLength: 4096,
  maxSpansPerRequest: 20_000,
  maxObjectsPerRequest: 200_000,
};

/** Just the limits of a larger object (the config), e.g. to hand them to another thread. */
export function pickIngestLimits(from: IngestLimits): IngestLimits {
  const { maxSpanAttributes, maxSpanEvents, maxSpanLinks, maxAttributeLength, maxSpansPerRequest, maxObjectsPerRequest } = from;
  return { maxSpanAttributes, maxSpanEvents, maxSpanLinks, maxAttributeLength, maxSpansPerRequest, maxObjectsPerRequest };
}

/** Ends every truncated string, so a reader sees it was cut (and a search for it finds it). */
export const TRUNCATION_MARK = '…[truncated]';

/** Rough heap cost of one decoded object (a KeyValue with its AnyValue, an event, …). */
const OBJECT_BYTES = 96;

/**
 * Counts what one request decodes to, as it is decoded: objects against the per-request
 * cap (past it the request is refused before more memory goes to it), an estimate of the
 * heap they take (charged to the in-flight budget), and what was truncated or dropped
 * (reported to the client in partial success).
 */
export class DecodeMeter {
  objects = 0;
  /** Estimated heap bytes of the decoded request. */
  bytes = 0;
  spans = 0;
  spansOverLimit = 0;
  truncatedStrings = 0;
  droppedAttributes = 0;
  droppedEvents = 0;
  droppedLinks = 0;

  constructor(
    readonly limits: IngestLimits = DEFAULT_INGEST_LIMITS,
    /**
     * Whether decoded spans keep the protobuf bytes they came from (otlp-raw.ts), for the
     * store to write as they are. Spans read back from the store only to be shown need not.
     */
    readonly keepRaw = true,
  ) {}

  countObject(stringChars = 0): void {
    this.countObjects(1, OBJECT_BYTES + 2 * stringChars);
  }

  /** Counts `objects` decoded together, `bytes` their estimated heap (what countObject added for each, summed). */
  countObjects(objects: number, bytes: number): void {
    this.objects += objects;
    if (this.objects > this.limits.maxObjectsPerRequest) {
      throw new AppError(413, 'too_many_objects', `request decodes to more than ${this.limits.maxObjectsPerRequest} spans, attributes, events and links; send smaller batches`);
    }
    this.bytes += bytes;
  }

  /** False once the request has had its share of spans: the caller skips the span. */
  admitSpan(): boolean {
    if (this.spans >= this.limits.maxSpansPerRequest) {
      this.spansOverLimit++;
      return false;
    }
    this.spans++;
    return true;
  }

  text(s: string): string {
    if (s.length <= this.limits.maxAttributeLength) return s;
    this.truncatedStrings++;
    return truncate(s, this.limits.maxAttributeLength);
  }

  /** Notes for the OTLP partial-success message (a warning when nothing was rejected). */
  notes(): string[] {
    const notes: string[] = [];
    if (this.spansOverLimit > 0) notes.push(`${this.spansOverLimit} spans past the limit of ${this.limits.maxSpansPerRequest} per request were rejected`);
    if (this.truncatedStrings > 0) notes.push(`${this.truncatedStrings} strings longer than ${this.limits.maxAttributeLength} characters were truncated`);
    const dropped = [
      [this.droppedAttributes, `attributes (limit ${this.limits.maxSpanAttributes})`],
      [this.droppedEvents, `events (limit ${this.limits.maxSpanEvents})`],
      [this.droppedLinks, `links (limit ${this.limits.maxSpanLinks})`],
    ] as const;
    for (const [count, what] of dropped) if (count > 0) notes.push(`${count} ${what} were dropped and counted in the spans' dropped counts`);
    return notes;
  }
}

/** Cut to `max` UTF-16 units without splitting a surrogate pair, then marked. */
export function truncate(s: string, max: number): string {
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end) + TRUNCATION_MARK;
}

/** The span parts the limits apply to; OTLP's decoded span and the shared model both have them. */
export type LimitableSpan = Pick<Span, 'name' | 'attributes' | 'droppedAttributesCount' | 'events' | 'droppedEventsCount' | 'links' | 'droppedLinksCount'> & {
  status: { message: string };
};

/**
 * Applies the per-span limits to a span decoded from JSON, in place. JSON bodies are
 * parsed whole by `JSON.parse` first (its cost is charged to the budget by body size);
 * this walk is where their spans get the same limits the protobuf decoder applies as it reads.
 */
export function limitSpan(span: LimitableSpan, meter: DecodeMeter): void {
  const { limits } = meter;
  meter.countObject(span.name.length);
  span.name = meter.text(span.name);
  span.status.message = meter.text(span.status.message);
  span.droppedAttributesCount += limitAttributes(span.attributes, meter);
  const extraEvents = trim(span.events, limits.maxSpanEvents);
  span.droppedEventsCount += extraEvents;
  meter.droppedEvents += extraEvents;
  for (const event of span.events) {
    meter.countObject(event.name.length);
    event.name = meter.text(event.name);
    event.droppedAttributesCount += limitAttributes(event.attributes, meter);
  }
  const extraLinks = trim(span.links, limits.maxSpanLinks);
  span.droppedLinksCount += extraLinks;
  meter.droppedLinks += extraLinks;
  for (const link of span.links) {
    meter.countObject();
    link.droppedAttributesCount += limitAttributes(link.attributes, meter);
  }
}

/** Cuts `list` to `max` items in place; returns how many went. */
function trim(list: unknown[], max: number): number {
  const extra = Math.max(0, list.length - max);
  if (extra > 0) list.length = max;
  return extra;
}

/** Trims the list in place; returns how many were dropped. */
export function limitAttributes(attributes: KeyValue[], meter: DecodeMeter): number {
  const extra = trim(attributes, meter.limits.maxSpanAttributes);
  meter.droppedAttributes += extra;
  for (const kv of attributes) {
    kv.key = meter.text(kv.key);
    kv.value = limitValue(kv.value, meter, kv.key.length);
  }
  return extra;
}

function limitValue(value: AnyValue, meter: DecodeMeter, keyChars: number): AnyValue {
  if (value.stringValue !== undefined) {
    meter.countObject(keyChars + value.stringValue.length);
    return { stringValue: meter.text(value.stringValue) };
  }
  meter.countObject(keyChars + (value.bytesValue?.length ?? 0));
  if (value.bytesValue !== undefined && value.bytesValue.length > meter.limits.maxAttributeLength) {
    // Base64 has no room for a mark; whole 4-character groups keep it decodable.
    meter.truncatedStrings++;
    return { bytesValue: value.bytesValue.slice(0, Math.max(4, meter.limits.maxAttributeLength - (meter.limits.maxAttributeLength % 4))) };
  }
  if (value.arrayValue) return { arrayValue: { values: value.arrayValue.values.map((v) => limitValue(v, meter, 0)) } };
  if (value.kvlistValue) {
    limitAttributes(value.kvlistValue.values, meter);
    return value;
  }
  return value;
}

/** Applies the request's span allowance and the per-span limits; returns the spans kept. */
export function limitSpans<S extends LimitableSpan>(spans: readonly S[], meter: DecodeMeter): S[] {
  const kept: S[] = [];
  for (const span of spans) {
    if (!meter.admitSpan()) continue;
    limitSpan(span, meter);
    kept.push(span);
  }
  return kept;
}

/**
 * An upper bound on the objects a JSON text holds: every object opens with `{` (braces in
 * strings only make the bound looser). Checked before `JSON.parse`, so a body of a million
 * tiny attributes is refused before a tree of a million objects is built.
 */
export function checkJsonObjectCount(body: Uint8Array, limits: IngestLimits): void {
  let braces = 0;
  // Two JSON objects per decoded object at most (a KeyValue and its AnyValue).
  const max = 2 * limits.maxObjectsPerRequest;
  for (let i = body.indexOf(0x7b); i !== -1; i = body.indexOf(0x7b, i + 1)) {
    if (++braces > max) throw new AppError(413, 'too_many_objects', `request holds more than ${max} JSON objects; send smaller batches`);
  }
}
