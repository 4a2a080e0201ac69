/** Narrowing helpers for untrusted JSON (API responses, files a user opens). */

/**
 * Where a value is: its path as text, or an object that makes the text when it is asked for
 * (only when a check fails): a reader checking every field of a big document need not make
 * a path string per field.
 */
export type JsonPath = string | { toString(): string };

export class JsonShapeError extends Error {
  readonly path: string;

  constructor(path: JsonPath, expected: string) {
    const text = String(path);
    super(`${text}: expected ${expected}`);
    this.path = text;
    this.name = 'JsonShapeError';
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: JsonPath): JsonObject {
  if (!isObject(value)) throw new JsonShapeError(path, 'an object');
  return value;
}

export function expectArray(value: unknown, path: JsonPath): unknown[] {
  if (!Array.isArray(value)) throw new JsonShapeError(path, 'an array');
  return value;
}

/** A missing array is an empty one: OTLP JSON omits empty repeated fields. */
export function optionalArray(value: unknown, path: JsonPath): unknown[] {
  return value === undefined || value === null ? [] : expectArray(value, path);
}

export function expectString(value: unknown, path: JsonPath): string {
  if (typeof value !== 'string') throw new JsonShapeError(path, 'a string');
  return value;
}

export function optionalString(value: unknown, path: JsonPath): string {
  return value === undefined || value === null ? '' : expectString(value, path);
}

export function optionalNumber(value: unknown, path: JsonPath): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new JsonShapeError(path, 'a number');
  return value;
}
