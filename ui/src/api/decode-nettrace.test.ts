import { describe, expect, it } from 'vitest';
import { parseEventLogResponse, parseEventLogsResponse, parseNettraceFamiliesResponse, parseNettraceRequestsResponse } from './decode-nettrace';

const record = {
  service: 'greeter',
  instance: 'h1',
  recordId: 'd19db6ec9e3c6aea',
  seq: 1,
  family: 'grpc.Recv.Greeter',
  title: '/helloworld.Greeter/SayHello',
  startTimeUnixNano: '1795887407809646814',
  elapsedNano: '208913',
  state: 'finished',
  error: true,
  maxEvents: 10,
  discardedEvents: 0,
};
const events = [
  { timeUnixNano: '1795887407809648790', message: 'recv: name="world"', sensitive: false, error: false },
  { timeUnixNano: '1795887407809651974', message: '[redacted]', sensitive: true, error: false },
];

describe('net/trace response decoding', () => {
  it('decodes request traces with their events, sensitive ones as sent', () => {
    const {
      items: [request],
      nextCursor,
    } = parseNettraceRequestsResponse({
      requests: [{ ...record, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', joined: true, events }],
      nextCursor: 'WyIxIiwiYSIsImIiXQ',
    });
    expect(nextCursor).toBe('WyIxIiwiYSIsImIiXQ');
    expect(request).toMatchObject({ recordId: 'd19db6ec9e3c6aea', elapsedNano: 208913, state: 'finished', joined: true });
    expect(request!.events[1]).toEqual({ timeUnixNano: '1795887407809651974', message: '[redacted]', sensitive: true, error: false });
  });

  it('decodes event logs and one log with its events', () => {
    const summary = { ...record, state: 'active', eventCount: 2, droppedEvents: 0 };
    const page = parseEventLogsResponse({ families: [], logs: [summary] });
    expect(page.items[0]).toMatchObject({ state: 'active', eventCount: 2 });
    // No cursor: the last page.
    expect(page.nextCursor).toBeNull();
    expect(() => parseEventLogsResponse({ families: [], logs: [], nextCursor: 7 })).toThrow(/nextCursor/);
    expect(parseEventLogResponse({ log: { ...summary, events } }).events).toHaveLength(2);
  });

  it('decodes the family tables', () => {
    const families = parseNettraceFamiliesResponse({
      requestFamilies: [{ family: 'grpc.Recv.Greeter', active: 1, buckets: [{ minNano: '0', count: 4 }, { minNano: '50000000', count: 3 }], errors: 1 }],
      eventLogFamilies: [{ family: 'conn.pool', total: 2, errors: { '10s': 0, '1m': 1, '10m': 1, '1h': 1, '10h': 1 } }],
    });
    expect(families.requestFamilies[0]!.buckets).toEqual([
      { minNano: 0, count: 4 },
      { minNano: 50e6, count: 3 },
    ]);
    expect(families.eventLogFamilies[0]!.errors['1m']).toBe(1);
    expect(() => parseNettraceFamiliesResponse({ requestFamilies: [{ family: 'f', active: 0, buckets: [{ minNano: 5, count: 1 }], errors: 0 }], eventLogFamilies: [] })).toThrow(
      /requestFamilies\[0\]\.buckets\[0\]\.minNano/,
    );
  });
});
