import type { AnyValue, KeyValue } from './span-model.js';

/** Finds an attribute by key; later duplicates do not override the first (OTLP leaves this undefined). */
export function findAttribute(attrs: readonly KeyValue[], key: string): AnyValue | undefined {
  for (const kv of attrs) if (kv.key === key) return kv.value;
  return undefined;
}

/** A flat string rendering of any value, used for tag search and display. */
export function anyValueToString(v: AnyValue): string {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue ? 'true' : 'false';
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return JSON.stringify(v.arrayValue.values.map(anyValueToJson));
  if (v.kvlistValue !== undefined) return JSON.stringify(kvListToJson(v.kvlistValue.values));
  return '';
}

/** A plain JSON value for display: arrays and maps become JSON arrays and objects. */
export function anyValueToJson(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return v.intValue;
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(anyValueToJson);
  if (v.kvlistValue !== undefined) return kvListToJson(v.kvlistValue.values);
  return null;
}

function kvListToJson(values: readonly KeyValue[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of values) out[kv.key] = anyValueToJson(kv.value);
  return out;
}

export function stringAttr(key: string, value: string): KeyValue {
  return { key, value: { stringValue: value } };
}
