/**
 * Normalizes decoded Zipkin v2 spans into the shared span model, following the
 * OpenTelemetry Collector's Zipkin v2 → OTLP translator where Zipkin leaves a choice:
 * `otel.status_code`/`error` tags → status, `otel.scope.*`/`otel.library.*` → scope,
 * `w3c.tracestate` → trace state, endpoints → `net.*`/`peer.service` attributes,
 * resource-namespace tags (the OTel Zipkin exporters copy the resource into tags) → resource.
 * A span that cannot be stored is rejected on its own and counted; the rest go through.
 */

import { createHash } from 'node:crypto';
import {
  SPAN_ID_HEX_LENGTH,
  SpanKind,
  StatusCode,
  TRACE_ID_HEX_LENGTH,
  UNKNOWN_SERVICE,
  isZeroId,
  normalizeHexId,
  stringAttr,
  type AnyValue,
  type InstrumentationScope,
  type KeyValue,
  type Resource,
  type Span,
  type SpanEvent,
  type SpanStatus,
} from '@threadline/shared';
import { MAX_REJECTION_MESSAGES, type ToSpansResult } from '../otlp/otlp-to-spans.js';
import type { ZipkinAnnotation, ZipkinEndpoint, ZipkinSpan } from './zipkin-json-decoder.js';
import { SHARED_SPAN_ID_ATTRIBUTE, toSharedChildrenRepointed } from './zipkin-shared-spans.js';

/** W3C trace flags: a span that reached a collector was sampled. */
const SAMPLED_FLAG = 0x01;
const MAX_NAME_IN_MESSAGE = 64;


/** Zipkin leaves `kind` out for local spans, hence INTERNAL for absent (and unknown) kinds. */
const KINDS = new Map<string, SpanKind>([
  ['CLIENT', SpanKind.CLIENT],
  ['SERVER', SpanKind.SERVER],
  ['PRODUCER', SpanKind.PRODUCER],
  ['CONSUMER', SpanKind.CONSUMER],
]);

/** Semantic-convention namespaces of resource attributes, which belong to the process, not the span. */
const RESOURCE_TAG_PREFIXES = ['service.', 'telemetry.', 'host.', 'os.', 'process.', 'container.', 'k8s.', 'cloud.', 'deployment.', 'device.'];

/**
 * Zipkin's "shared" spans (B3 single-host-span joining, the zipkin-go and Brave default):
 * the SERVER side of an RPC reuses the CLIENT span's ID and marks itself `shared`. Stored
 * as is, the two would collide on (traceId, spanId) and the server side would be lost.
 *
 * The rule (deterministic: the same upload always yields the same spans):
 * - a shared span gets the ID `derivedSharedSpanId(traceId, id)` and the shared ID as
 *   its parent, so it hangs under the client span as an OTLP server span would; the
 *   original ID stays searchable in `zipkin.shared_span_id`;
 * - its children name the shared ID as their parent. Those of the same service (the
 *   server's own work) are re-pointed to the derived ID by `toSharedChildrenRepointed`:
 *   here for the children in the same upload, and by the query side for the whole trace,
 *   since zipkin-go flushes every second or 100 spans and children finish first, so a
 *   child often arrives in an earlier upload than its shared parent. Ingest stays
 *   stateless; a read gives the same tree whatever order the uploads came in.
 */
export function derivedSharedSpanId(traceId: string, spanId: string): string {
  return createHash('sha256').update(`${traceId}:${spanId}:shared`).digest('hex').slice(0, SPAN_ID_HEX_LENGTH);
}

export function toSpans(zipkinSpans: readonly ZipkinSpan[]): ToSpansResult {
  const spans: Span[] = [];
  const messages = new Set<string>();
  let rejected = 0;
  const resources = new Map<string, Resource>();
  const scopes = new Map<string, InstrumentationScope>();
  zipkinSpans.forEach((z, i) => {
    const core = validateSpan(z);
    if (typeof core === 'string') {
      rejected++;
      if (messages.size < MAX_REJECTION_MESSAGES) messages.add(`span ${describe(z)} ([${i}]) rejected: ${core}`);
      return;
    }
    spans.push(toSpan(z, core, resources, scopes));
  });
  return { spans: toSharedChildrenRepointed(spans), rejected, rejectionMessages: [...messages] };
}

interface SpanCore {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startNs: bigint;
}

