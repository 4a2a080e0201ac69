import { describe, expect, it } from 'vitest';
import { rateLimitedStoreLogger } from './rate-limited-store-logger.js';

describe('rateLimitedStoreLogger', () => {
  it('limits each error message on its own and keeps info lines', () => {
    const lines: Array<[string, object, string]> = [];
    const sink = {
      info: (f: object, m: string) => lines.push(['info', f, m]),
      warn: (f: object, m: string) => lines.push(['warn', f, m]),
      error: (f: object, m: string) => lines.push(['error', f, m]),
    };
    let now = 5_000;
    const logger = rateLimitedStoreLogger(sink, 2, () => now);
    for (let i = 0; i < 50; i++) logger.error({ i }, 'store writeBatch failed');
    logger.error({}, 'store worker crashed');
    for (let i = 0; i < 3; i++) logger.info({}, 'checkpoint');
    expect(lines.filter(([, , m]) => m === 'store writeBatch failed')).toHaveLength(2);
    expect(lines.filter(([, , m]) => m === 'store worker crashed')).toHaveLength(1);
    expect(lines.filter(([level]) => level === 'info')).toHaveLength(3);
    now += 1000;
    logger.error({ i: 99 }, 'store writeBatch failed');
    expect(lines.at(-1)).toEqual(['error', { i: 99, suppressed: 48 }, 'store writeBatch failed']);
  });
});
