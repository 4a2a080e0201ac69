import { describe, expect, it } from 'vitest';
import { RejectionLog, type Rejection } from './rejection-log.js';

const rejection: Rejection = { receiver: 'otlp_http', reason: 'store_unavailable', status: 503, client: '127.0.0.1', bytes: 1234 };

describe('RejectionLog', () => {
  it('writes at most perSecond lines a second and says how many it left out', () => {
    const lines: Array<Record<string, unknown>> = [];
    let now = 10_000;
    const log = new RejectionLog({ warn: (fields: Record<string, unknown>) => lines.push(fields) } as never, 3, () => now);
    for (let i = 0; i < 200; i++) log.record(rejection);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual(rejection);
    now += 1000;
    log.record(rejection);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toEqual({ ...rejection, suppressed: 197 });
  });
});
