/**
 * Tag postings are keyed by a 53-bit hash of (key, value) rather than the text: an
 * integer key keeps each posting about 20 bytes whatever the value, and 53 bits stay
 * exact as a JS number and as a SQLite INTEGER. A collision only costs a wasted
 * candidate: every search checks its candidates' spans against the real text.
 */
export function tagHash(key: string, value: string): number {
  // Two independent 32-bit multiplicative hashes over the UTF-16 units, then murmur3's finalizer.
  let h1 = 0x811c9dc5;
  let h2 = 0x27d4eb2f;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  // A separator no UTF-16 unit can equal: ("ab", "c") ≠ ("a", "bc").
  h1 = Math.imul(h1 ^ 0x10000, 0x01000193);
  h2 = Math.imul(h2 ^ 0x10000, 0x5bd1e995);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = fmix(h1);
  h2 = fmix(h2);
  return (h2 >>> 11) * 0x100000000 + (h1 >>> 0);
}

/**
 * tagHash of a key and a value given as UTF-8 bytes `[keyStart, keyEnd)` and
 * `[valueStart, valueEnd)` of `bytes`, when both are ASCII (one UTF-16 unit a byte, so
 * the same hash as their strings'); NaN when a byte is not ASCII. Ingest hashes most
 * attributes this way without decoding them into strings.
 */
export function asciiTagHash(bytes: Uint8Array, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x27d4eb2f;
  for (let i = keyStart; i < keyEnd; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return Number.NaN;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = Math.imul(h1 ^ 0x10000, 0x01000193);
  h2 = Math.imul(h2 ^ 0x10000, 0x5bd1e995);
  for (let i = valueStart; i < valueEnd; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return Number.NaN;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 = fmix(h1);
  h2 = fmix(h2);
  return (h2 >>> 11) * 0x100000000 + (h1 >>> 0);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