/** The IDs and start time, normalized, or why the span cannot be stored. */
function validateSpan(z: ZipkinSpan): SpanCore | string {
  if (z.traceId === undefined) return 'traceId is missing';
  // 64-bit trace IDs are left-padded, as B3 propagators do when they meet 128-bit systems.
  const traceId = normalizeHexId(z.traceId, TRACE_ID_HEX_LENGTH);
  if (traceId === null) return `traceId ${quote(z.traceId)} is not 16 or 32 hex digits`;
  if (isZeroId(traceId)) return 'traceId is all zeros';
  if (z.id === undefined) return 'id is missing';
  const spanId = normalizeHexId(z.id, SPAN_ID_HEX_LENGTH);
  if (spanId === null) return `id ${quote(z.id)} is not 16 hex digits`;
  if (isZeroId(spanId)) return 'id is all zeros';
  let parentSpanId = '';
  if (z.parentId !== undefined) {
    const parent = normalizeHexId(z.parentId, SPAN_ID_HEX_LENGTH);
    if (parent === null) return `parentId ${quote(z.parentId)} is not 16 hex digits`;
    // A zero parent means "root" to some tracers; a span naming itself as parent has none.
    if (!isZeroId(parent) && parent !== spanId) parentSpanId = parent;
  }
  // Zipkin allows late data without a start; it cannot be placed on a timeline.
  if (z.timestamp === undefined || z.timestamp === 0) return 'timestamp is missing';
  return { traceId, spanId, parentSpanId, startNs: BigInt(z.timestamp) * 1000n };
}

function toSpan(z: ZipkinSpan, core: SpanCore, resources: Map<string, Resource>, scopes: Map<string, InstrumentationScope>): Span {
  const tags = new Map(z.tags);
  const serviceName = z.localEndpoint?.serviceName || UNKNOWN_SERVICE;
  const status = takeStatus(tags);
  const scope = takeScope(tags, scopes);
  const traceState = take(tags, 'w3c.tracestate') ?? '';
  const resource = takeResource(tags, serviceName, z.localEndpoint, resources);

  const attributes: KeyValue[] = [...tags].map(([key, value]) => stringAttr(key, value));
  const has = new Set(tags.keys());
  // Explicit tags win over what the endpoints imply (the OTel spec says so for peer.service).
  const add = (key: string, value: AnyValue | undefined) => {
    if (value !== undefined && !has.has(key)) attributes.push({ key, value });
  };
  add('net.host.ip', ipOf(z.localEndpoint));
  add('net.host.port', portOf(z.localEndpoint));
  add('peer.service', z.remoteEndpoint?.serviceName ? { stringValue: z.remoteEndpoint.serviceName } : undefined);
  add('net.peer.ip', ipOf(z.remoteEndpoint));
  add('net.peer.port', portOf(z.remoteEndpoint));
  add('zipkin.debug', z.debug ? { boolValue: true } : undefined);

  let { spanId, parentSpanId } = core;
  if (z.shared) {
    add(SHARED_SPAN_ID_ATTRIBUTE, { stringValue: spanId });
    parentSpanId = spanId;
    spanId = derivedSharedSpanId(core.traceId, spanId);
  }

  const events = z.annotations.filter(hasTime).map(toEvent);
  return {
    traceId: core.traceId,
    spanId,
    parentSpanId,
    traceState,
    flags: SAMPLED_FLAG,
    name: z.name ?? '',
    kind: KINDS.get((z.kind ?? '').toUpperCase()) ?? SpanKind.INTERNAL,
    startTimeUnixNano: core.startNs.toString(),
    // A missing duration (Zipkin: unknown) and a zero one both end where the span starts.
    endTimeUnixNano: (core.startNs + BigInt(z.duration ?? 0) * 1000n).toString(),
    attributes,
    droppedAttributesCount: 0,
    events,
    droppedEventsCount: z.annotations.length - events.length,
    links: [],
    droppedLinksCount: 0,
    status,
    resource,
    scope,
    serviceName,
  };
}

/**
 * `error` marks a failed span in Zipkin whatever its value (the OTel exporters put the
 * status description there); only the literal "false" some clients send means no error.
 */
function takeStatus(tags: Map<string, string>): SpanStatus {
  const error = take(tags, 'error');
  const code = take(tags, 'otel.status_code')?.toUpperCase();
  const description = take(tags, 'otel.status_description') ?? '';
  if (error !== undefined && error !== 'false') {
    return { code: StatusCode.ERROR, message: error === 'true' || error === '' ? description : error };
  }
  if (code === 'ERROR' || code === 'STATUS_CODE_ERROR') return { code: StatusCode.ERROR, message: description };
  if (code === 'OK' || code === 'STATUS_CODE_OK') return { code: StatusCode.OK, message: '' };
  return { code: StatusCode.UNSET, message: '' };
}

