/** Decoders for the Go diagnostics endpoints; an unexpected shape becomes a bad_response ApiError. */
import { JsonShapeError, expectArray, expectObject, expectString, optionalNumber } from '../model/json-guards';
import { isDecimalNanos } from '../model/nanos';
import { decoding } from './decode-responses';
import type { BlockingStack, ExecTraceSummary, ProfileDiff, ProfileMarker, ProfileStacks, SpanCpuProfile } from './profile-types';

function nanos(value: unknown, path: string): number {
  const text = expectString(value, path);
  if (!isDecimalNanos(text)) throw new JsonShapeError(path, 'nanoseconds as a decimal string');
  return Number(text);
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new JsonShapeError(path, 'a boolean');
  return value;
}

function strings(value: unknown, path: string): string[] {
  return expectArray(value, path).map((s, i) => expectString(s, `${path}[${i}]`));
}

function stacks(value: unknown, path: string): ProfileStacks {
  const o = expectObject(value, path);
  return {
    unit: expectString(o.unit, `${path}.unit`),
    total: optionalNumber(o.total, `${path}.total`),
    stacks: expectArray(o.stacks, `${path}.stacks`).map((s, i) => {
      const stack = expectObject(s, `${path}.stacks[${i}]`);
      return { frames: strings(stack.frames, `${path}.stacks[${i}].frames`), value: optionalNumber(stack.value, `${path}.stacks[${i}].value`) };
    }),
  };
}

export function parseSpanCpuResponse(body: unknown): SpanCpuProfile {
  return decoding('/api/v1/traces/…/cpu', () => {
    const o = expectObject(body, 'response');
    return { ...stacks(o, 'response'), spanIds: strings(o.spanIds, 'spanIds'), labeledSpanId: expectString(o.labeledSpanId, 'labeledSpanId') };
  });
}

export function parseProfileStacksResponse(body: unknown): ProfileStacks {
  return decoding('/api/v1/profiles/operation', () => stacks(body, 'response'));
}

export function parseProfileDiffResponse(body: unknown): ProfileDiff {
  return decoding('/api/v1/profiles/diff', () => {
    const o = expectObject(body, 'response');
    return {
      thresholdNano: o.thresholdNano === null ? null : String(nanos(o.thresholdNano, 'thresholdNano')),
      slowSpans: optionalNumber(o.slowSpans, 'slowSpans'),
      slow: stacks(o.slow, 'slow'),
      rest: stacks(o.rest, 'rest'),
    };
  });
}

export function parseProfileMarkersResponse(body: unknown): ProfileMarker[] {
  return decoding('/api/v1/traces/…/profile-markers', () =>
    expectArray(expectObject(body, 'response').markers, 'markers').map((m, i) => {
      const o = expectObject(m, `markers[${i}]`);
      return { spanId: expectString(o.spanId, `markers[${i}].spanId`), cpu: boolean(o.cpu, `markers[${i}].cpu`), execTrace: boolean(o.execTrace, `markers[${i}].execTrace`) };
    }),
  );
}

export function parseExecTraceResponse(body: unknown): ExecTraceSummary {
  return decoding('/api/v1/traces/…/exectrace', () => {
    const o = expectObject(body, 'response');
    const s = expectObject(o.summary, 'summary');
    return {
      traceId: expectString(o.traceId, 'traceId'),
      spanId: expectString(o.spanId, 'spanId'),
      durationNano: nanos(s.durationNano, 'summary.durationNano'),
      goroutines: optionalNumber(s.goroutines, 'summary.goroutines'),
      startSeen: boolean(s.startSeen, 'summary.startSeen'),
      states: expectArray(s.states, 'summary.states').map((st, i) => {
        const x = expectObject(st, `summary.states[${i}]`);
        return { state: expectString(x.state, `summary.states[${i}].state`), durationNano: nanos(x.durationNano, `summary.states[${i}].durationNano`) };
      }),
      topStacks: expectArray(s.topStacks, 'summary.topStacks').map((b, i): BlockingStack => {
        const x = expectObject(b, `summary.topStacks[${i}]`);
        const at = `summary.topStacks[${i}]`;
        return {
          state: expectString(x.state, `${at}.state`),
          reason: expectString(x.reason, `${at}.reason`),
          durationNano: nanos(x.durationNano, `${at}.durationNano`),
          count: optionalNumber(x.count, `${at}.count`),
          frames: strings(x.frames, `${at}.frames`),
        };
      }),
      hasRawTrace: boolean(o.hasRawTrace, 'hasRawTrace'),
      rawTraceBytes: optionalNumber(o.rawTraceBytes, 'rawTraceBytes'),
    };
  });
}
