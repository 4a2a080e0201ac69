/**
 * Resources and scopes decoded once per distinct message bytes, and the same object handed
 * out for every later copy of those bytes.
 *
 * The store keeps spans as OTLP groups of one batch (span-chunk-codec.ts): a trace of ~20
 * spans from 4 services is read back from a dozen groups, each carrying its process's whole
 * resource again, byte for byte the same as in every other batch that process sent. A Jaeger
 * search of 20 such traces decoded ~250 resources and as many scopes, and worked out a
 * Jaeger process for each distinct resource object of every trace. Shared objects make both
 * once: decoding, and anything a reader keys on the object (JaegerProcesses, the Jaeger
 * writer's scope tags).
 *
 * What is handed out is shared by every span that decodes it, as a resource or scope always
 * was within one group (otlp-to-spans.ts toSpan): nothing may change it.
 */
import type { InstrumentationScope, Resource } from '@threadline/shared';
import type { DecodeMeter, IngestLimits } from '../../ingest/ingest-limits.js';

interface Entry<T> {
  value: T;
  /** What decoding it counted in its meter: a copy counts the same. */
  objects: number;
  heapBytes: number;
}

/** Distinct messages kept (each of resources and scopes), and the bytes of their keys together, before the cache starts over. */
export const MAX_PART_ENTRIES = 4096;
const MAX_KEY_BYTES = 4 * 1024 * 1024;
/** Longer messages are decoded each time: a resource is a few hundred bytes. */
const MAX_MESSAGE_BYTES = 16 * 1024;

export class PartCache<T> {
  private readonly byBytes = new Map<string, Entry<T>>();
  private keyBytes = 0;

  constructor(
    private readonly limits: IngestLimits,
    private readonly maxEntries: number,
  ) {}

  /**
   * The part whose message is next in the reader (its tag read), from the cache or decoded
   * by `merge` into `fresh()`; `bytes` as `merge` gives them (null when a limit changed the
   * part: such a part is not kept, a later copy is decoded again and counted again). A meter
   * with other limits than the cache's decodes without it: the same bytes decode alike only
   * under the same limits (string cuts, attribute counts).
   */
  read(r: { peekBytes(): Uint8Array; skip(tag: number): void }, m: DecodeMeter, tag: number, fresh: () => T, merge: (out: T) => Uint8Array | null): { value: T; bytes: Uint8Array | null } {
    const message = m.limits === this.limits ? r.peekBytes() : undefined;
    if (message === undefined || message.length > MAX_MESSAGE_BYTES) {
      const value = fresh();
      return { value, bytes: merge(value) };
    }
    const key = Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('latin1');
    const known = this.byBytes.get(key);
    if (known) {
      r.skip(tag);
      m.countObjects(known.objects, known.heapBytes);
      return { value: known.value, bytes: message };
    }
    const objects = m.objects;
    const heapBytes = m.bytes;
    const value = fresh();
    const bytes = merge(value);
    if (bytes !== null) this.keep(key, { value, objects: m.objects - objects, heapBytes: m.bytes - heapBytes });
    return { value, bytes };
  }

  private keep(key: string, entry: Entry<T>): void {
    if (this.byBytes.size >= this.maxEntries || this.keyBytes + key.length > MAX_KEY_BYTES) {
      this.byBytes.clear();
      this.keyBytes = 0;
    }
    this.byBytes.set(key, entry);
    this.keyBytes += key.length;
  }
}

/** One cache of resources and one of scopes, for decoding under `limits`. */
export class PartInterner {
  readonly resources: PartCache<Resource>;
  readonly scopes: PartCache<InstrumentationScope>;

  constructor(
    readonly limits: IngestLimits,
    maxEntries = MAX_PART_ENTRIES,
  ) {
    this.resources = new PartCache(limits, maxEntries);
    this.scopes = new PartCache(limits, maxEntries);
  }
}
