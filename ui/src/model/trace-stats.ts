/**
 * Per-trace statistics: for each service and each (service, operation), how many
 * spans, how many failed, their total time and their self time (time not covered
 * by their children), so "where did this trace spend its time" has an answer.
 */
import { isErrorSpan } from './span-facts';
import { childRows, type SpanRow } from './span-rows';
import type { RowTimes } from './row-times';
import { selfTime } from './self-time';

export interface StatsGroup {
  readonly service: string;
  /** Empty for a whole service's line. */
  readonly operation: string;
  readonly count: number;
  readonly errorCount: number;
  /** Sum of the spans' durations, ns (overlapping spans count twice, as in Jaeger). */
  readonly totalNanos: number;
  readonly selfNanos: number;
  readonly maxNanos: number;
}

export interface TraceStats {
  /** Each service, most self time first. */
  readonly services: readonly StatsGroup[];
  /** Each (service, operation), most self time first. */
  readonly operations: readonly StatsGroup[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function add(groups: Map<string, Mutable<StatsGroup>>, service: string, operation: string, duration: number, self: number, error: boolean): void {
  const key = `${service}\u0000${operation}`;
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { service, operation, count: 0, errorCount: 0, totalNanos: 0, selfNanos: 0, maxNanos: 0 }));
  group.count++;
  if (error) group.errorCount++;
  group.totalNanos += duration;
  group.selfNanos += self;
  group.maxNanos = Math.max(group.maxNanos, duration);
}

function bySelfTime(a: StatsGroup, b: StatsGroup): number {
  return b.selfNanos - a.selfNanos || a.service.localeCompare(b.service) || a.operation.localeCompare(b.operation);
}

export function buildTraceStats(rows: readonly SpanRow[], times: RowTimes): TraceStats {
  const services = new Map<string, Mutable<StatsGroup>>();
  const operations = new Map<string, Mutable<StatsGroup>>();
  for (let i = 0; i < rows.length; i++) {
    const span = rows[i]!.node.span;
    const start = times.start[i]!;
    const end = times.end[i]!;
    const children = childRows(rows, i).map((c) => [times.start[c]!, times.end[c]!] as const);
    const self = selfTime(start, end, children);
    const error = isErrorSpan(span);
    add(services, span.serviceName, '', end - start, self, error);
    add(operations, span.serviceName, span.name, end - start, self, error);
  }
  return { services: [...services.values()].sort(bySelfTime), operations: [...operations.values()].sort(bySelfTime) };
}
