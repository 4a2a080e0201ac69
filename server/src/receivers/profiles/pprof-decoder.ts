import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import type { ProfileKind, ProfileSample } from '../../store/profile-store.js';

/** A pprof body that cannot be decoded; the receiver answers 400. */
export class PprofDecodeError extends Error {}

/** Limits on one upload: a Go CPU window holds a few thousand distinct stacks. */
export const PPROF_LIMITS = {
  /** Distinct (span, stack) rows kept per upload; beyond them, 413. */
  maxRows: 50_000,
  /** Frames kept per stack, the leaf-most ones (deeper stacks are cut at the root). */
  maxFrames: 256,
  /** Characters of a function name or label value. */
  maxName: 1_024,
};

export interface DecodedProfile {
  kind: ProfileKind;
  unit: string;
  /** 0 when the profile does not say (Go's always do). */
  startNs: bigint;
  durationNs: bigint;
  samples: ProfileSample[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Decodes a pprof protobuf (gzipped or not: pprof files usually are, whatever the
 * Content-Encoding says) into samples summed per span label and stack. `kindHint`
 * (the X-Profile-Type header) tells mutex from block, which pprof cannot.
 */
export function parsePprof(body: Uint8Array, maxBytes: number, kindHint?: string): DecodedProfile {
  const bytes = isGzip(body) ? gunzip(body, maxBytes) : body;
  checkFraming(bytes);
  let profile: Profile;
  try {
    profile = Profile.decode(bytes);
  } catch (err) {
    throw new PprofDecodeError(`not a pprof protobuf: ${(err as Error).message}`);
  }
  const strings = profile.stringTable.strings;
  const str = (index: number | bigint): string => {
    const s = strings[Number(index)];
    if (s === undefined) throw new PprofDecodeError(`string index ${index} outside the string table`);
    return s.length > PPROF_LIMITS.maxName ? s.slice(0, PPROF_LIMITS.maxName) : s;
  };
  const types = profile.sampleType.map((t) => ({ type: str(t.type), unit: str(t.unit) }));
  if (types.length === 0) throw new PprofDecodeError('the profile has no sample type');
  const kind = toKind(types.map((t) => t.type), kindHint);
  const valueIndex = chooseValue(types.map((t) => t.type), kind, Number(profile.defaultSampleType) ? str(profile.defaultSampleType) : '');
  const frames = locationFrames(profile, str);
  const rows = new Map<string, ProfileSample>();
  for (const sample of profile.sample) {
    const value = Number(sample.value[valueIndex] ?? 0);
    if (!Number.isFinite(value) || value === 0) continue;
    const labels = { spanId: '', spanName: '', traceId: '' };
    for (const label of sample.label) {
      const key = str(label.key);
      if (key === 'span_id') labels.spanId = str(label.str);
      else if (key === 'span_name') labels.spanName = str(label.str);
      else if (key === 'trace_id') labels.traceId = str(label.str);
    }
    const stack: string[] = [];
    // locationId[0] is the leaf; a location's lines list inlined calls leaf first.
    for (let i = Math.min(sample.locationId.length, PPROF_LIMITS.maxFrames) - 1; i >= 0; i--) {
      const names = frames.get(String(sample.locationId[i]));
      if (names === undefined) throw new PprofDecodeError(`sample refers to unknown location ${sample.locationId[i]}`);
      stack.push(...names);
    }
    const key = `${labels.spanId}\u0000${labels.spanName}\u0000${labels.traceId}\u0000${stack.join('\u0000')}`;
    const row = rows.get(key);
    if (row) {
      row.value += value;
      continue;
    }
    if (rows.size >= PPROF_LIMITS.maxRows) throw new PprofTooLargeError(`more than ${PPROF_LIMITS.maxRows} distinct stacks in one profile`);
    rows.set(key, { ...labels, frames: stack.slice(-PPROF_LIMITS.maxFrames), value });
  }
  return {
    kind,
    unit: types[valueIndex]!.unit,
    // Negative times are nonsense from a broken writer: read as unknown (0).
    startNs: nonNegative(profile.timeNanos),
    durationNs: nonNegative(profile.durationNanos),
    samples: [...rows.values()],
  };
}

function nonNegative(value: number | bigint): bigint {
  const n = BigInt(value);
  return n > 0n ? n : 0n;
}

/** A decodable profile over the per-upload limits; the receiver answers 413. */
export class PprofTooLargeError extends Error {}

/**
 * pprof-format's decoder reads past a truncated field without complaint: the top-level
 * fields must each fit in the body (varint, fixed and length-delimited wire types only).
 */
function checkFraming(bytes: Uint8Array): void {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (at >= bytes.length) throw new PprofDecodeError('truncated protobuf varint');
      const b = bytes[at++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new PprofDecodeError('protobuf varint longer than 10 bytes');
  };
  while (at < bytes.length) {
    const tag = varint();
    const wireType = tag % 8;
    if (tag < 8) throw new PprofDecodeError('protobuf field number 0');
    if (wireType === 0) varint();
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const length = varint();
      at += length;
    }
    else throw new PprofDecodeError(`unsupported protobuf wire type ${wireType}`);
    if (at > bytes.length) throw new PprofDecodeError('truncated protobuf field');
  }
}

export function isGzip(body: Uint8Array): boolean {
  return body.length >= 2 && body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1];
}

function gunzip(body: Uint8Array, maxBytes: number): Buffer {
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new PprofTooLargeError(`gunzipped profile exceeds ${maxBytes} bytes`);
    throw new PprofDecodeError(`corrupt gzip: ${(err as Error).message}`);
  }
}

function toKind(types: string[], hint: string | undefined): ProfileKind {
  const known: readonly ProfileKind[] = ['cpu', 'heap', 'goroutine', 'mutex', 'block'];
  if (hint && (known as readonly string[]).includes(hint)) return hint as ProfileKind;
  if (types.includes('cpu')) return 'cpu';
  if (types.includes('inuse_space') || types.includes('alloc_space')) return 'heap';
  if (types.includes('goroutine')) return 'goroutine';
  return 'other';
}

/** CPU time for CPU profiles, delay for contention, the profile's default otherwise. */
function chooseValue(types: string[], kind: ProfileKind, defaultType: string): number {
  const preferred = kind === 'cpu' ? 'cpu' : kind === 'mutex' || kind === 'block' ? 'delay' : kind === 'heap' ? 'inuse_space' : defaultType;
  const index = types.indexOf(preferred);
  return index >= 0 ? index : types.length - 1;
}

function locationFrames(profile: Profile, str: (i: number | bigint) => string): Map<string, string[]> {
  const functions = new Map<string, string>();
  for (const fn of profile.function) functions.set(String(fn.id), str(fn.name));
  const frames = new Map<string, string[]>();
  for (const location of profile.location) {
    const names = location.line.map((line) => functions.get(String(line.functionId)) ?? `0x${location.address.toString(16)}`).reverse();
    frames.set(String(location.id), names.length > 0 ? names : [`0x${location.address.toString(16)}`]);
  }
  return frames;
}
