import { z } from 'zod';
import { isValidSpanId, isValidTraceId } from '@threadline/shared';
import type { ExecTraceRecord } from '../../store/profile-store.js';

/** An execution-trace upload that does not match the contract (docs/api.md); the receiver answers 400. */
export class ExecTraceDecodeError extends Error {}

/** Raw traces above this (after base64 decoding) are refused with 413. */
export const MAX_RAW_TRACE_BYTES = 16 * 1024 * 1024;

const nanos = z.string().regex(/^\d{1,19}$/, 'nanoseconds as a decimal string');
const text = (max: number) => z.string().max(max);

const uploadSchema = z.object({
  resource: z.record(text(256), text(1024)).refine((r) => Object.keys(r).length <= 64, 'at most 64 resource attributes'),
  traceId: z.string().refine(isValidTraceId, '32 lowercase hex digits, not all zero'),
  spanId: z.string().refine(isValidSpanId, '16 lowercase hex digits, not all zero'),
  spanName: text(1024),
  startTimeUnixNano: nanos,
  durationNano: nanos,
  error: z.boolean(),
  summary: z.object({
    durationNano: nanos,
    goroutines: z.number().int().nonnegative(),
    startSeen: z.boolean(),
    states: z.array(z.object({ state: text(64), durationNano: nanos })).max(32),
    topStacks: z
      .array(
        z.object({
          state: text(64),
          reason: text(256),
          durationNano: nanos,
          count: z.number().int().nonnegative(),
          frames: z.array(text(2048)).max(64),
        }),
      )
      .max(32),
  }),
  rawTrace: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64').optional(),
  rawTraceBytes: z.number().int().nonnegative(),
});

/** Parses and validates `POST /v1/profiles/exectrace` JSON (untrusted). */
export function parseExecTraceUpload(json: string): ExecTraceRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new ExecTraceDecodeError(`not JSON: ${(err as Error).message}`);
  }
  const parsed = uploadSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExecTraceDecodeError(`${issue.path.join('.') || '(body)'}: ${issue.message}`);
  }
  const u = parsed.data;
  const service = u.resource['service.name'];
  if (!service) throw new ExecTraceDecodeError('resource: service.name is required');
  const raw = u.rawTrace === undefined ? undefined : Buffer.from(u.rawTrace, 'base64');
  return {
    traceId: u.traceId,
    spanId: u.spanId,
    service,
    spanName: u.spanName,
    startNs: BigInt(u.startTimeUnixNano),
    durationNs: BigInt(u.durationNano),
    error: u.error,
    summary: u.summary,
    raw,
    rawBytes: raw?.length ?? u.rawTraceBytes,
  };
}
