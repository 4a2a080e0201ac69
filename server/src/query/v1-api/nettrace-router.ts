import express, { type Router } from 'express';
import { badRequest, notFound } from '../../app-error.js';
import type {
  EventLogListQuery,
  EventLogQuery,
  EventLogSummary,
  NettraceEvent,
  NettraceRecordFields,
  NettraceRequest,
  NettraceFamiliesQuery,
  NettraceRequestQuery,
  NettraceStore,
} from '../../store/span-store.js';
import {
  checkTimeWindow,
  optionalParam,
  parseDurationParam,
  parseLimitParam,
  parseScaledInteger,
  quoteInput,
  searchParamsOf,
} from '../param-parsing.js';
import type {
  V1EventLogResponse,
  V1EventLogsResponse,
  V1EventLogSummary,
  V1NettraceEvent,
  V1NettraceFamiliesResponse,
  V1NettraceRecord,
  V1NettraceRequest,
  V1NettraceRequestsResponse,
} from './v1-types.js';
import { parseNettraceCursor, toPage } from './nettrace-cursor.js';

/** Requests carry their events (up to the 1000 a record keeps), so pages stay small. */
const REQUESTS_LIMIT = { defaultLimit: 50, maxLimit: 500 };
const EVENT_LOGS_LIMIT = { defaultLimit: 100, maxLimit: 1000 };

/**
 * net/trace under `/api/v1/nettrace`: request traces as `/debug/requests` lists them and
 * event logs as `/debug/events` does, for the whole fleet. Mounted by the v1 router, whose
 * error handler answers for it.
 */
export function createV1NettraceRouter(store: NettraceStore, now: () => bigint = () => BigInt(Date.now()) * 1_000_000n): Router {
  const router = express.Router();

  // Lists page by cursor: the store is asked for one row more than the page to know whether more follow.
  router.get('/nettrace/requests', async (req, res) => {
    const query = parseNettraceRequestQuery(searchParamsOf(req));
    const found = await store.findNettraceRequests({ ...query, limit: query.limit + 1 });
    const page = toPage(found, query.limit, (r) => ({ ns: r.startNs, service: r.service, recordId: r.recordId }));
    const body: V1NettraceRequestsResponse = { requests: page.rows.map(toV1Request) };
    if (page.nextCursor) body.nextCursor = page.nextCursor;
    res.json(body);
  });

  router.get('/nettrace/event-logs', async (req, res) => {
    const params = searchParamsOf(req);
    const query = parseEventLogListQuery(params);
    const [families, found] = await Promise.all([store.getEventLogFamilies(query), store.findEventLogs({ ...query, limit: query.limit + 1 })]);
    const logs = toPage(found, query.limit, (l) => ({ ns: l.startNs + l.elapsedNs, service: l.service, recordId: l.recordId }));
    const body: V1EventLogsResponse = {
      families: families.map((f) => ({
        service: f.service,
        family: f.family,
        logCount: f.logCount,
        activeCount: f.activeCount,
        errorCount: f.errorCount,
        lastUpdateUnixNano: f.lastUpdateNs.toString(),
      })),
      logs: logs.rows.map(toV1LogSummary),
    };
    if (logs.nextCursor) body.nextCursor = logs.nextCursor;
    res.json(body);
  });

  router.get('/nettrace/families', async (req, res) => {
    const families = await store.getNettraceFamilies(parseFamiliesQuery(searchParamsOf(req), now()));
    const body: V1NettraceFamiliesResponse = {
      requestFamilies: families.requestFamilies.map((f) => ({
        family: f.family,
        active: f.active,
        buckets: f.buckets.map((b) => ({ minNano: b.minNs.toString(), count: b.count })),
        errors: f.errors,
      })),
      eventLogFamilies: families.eventLogFamilies,
    };
    res.json(body);
  });

  router.get('/nettrace/event-logs/:recordId', async (req, res) => {
    const { recordId } = req.params;
    const service = optionalParam(searchParamsOf(req), 'service');
    // Record IDs are random per process; two services sharing one is possible but rare, and
    // `service` then picks one. Otherwise the most recently updated wins.
    const [log] = await store.getEventLogs(recordId, service);
    if (!log) throw notFound(`event log ${quoteInput(recordId)} not found`);
    const body: V1EventLogResponse = { log: { ...toV1LogSummary(log), events: log.events.map(toV1Event) } };
    res.json(body);
  });

  return router;
}

