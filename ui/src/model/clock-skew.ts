/**
 * Clock skew between hosts makes a server span start before the client span
 * that called it. Detection flags a child whose interval leaves its parent's
 * while it ran on another host; adjustment follows Jaeger's clock-skew adjuster:
 * a child that does not fit is centred in its (already adjusted) parent, one
 * longer than its parent is moved to start with it, and the shift carries over
 * to the child's descendants on the same host.
 */
import type { Span } from '@threadline/shared';
import { hostName, serviceInstanceId } from './span-facts';
import type { SpanRow } from './span-rows';

export interface SkewAdjustment {
  /** Shift in ns of each row's times (and its events' times) in the adjusted view. */
  readonly delta: Float64Array;
  /** 1 for rows flagged as skewed against their parent. */
  readonly skewed: Uint8Array;
  readonly skewedCount: number;
}

/**
 * True only when the spans are known to come from different clocks: different
 * `host.name`, or, when a host is unknown, different `service.instance.id`.
 */
export function onDifferentHosts(a: Span, b: Span): boolean {
  const hostA = hostName(a);
  const hostB = hostName(b);
  if (hostA !== undefined && hostB !== undefined) return hostA !== hostB;
  const instanceA = serviceInstanceId(a);
  const instanceB = serviceInstanceId(b);
  if (instanceA !== undefined && instanceB !== undefined) return instanceA !== instanceB;
  return false;
}

/** The shift that brings [start, end] inside [parentStart, parentEnd], per Jaeger. */
export function skewDelta(start: number, end: number, parentStart: number, parentEnd: number): number {
  const duration = end - start;
  const parentDuration = parentEnd - parentStart;
  if (duration > parentDuration) {
    // Async work or a parent that timed out: the most we can say is that the child did not start first.
    return start < parentStart ? parentStart - start : 0;
  }
  if (start >= parentStart && end <= parentEnd) return 0;
  // Network latency is assumed to split evenly between request and response.
  return Math.round(parentStart + (parentDuration - duration) / 2 - start);
}

export function buildSkewAdjustment(rows: readonly SpanRow[]): SkewAdjustment {
  const delta = new Float64Array(rows.length);
  const skewed = new Uint8Array(rows.length);
  let skewedCount = 0;
  // Pre-order puts every parent before its children, so its adjustment is final when they are visited.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.parentRow < 0) continue;
    const parent = rows[row.parentRow]!;
    const parentDelta = delta[row.parentRow]!;
    if (!onDifferentHosts(row.node.span, parent.node.span)) {
      delta[i] = parentDelta;
      continue;
    }
    const { start, end } = row.node;
    if (start < parent.node.start || end > parent.node.end) {
      skewed[i] = 1;
      skewedCount++;
    }
    delta[i] = skewDelta(start, end, parent.node.start + parentDelta, parent.node.end + parentDelta);
  }
  return { delta, skewed, skewedCount };
}
