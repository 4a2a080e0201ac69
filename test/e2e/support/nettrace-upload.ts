import { expect } from 'vitest';

const MS = 1_000_000n;

export interface RecordSpec {
  type: 'trace' | 'eventLog';
  recordId: string;
  family: string;
  title: string;
  startMsAgo: number;
  elapsedMs: number;
  state?: 'active' | 'finished';
  error?: boolean;
  events?: Array<{ msAfterStart: number; message: string; sensitive?: boolean; error?: boolean }>;
}

/** Uploads records the way the Go bridge (clients/go/nettrace) does: JSON to /v1/nettrace, one resource per upload. */
export async function upload(otlpHttp: string, resource: Record<string, string>, records: RecordSpec[], nowMs: number): Promise<void> {
  const body = {
    resource,
    records: records.map((r) => {
      const start = BigInt(nowMs - r.startMsAgo) * MS;
      return {
        type: r.type,
        recordId: r.recordId,
        seq: 1,
        family: r.family,
        title: r.title,
        startTimeUnixNano: start.toString(),
        elapsedNano: (BigInt(r.elapsedMs) * MS).toString(),
        state: r.state ?? 'finished',
        error: r.error ?? false,
        maxEvents: 100,
        discardedEvents: 0,
        events: (r.events ?? []).map((e) => ({
          timeUnixNano: (start + BigInt(e.msAfterStart) * MS).toString(),
          message: e.message,
          sensitive: e.sensitive ?? false,
          error: e.error ?? false,
        })),
      };
    }),
  };
  const response = await fetch(`${otlpHttp}/v1/nettrace`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.text()).toBe(200);
}