/** `?service=&family=&start=NS&end=NS&minDuration=&errorsOnly=&limit=&cursor=`, every parameter optional. */
export function parseNettraceRequestQuery(params: URLSearchParams): NettraceRequestQuery {
  const query: NettraceRequestQuery = {
    errorsOnly: parseBooleanParam(params, 'errorsOnly'),
    limit: parseLimitParam(params, REQUESTS_LIMIT),
  };
  const service = optionalParam(params, 'service');
  const family = optionalParam(params, 'family');
  const instance = optionalParam(params, 'instance');
  const active = optionalParam(params, 'active');
  const start = optionalParam(params, 'start');
  const end = optionalParam(params, 'end');
  const minDuration = optionalParam(params, 'minDuration');
  if (service !== undefined) query.service = service;
  if (family !== undefined) query.family = family;
  if (instance !== undefined) query.instance = instance;
  if (active !== undefined) query.active = parseBooleanParam(params, 'active');
  if (start !== undefined) query.startNs = parseScaledInteger(start, 'start', 'Unix nanoseconds', 1n);
  if (end !== undefined) query.endNs = parseScaledInteger(end, 'end', 'Unix nanoseconds', 1n);
  if (minDuration !== undefined) query.minElapsedNs = parseDurationParam(minDuration, 'minDuration');
  const after = parseCursorParam(params);
  if (after) query.after = after;
  checkTimeWindow(query.startNs, query.endNs);
  return query;
}

/** `?service=&instance=&start=NS&end=NS`, every parameter optional; `start`/`end` bound request starts. */
export function parseFamiliesQuery(params: URLSearchParams, nowNs: bigint): NettraceFamiliesQuery {
  const query: NettraceFamiliesQuery = { nowNs };
  const service = optionalParam(params, 'service');
  const instance = optionalParam(params, 'instance');
  const start = optionalParam(params, 'start');
  const end = optionalParam(params, 'end');
  if (service !== undefined) query.service = service;
  if (instance !== undefined) query.instance = instance;
  if (start !== undefined) query.startNs = parseScaledInteger(start, 'start', 'Unix nanoseconds', 1n);
  if (end !== undefined) query.endNs = parseScaledInteger(end, 'end', 'Unix nanoseconds', 1n);
  checkTimeWindow(query.startNs, query.endNs);
  return query;
}

/** `?service=&family=&instance=`, every parameter optional. */
export function parseEventLogQuery(params: URLSearchParams): EventLogQuery {
  const query: EventLogQuery = {};
  const service = optionalParam(params, 'service');
  const family = optionalParam(params, 'family');
  const instance = optionalParam(params, 'instance');
  if (service !== undefined) query.service = service;
  if (family !== undefined) query.family = family;
  if (instance !== undefined) query.instance = instance;
  return query;
}

/** `?service=&family=&instance=&limit=&cursor=`: the event-log list; its filters also pick the families. */
export function parseEventLogListQuery(params: URLSearchParams): EventLogListQuery {
  const query: EventLogListQuery = { ...parseEventLogQuery(params), limit: parseLimitParam(params, EVENT_LOGS_LIMIT) };
  const after = parseCursorParam(params);
  if (after) query.after = after;
  return query;
}

function parseCursorParam(params: URLSearchParams) {
  const cursor = optionalParam(params, 'cursor');
  return cursor === undefined ? undefined : parseNettraceCursor(cursor);
}

function parseBooleanParam(params: URLSearchParams, name: string): boolean {
  const raw = optionalParam(params, name);
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw badRequest(`invalid ${name} ${quoteInput(raw)}: expected true or false`);
}

function toV1Record(r: Omit<NettraceRecordFields, 'events'>): V1NettraceRecord {
  return {
    service: r.service,
    instance: r.instance,
    recordId: r.recordId,
    seq: r.seq,
    family: r.family,
    title: r.title,
    startTimeUnixNano: r.startNs.toString(),
    elapsedNano: r.elapsedNs.toString(),
    state: r.state,
    error: r.error,
    maxEvents: r.maxEvents,
    discardedEvents: r.discardedEvents,
  };
}

function toV1Request(r: NettraceRequest): V1NettraceRequest {
  return { ...toV1Record(r), traceId: r.traceId, spanId: r.spanId, joined: r.joined, events: r.events.map(toV1Event) };
}

function toV1LogSummary(l: EventLogSummary): V1EventLogSummary {
  return { ...toV1Record(l), eventCount: l.eventCount, droppedEvents: l.droppedEvents };
}

function toV1Event(e: NettraceEvent): V1NettraceEvent {
  return { timeUnixNano: e.timeNs.toString(), message: e.message, sensitive: e.sensitive, error: e.error };
}
