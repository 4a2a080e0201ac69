/** Decoders for `/api/v1/nettrace/*` responses. */
import { JsonShapeError, expectArray, expectObject, expectString, optionalNumber, optionalString, type JsonObject } from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import { ERROR_PERIODS, type ErrorPeriod } from '../model/nettrace-query';
import { decoding } from './decode-responses';
import type { EventLog, EventLogSummary, NettraceEvent, NettraceFamilies, NettracePage, NettraceRecord, NettraceRequest } from './nettrace-types';

function nanos(value: unknown, path: string): string {
  const text = expectString(value, path);
  if (!isDecimalNanos(text)) throw new JsonShapeError(path, 'nanoseconds as a decimal string');
  return text;
}

function flag(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new JsonShapeError(path, 'a boolean');
  return value;
}

function count(value: unknown, path: string): number {
  const n = optionalNumber(value, path);
  if (!Number.isInteger(n) || n < 0) throw new JsonShapeError(path, 'a count');
  return n;
}

function event(value: unknown, path: string): NettraceEvent {
  const e = expectObject(value, path);
  return {
    timeUnixNano: nanos(e.timeUnixNano, `${path}.timeUnixNano`),
    message: optionalString(e.message, `${path}.message`),
    sensitive: flag(e.sensitive, `${path}.sensitive`),
    error: flag(e.error, `${path}.error`),
  };
}

function events(value: unknown, path: string): NettraceEvent[] {
  return expectArray(value ?? [], path).map((e, i) => event(e, `${path}[${i}]`));
}

function record(r: JsonObject, path: string): NettraceRecord {
  return {
    service: optionalString(r.service, `${path}.service`),
    instance: optionalString(r.instance, `${path}.instance`),
    recordId: expectString(r.recordId, `${path}.recordId`),
    family: optionalString(r.family, `${path}.family`),
    title: optionalString(r.title, `${path}.title`),
    startTimeUnixNano: nanos(r.startTimeUnixNano, `${path}.startTimeUnixNano`),
    elapsedNano: Number(nanos(r.elapsedNano, `${path}.elapsedNano`)),
    state: r.state === 'active' ? 'active' : 'finished',
    error: flag(r.error, `${path}.error`),
    maxEvents: count(r.maxEvents, `${path}.maxEvents`),
    discardedEvents: count(r.discardedEvents, `${path}.discardedEvents`),
  };
}

function logSummary(value: unknown, path: string): EventLogSummary {
  const l = expectObject(value, path);
  return { ...record(l, path), eventCount: count(l.eventCount, `${path}.eventCount`), droppedEvents: count(l.droppedEvents, `${path}.droppedEvents`) };
}

/** A list's `nextCursor`: null when the page was the last one. */
function nextCursor(doc: JsonObject): string | null {
  return optionalString(doc.nextCursor, '$.nextCursor') || null;
}

export function parseNettraceRequestsResponse(body: unknown): NettracePage<NettraceRequest> {
  return decoding('/api/v1/nettrace/requests', () => {
    const doc = expectObject(body, '$');
    const items = expectArray(doc.requests, '$.requests').map((value, i): NettraceRequest => {
      const path = `$.requests[${i}]`;
      const r = expectObject(value, path);
      return {
        ...record(r, path),
        traceId: optionalString(r.traceId, `${path}.traceId`),
        spanId: optionalString(r.spanId, `${path}.spanId`),
        joined: flag(r.joined, `${path}.joined`),
        events: events(r.events, `${path}.events`),
      };
    });
    return { items, nextCursor: nextCursor(doc) };
  });
}

export function parseEventLogsResponse(body: unknown): NettracePage<EventLogSummary> {
  return decoding('/api/v1/nettrace/event-logs', () => {
    const doc = expectObject(body, '$');
    return { items: expectArray(doc.logs, '$.logs').map((l, i) => logSummary(l, `$.logs[${i}]`)), nextCursor: nextCursor(doc) };
  });
}

export function parseEventLogResponse(body: unknown): EventLog {
  return decoding('/api/v1/nettrace/event-logs/{recordId}', () => {
    const log = expectObject(expectObject(body, '$').log, '$.log');
    return { ...logSummary(log, '$.log'), events: events(log.events, '$.log.events') };
  });
}

export function parseNettraceFamiliesResponse(body: unknown): NettraceFamilies {
  return decoding('/api/v1/nettrace/families', () => {
    const doc = expectObject(body, '$');
    const requestFamilies = expectArray(doc.requestFamilies, '$.requestFamilies').map((value, i) => {
      const path = `$.requestFamilies[${i}]`;
      const f = expectObject(value, path);
      return {
        family: expectString(f.family, `${path}.family`),
        active: count(f.active, `${path}.active`),
        buckets: expectArray(f.buckets, `${path}.buckets`).map((b, j) => {
          const bucket = expectObject(b, `${path}.buckets[${j}]`);
          return { minNano: Number(nanos(bucket.minNano, `${path}.buckets[${j}].minNano`)), count: count(bucket.count, `${path}.buckets[${j}].count`) };
        }),
        errors: count(f.errors, `${path}.errors`),
      };
    });
    const eventLogFamilies = expectArray(doc.eventLogFamilies, '$.eventLogFamilies').map((value, i) => {
      const path = `$.eventLogFamilies[${i}]`;
      const f = expectObject(value, path);
      const errors = expectObject(f.errors ?? {}, `${path}.errors`);
      return {
        family: expectString(f.family, `${path}.family`),
        total: count(f.total, `${path}.total`),
        errors: Object.fromEntries(ERROR_PERIODS.map((p) => [p, count(errors[p], `${path}.errors.${p}`)])) as Record<ErrorPeriod, number>,
      };
    });
    return { requestFamilies, eventLogFamilies };
  });
}