function takeScope(tags: Map<string, string>, scopes: Map<string, InstrumentationScope>): InstrumentationScope {
  const name = take(tags, 'otel.scope.name') ?? take(tags, 'otel.library.name') ?? '';
  const version = take(tags, 'otel.scope.version') ?? take(tags, 'otel.library.version') ?? '';
  // Both spellings are consumed even when the first one won.
  take(tags, 'otel.library.name');
  take(tags, 'otel.library.version');
  const key = JSON.stringify([name, version]);
  let scope = scopes.get(key);
  if (!scope) {
    scope = { name, version, attributes: [], droppedAttributesCount: 0 };
    scopes.set(key, scope);
  }
  return scope;
}

/**
 * One resource object per distinct process in the upload (shared by its spans, like the
 * OTLP normalizer does), so the query side sees one process per service instance.
 */
function takeResource(tags: Map<string, string>, serviceName: string, local: ZipkinEndpoint | undefined, resources: Map<string, Resource>): Resource {
  const attributes: KeyValue[] = [];
  if (serviceName !== UNKNOWN_SERVICE) attributes.push(stringAttr('service.name', serviceName));
  const ip = ipOf(local);
  if (ip !== undefined) attributes.push({ key: 'host.ip', value: ip });
  for (const [key, value] of [...tags]) {
    if (!RESOURCE_TAG_PREFIXES.some((p) => key.startsWith(p))) continue;
    tags.delete(key);
    // localEndpoint.serviceName is what Zipkin indexes; a differing tag does not override it.
    if (key !== 'service.name' && key !== 'host.ip') attributes.push(stringAttr(key, value));
  }
  const cacheKey = JSON.stringify(attributes);
  let resource = resources.get(cacheKey);
  if (!resource) {
    resource = { attributes, droppedAttributesCount: 0 };
    resources.set(cacheKey, resource);
  }
  return resource;
}

function take(tags: Map<string, string>, key: string): string | undefined {
  const value = tags.get(key);
  tags.delete(key);
  return value;
}

/** Zipkin says to prefer ipv4 when both are set (mapped addresses). */
function ipOf(e: ZipkinEndpoint | undefined): AnyValue | undefined {
  const ip = e?.ipv4 || e?.ipv6;
  return ip ? { stringValue: ip } : undefined;
}

/** Port 0 means unknown in Zipkin. */
function portOf(e: ZipkinEndpoint | undefined): AnyValue | undefined {
  return e?.port ? { intValue: String(e.port) } : undefined;
}

function hasTime(a: ZipkinAnnotation): a is ZipkinAnnotation & { timestamp: number } {
  return a.timestamp !== undefined && a.timestamp !== 0;
}

/**
 * The OpenTelemetry Zipkin exporters write an event with attributes as
 * `name: {"key":"value",…}`; that form is split back into name and attributes.
 * Anything else is the event name as it is.
 */
function toEvent(a: ZipkinAnnotation & { timestamp: number }): SpanEvent {
  const value = a.value ?? '';
  const event: SpanEvent = { timeUnixNano: (BigInt(a.timestamp) * 1000n).toString(), name: value, attributes: [], droppedAttributesCount: 0 };
  const at = value.indexOf(': {');
  if (at === -1 || !value.endsWith('}')) return event;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.slice(at + 2));
  } catch {
    return event;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return event;
  const attributes: KeyValue[] = [];
  for (const [key, v] of Object.entries(parsed)) {
    const anyValue = toAnyValue(v);
    if (anyValue === undefined) return event;
    attributes.push({ key, value: anyValue });
  }
  return { ...event, name: value.slice(0, at), attributes };
}

/** JSON values the OTel exporters emit for attributes: primitives and arrays of them. */
function toAnyValue(v: unknown): AnyValue | undefined {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) {
    const values = v.map(toAnyValue);
    return values.every((x) => x !== undefined) ? { arrayValue: { values: values as AnyValue[] } } : undefined;
  }
  return undefined;
}

function describe(z: ZipkinSpan): string {
  const name = z.name ?? '';
  const shortName = name.length > MAX_NAME_IN_MESSAGE ? `${name.slice(0, MAX_NAME_IN_MESSAGE)}…` : name;
  return z.id === undefined ? quote(shortName) : `${quote(z.id)} ${quote(shortName)}`;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 2 * MAX_NAME_IN_MESSAGE ? `${s.slice(0, 2 * MAX_NAME_IN_MESSAGE)}…` : s);
}
