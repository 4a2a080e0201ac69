import { describe, expect, it } from 'vitest';
import { AppError } from '../../app-error.js';
import { MAX_NETTRACE_CURSOR_CHARS, parseNettraceCursor, toNettraceCursor, toPage } from './nettrace-cursor.js';

const key = { ns: 1_712_345_678_901_300_000n, service: 'checkout', recordId: 'e5a1c0c495b44770' };

function refusal(raw: string): string {
  try {
    parseNettraceCursor(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).message;
  }
  throw new Error(`cursor ${raw} was accepted`);
}

describe('net/trace cursors', () => {
  it('read back to the key they were made from, whatever the service name holds', () => {
    expect(parseNettraceCursor(toNettraceCursor(key))).toEqual(key);
    const odd = { ns: -5n, service: 'a"b\\c\n\u0001€😀', recordId: 'x' };
    expect(parseNettraceCursor(toNettraceCursor(odd))).toEqual(odd);
  });

  it('stay under the cap for the longest service name and record ID ingest keeps', () => {
    const worst = { ns: -(2n ** 63n), service: '\u0001'.repeat(1024), recordId: '\u0001'.repeat(128) };
    const cursor = toNettraceCursor(worst);
    expect(cursor.length).toBeLessThanOrEqual(MAX_NETTRACE_CURSOR_CHARS);
    expect(parseNettraceCursor(cursor)).toEqual(worst);
  });

  it('refuse what is not one of ours', () => {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    expect(refusal('x'.repeat(MAX_NETTRACE_CURSOR_CHARS + 1))).toBe('invalid cursor: too long');
    expect(refusal('not base64!')).toBe('invalid cursor');
    expect(refusal(Buffer.from('{').toString('base64url'))).toBe('invalid cursor');
    expect(refusal(encode(['1', 'a']))).toBe('invalid cursor');
    expect(refusal(encode([1, 'a', 'b']))).toBe('invalid cursor');
    expect(refusal(encode(['1.5', 'a', 'b']))).toBe('invalid cursor');
    expect(refusal(encode(['9223372036854775808', 'a', 'b']))).toBe('invalid cursor');
  });
});

describe('toPage', () => {
  const keyOf = (n: number) => ({ ns: BigInt(n), service: 's', recordId: String(n) });

  it('gives no cursor when the store had no row beyond the page', () => {
    expect(toPage([3, 2], 2, keyOf)).toEqual({ rows: [3, 2] });
  });

  it('drops the extra row and names the last row of the page', () => {
    const page = toPage([5, 4, 3], 2, keyOf);
    expect(page.rows).toEqual([5, 4]);
    expect(parseNettraceCursor(page.nextCursor!)).toEqual(keyOf(4));
  });
});
