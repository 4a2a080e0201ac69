/** Small derived facts about one span that several views need. */
import { findAttribute, anyValueToString, SpanKind, StatusCode } from '@threadline/shared';
import type { Span, KeyValue, SpanEvent } from '@threadline/shared';

const NETTRACE_PREFIX = 'nettrace.';

function resourceString(span: Span, key: string): string | undefined {
  const value = findAttribute(span.resource.attributes, key);
  if (value === undefined) return undefined;
  const text = anyValueToString(value);
  return text === '' ? undefined : text;
}

export function hostName(span: Span): string | undefined {
  return resourceString(span, 'host.name');
}

export function serviceInstanceId(span: Span): string | undefined {
  return resourceString(span, 'service.instance.id');
}

export function isErrorSpan(span: Span): boolean {
  return span.status.code === StatusCode.ERROR;
}

const KIND_NAMES: Record<number, string> = {
  [SpanKind.UNSPECIFIED]: 'unspecified',
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

export function spanKindName(kind: number): string {
  return KIND_NAMES[kind] ?? `kind ${kind}`;
}

const STATUS_NAMES: Record<number, string> = {
  [StatusCode.UNSET]: 'unset',
  [StatusCode.OK]: 'ok',
  [StatusCode.ERROR]: 'error',
};

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `code ${code}`;
}

/** An exception event (OTel semantic conventions) or a net/trace event logged with `errorf`. */
export function isErrorEvent(event: SpanEvent): boolean {
  return event.name === 'exception' || event.attributes.some((kv) => kv.key === 'nettrace.error' && kv.value.boolValue === true);
}

/** Events that a net/trace record contributed to a span (tagged `nettrace.*` at ingest). */
export function isNetTraceEvent(event: { attributes: readonly KeyValue[] }): boolean {
  return event.attributes.some((kv) => kv.key.startsWith(NETTRACE_PREFIX));
}
