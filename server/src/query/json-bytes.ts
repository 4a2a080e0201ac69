/**
 * JSON text written straight into bytes (UTF-8), for responses transcoded from protobuf:
 * strings whose UTF-8 bytes need no escaping are copied as they are, never decoded. One
 * writer serves a whole response, a piece at a time (`take`), so that its buffer is grown
 * once, not once per piece.
 */
/** "00" to "99" as ASCII. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, i) => 48 + (i % 2 === 0 ? Math.floor(i / 20) : (i >> 1) % 10));

export class JsonBytes {
  private buf: Buffer;
  private length = 0;

  constructor(capacity = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.length++] = c;
  }

  /** Text known to be ASCII (digits, hex IDs, JSON punctuation). */
  ascii(s: string): void {
    this.room(s.length);
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /** Any text (well-formed: JSON.stringify's output is). */
  text(s: string): void {
    this.room(3 * s.length);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** A safe integer as JSON spells it, digit by digit (String(n) was a good part of writing a big trace's times). */
  int(n: number): void {
    if (n < 0) {
      this.byte(0x2d);
      n = -n;
    }
    if (n < 100_000_000) this.smallInt(n, 0);
    else {
      // Below 2^53, the part above the last 8 digits is below 10^8 too.
      const high = Math.floor(n / 100_000_000);
      this.smallInt(high, 0);
      this.smallInt(n - high * 100_000_000, 8);
    }
  }

  /** `n` below 10^8, padded with zeros to `width` digits, two digits a step. */
  private smallInt(n: number, width: number): void {
    let digits = n < 10_000 ? (n < 100 ? (n < 10 ? 1 : 2) : n < 1_000 ? 3 : 4) : n < 1_000_000 ? (n < 100_000 ? 5 : 6) : n < 10_000_000 ? 7 : 8;
    if (digits < width) digits = width;
    this.room(digits);
    const buf = this.buf;
    let at = this.length + digits;
    this.length = at;
    for (; digits >= 2; digits -= 2) {
      const q = (n / 100) | 0;
      const pair = 2 * (n - q * 100);
      buf[--at] = DIGIT_PAIRS[pair + 1]!;
      buf[--at] = DIGIT_PAIRS[pair]!;
      n = q;
    }
    if (digits === 1) buf[--at] = 48 + n;
  }

  /** The string that `length` UTF-8 bytes of `b` from `at` decode to, as JSON.stringify spells it. */
  utf8String(b: Uint8Array, at: number, length: number): void {
    this.room(length + 2);
    const buf = this.buf;
    const to = this.length + 1;
    for (let i = 0; i < length; i++) {
      const c = b[at + i]!;
      // Controls, quotes and backslashes need escapes; other bytes above ASCII may not be valid UTF-8 (decoding replaces those).
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
        this.text(JSON.stringify(Buffer.from(b.buffer, b.byteOffset + at, length).toString('utf8')));
        return;
      }
      buf[to + i] = c;
    }
    buf[this.length] = 0x22;
    buf[to + length] = 0x22;
    this.length = to + length + 1;
  }

  /** A copy of the bytes written (exactly their size), and the writer empty again for the next piece. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }
}
