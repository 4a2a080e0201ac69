/** Decoders for `/api/v1/*` responses: checked, because a UI must not crash on a server it did not expect. */
import type { JaegerDependency } from '@threadline/shared';
import {
  JsonShapeError,
  expectArray,
  expectObject,
  expectString,
  optionalNumber,
  optionalString,
} from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import { ApiError } from './api-error';
import type { OperationInfo, TraceSearchHit } from './wire-types';

/** Runs a decoder, turning a shape mismatch into an ApiError the pages can show. */
export function decoding<T>(endpoint: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof JsonShapeError) throw new ApiError(200, 'bad_response', `Unexpected response from ${endpoint}: ${error.message}`);
    throw error;
  }
}

function nanos(value: unknown, path: string): string {
  const text = expectString(value, path);
  if (!isDecimalNanos(text)) throw new JsonShapeError(path, 'nanoseconds as a decimal string');
  return text;
}

export function parseServicesResponse(body: unknown): string[] {
  return decoding('/api/v1/services', () =>
    expectArray(expectObject(body, '$').services, '$.services').map((s, i) => expectString(s, `$.services[${i}]`)),
  );
}

export function parseOperationsResponse(body: unknown): OperationInfo[] {
  return decoding('/api/v1/services/{service}/operations', () =>
    expectArray(expectObject(body, '$').operations, '$.operations').map((value, i) => {
      const op = expectObject(value, `$.operations[${i}]`);
      return { name: expectString(op.name, `$.operations[${i}].name`), spanKind: optionalString(op.spanKind, `$.operations[${i}].spanKind`) };
    }),
  );
}

export function parseSearchResponse(body: unknown): TraceSearchHit[] {
  return decoding('/api/v1/search', () =>
    expectArray(expectObject(body, '$').traces, '$.traces').map((value, i) => {
      const path = `$.traces[${i}]`;
      const t = expectObject(value, path);
      return {
        traceId: expectString(t.traceId, `${path}.traceId`),
        rootService: optionalString(t.rootService, `${path}.rootService`),
        rootOperation: optionalString(t.rootOperation, `${path}.rootOperation`),
        startTimeUnixNano: nanos(t.startTimeUnixNano, `${path}.startTimeUnixNano`),
        durationNano: nanos(t.durationNano, `${path}.durationNano`),
        spanCount: optionalNumber(t.spanCount, `${path}.spanCount`),
        errorCount: optionalNumber(t.errorCount, `${path}.errorCount`),
        services: expectArray(t.services ?? [], `${path}.services`).map((s, j) => expectString(s, `${path}.services[${j}]`)),
      };
    }),
  );
}

/** Jaeger's `GET /api/dependencies` envelope. */
export function parseDependenciesResponse(body: unknown): JaegerDependency[] {
  return decoding('/api/dependencies', () =>
    expectArray(expectObject(body, '$').data, '$.data').map((value, i) => {
      const d = expectObject(value, `$.data[${i}]`);
      return {
        parent: expectString(d.parent, `$.data[${i}].parent`),
        child: expectString(d.child, `$.data[${i}].child`),
        callCount: optionalNumber(d.callCount, `$.data[${i}].callCount`),
      };
    }),
  );
}
