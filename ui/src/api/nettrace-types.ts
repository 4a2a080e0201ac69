/** Decoded responses of `/api/v1/nettrace/*`. Elapsed times are numbers of nanoseconds; Unix times stay strings. */
import type { EventLogFamilyCounts, RequestFamilyCounts } from '../model/nettrace-families';

export interface NettraceEvent {
  readonly timeUnixNano: string;
  /** `[redacted]` when the service marked it sensitive and the collector does not keep those. */
  readonly message: string;
  readonly sensitive: boolean;
  readonly error: boolean;
}

export interface NettraceRecord {
  readonly service: string;
  readonly instance: string;
  readonly recordId: string;
  readonly family: string;
  readonly title: string;
  readonly startTimeUnixNano: string;
  readonly elapsedNano: number;
  readonly state: 'active' | 'finished';
  readonly error: boolean;
  readonly maxEvents: number;
  readonly discardedEvents: number;
}

export interface NettraceRequest extends NettraceRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly joined: boolean;
  readonly events: readonly NettraceEvent[];
}

/** One page of a net/trace list; `nextCursor` asks for the next one (null: this was the last). */
export interface NettracePage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface EventLogSummary extends NettraceRecord {
  readonly eventCount: number;
  readonly droppedEvents: number;
}

export interface EventLog extends EventLogSummary {
  readonly events: readonly NettraceEvent[];
}

/** `GET /api/v1/nettrace/families` */
export interface NettraceFamilies {
  readonly requestFamilies: readonly RequestFamilyCounts[];
  readonly eventLogFamilies: readonly EventLogFamilyCounts[];
}
