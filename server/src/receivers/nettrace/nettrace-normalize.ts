import { createHash } from 'node:crypto';
import { stringAttr, UNKNOWN_SERVICE, type Resource } from '@threadline/shared';
import type { NettraceBatch, NettraceEvent, NettraceRecordFields, NettraceRequestRecord } from '../../store/span-store.js';
import type { NettraceJsonEvent, NettraceJsonRecord, NettraceJsonRequest } from './nettrace-json-decoder.js';
import { toNettraceSpan } from './nettrace-to-spans.js';

/** What a sensitive message is stored as; the original never reaches the store. */
export const REDACTED = '[redacted]';

const INT64_MAX = 2n ** 63n - 1n;

export interface NettraceNormalizeOptions {
  /** `--keep-sensitive`: store messages marked sensitive as they are. */
  keepSensitive: boolean;
}

/**
 * IDs for a record that names no span, from (service, recordId): the same record always
 * gets the same span, so a newer snapshot replaces it instead of adding one.
 */
export function deriveRecordIds(service: string, recordId: string): { traceId: string; spanId: string } {
  const hex = createHash('sha256').update(JSON.stringify([service, recordId])).digest('hex');
  return { traceId: hex.slice(0, 32), spanId: hex.slice(32, 48) };
}

/**
 * A decoded upload as the store takes it: sensitive messages redacted (unless kept),
 * service and instance from the resource, request traces placed as spans:
 * - traceId and spanId → joined to that span: the record's span is its child, with an ID
 *   derived from (service, recordId); the trace read merges its events into the span;
 * - traceId only → a span of its own in that trace, at its root;
 * - neither → a span of its own in a trace of its own, both IDs derived.
 * Event logs are long-lived and belong to no request: their IDs, if any, are ignored.
 */
export function toNettraceBatch(request: NettraceJsonRequest, options: NettraceNormalizeOptions): NettraceBatch {
  const resource: Resource = {
    attributes: request.resource.map(([key, value]) => stringAttr(key, value)),
    droppedAttributesCount: 0,
  };
  const attr = (key: string) => request.resource.find(([k]) => k === key)?.[1] ?? '';
  const service = attr('service.name') || UNKNOWN_SERVICE;
  const instance = attr('service.instance.id') || attr('host.name');
  const batch: NettraceBatch = { requests: [], eventLogs: [] };
  for (const record of request.records) {
    const fields = toRecordFields(record, service, instance, options);
    if (record.type === 'eventLog') batch.eventLogs.push(fields);
    else batch.requests.push(toRequestRecord(fields, record, resource));
  }
  return batch;
}

function toRecordFields(
  record: NettraceJsonRecord,
  service: string,
  instance: string,
  options: NettraceNormalizeOptions,
): NettraceRecordFields {
  const startNs = record.startTimeUnixNano;
  // The span's end must stay within int64, whatever a client claims.
  const maxElapsed = INT64_MAX - startNs;
  return {
    service,
    instance,
    recordId: record.recordId,
    seq: record.seq,
    family: record.family,
    title: record.title,
    startNs,
    elapsedNs: record.elapsedNano > maxElapsed ? maxElapsed : record.elapsedNano,
    state: record.state,
    error: record.error,
    maxEvents: record.maxEvents,
    discardedEvents: record.discardedEvents,
    events: record.events.map((e) => toEvent(e, options)),
  };
}

function toEvent(e: NettraceJsonEvent, options: NettraceNormalizeOptions): NettraceEvent {
  return {
    timeNs: e.timeUnixNano,
    message: e.sensitive && !options.keepSensitive ? REDACTED : e.message,
    sensitive: e.sensitive,
    error: e.error,
  };
}

function toRequestRecord(fields: NettraceRecordFields, record: NettraceJsonRecord, resource: Resource): NettraceRequestRecord {
  const derived = deriveRecordIds(fields.service, fields.recordId);
  // The decoder refuses a spanId without a traceId.
  const joinedSpanId = record.spanId;
  const span = toNettraceSpan(fields, resource, {
    traceId: record.traceId !== '' ? record.traceId : derived.traceId,
    spanId: derived.spanId,
    parentSpanId: joinedSpanId,
  });
  return { ...fields, joinedSpanId, span };
}
