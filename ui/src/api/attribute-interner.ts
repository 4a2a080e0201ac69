/**
 * Equal attributes of one trace decoded to one shared object. Most attributes repeat from
 * span to span (`rpc.system=grpc`, a peer name, a status code), and an object per
 * attribute per span was most of a 100k-span trace's heap. Only scalar values are shared;
 * nothing in the UI changes an attribute once decoded.
 */
import type { KeyValue } from '@threadline/shared';
import { optionalArray } from '../model/json-guards';
import { parseKeyValue } from '../model/span-json';

/** Longer strings are likely unique (URLs, SQL, messages): keeping them in the table would only cost. */
const MAX_SHARED_STRING = 200;

/** A text equal for equal scalar attributes, undefined for anything else (then decoded on its own). */
function sharingKey(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { key, value } = raw as { key?: unknown; value?: unknown };
  if (typeof key !== 'string' || typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  let scalar: string;
  if (typeof v.stringValue === 'string' && v.stringValue.length <= MAX_SHARED_STRING) scalar = `s${v.stringValue}`;
  else if (typeof v.intValue === 'string' || typeof v.intValue === 'number') scalar = `i${v.intValue}`;
  else if (typeof v.boolValue === 'boolean') scalar = `b${v.boolValue}`;
  else return undefined;
  // Exactly one of the keys above: a value with several is left to the full decoder.
  return Object.keys(v).length === 1 ? `${key}\u0000${scalar}` : undefined;
}

/** Every empty list is this one (frozen: nothing may add to a list other spans share). */
const NO_ATTRIBUTES = Object.freeze([]) as unknown as KeyValue[];

export class AttributeInterner {
  private readonly shared = new Map<string, KeyValue>();

  /** An attribute list as `parseAttributes` decodes it, equal scalar attributes shared. */
  list(value: unknown, path: string): KeyValue[] {
    const raw = optionalArray(value, path);
    if (raw.length === 0) return NO_ATTRIBUTES;
    return raw.map((raw, i) => {
      const key = sharingKey(raw);
      if (key === undefined) return parseKeyValue(raw, `${path}[${i}]`);
      let kv = this.shared.get(key);
      if (!kv) this.shared.set(key, (kv = parseKeyValue(raw, `${path}[${i}]`)));
      return kv;
    });
  }
}
