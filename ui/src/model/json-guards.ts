/** Narrowing helpers for untrusted JSON (API responses, files a user opens). */

export class JsonShapeError extends Error {
  constructor(readonly path: string, expected: string) {
    super(`${path}: expected ${expected}`);
    this.name = 'JsonShapeError';
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw new JsonShapeError(path, 'an object');
  return value;
}

export function expectArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new JsonShapeError(path, 'an array');
  return value;
}

/** A missing array is an empty one: OTLP JSON omits empty repeated fields. */
export function optionalArray(value: unknown, path: string): unknown[] {
  return value === undefined || value === null ? [] : expectArray(value, path);
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new JsonShapeError(path, 'a string');
  return value;
}

export function optionalString(value: unknown, path: string): string {
  return value === undefined || value === null ? '' : expectString(value, path);
}

export function optionalNumber(value: unknown, path: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new JsonShapeError(path, 'a number');
  return value;
}
