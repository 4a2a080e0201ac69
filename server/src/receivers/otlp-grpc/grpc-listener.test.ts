import net from 'node:net';
import { Client, Metadata, credentials, type ServiceError } from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestGate } from '../../ingest/ingest-gate.js';
import { ConnectionCap } from '../../net/connection-guard.js';
import { buildSampleTraceRequest } from '../otlp/otlp-sample-requests.js';
import { encodeExportTraceRequestProto } from '../otlp/otlp-proto-encoder.js';
import { startOtlpGrpcServer, type OtlpGrpcHandle } from './otlp-grpc-receiver.js';
import { TRACE_SERVICE_EXPORT_PATH } from './trace-service-definition.js';

const logger = pino({ level: 'silent' });
const body = encodeExportTraceRequestProto(buildSampleTraceRequest({ spans: 2 }));

let handle: OtlpGrpcHandle | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await handle?.close();
  handle = undefined;
});

async function start(maxConnections: number, submit: () => Promise<void> = async () => {}) {
  const events = { refused: [] as string[], evicted: 0, open: 0 };
  const connectionCap = new ConnectionCap(
    { maxConnections, maxPerClient: 1000 },
    { refused: (c) => events.refused.push(c), evicted: () => events.evicted++, open: (d) => (events.open += d) },
  );
  handle = await startOtlpGrpcServer({ queue: { submit }, gate: IngestGate.open(logger), logger, host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, shutdownTimeoutMs: 500, connectionCap });
  return { port: handle.port, events };
}

/** A TCP connection that never says anything, as an idle or hostile client holds one (it reads, so it sees its end). */
function idleSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {});
    s.resume();
    sockets.push(s);
  });
}

function exportOnce(port: number): Promise<ServiceError | null> {
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_SERVICE_EXPORT_PATH, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, body, new Metadata(), { deadline: Date.now() + 5000 }, (error) => {
      client.close();
      resolve(error);
    });
  });
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('the gRPC listener\'s connection cap', () => {
  it('lets an exporter through while the cap is full of idle sockets, closing the oldest idle one', async () => {
    const { port, events } = await start(5);
    const idle: net.Socket[] = [];
    for (let i = 0; i < 5; i++) idle.push(await idleSocket(port));
    await until(() => events.open === 5);
    expect(await exportOnce(port)).toBeNull();
    expect(events.evicted).toBeGreaterThanOrEqual(1);
    await until(() => idle[0]!.destroyed || idle[0]!.readableEnded);
    expect(events.open).toBeLessThanOrEqual(5);
  });

  it('never closes a connection with a call in flight: a newcomer is refused instead', async () => {
    let release!: () => void;
    let reached = false;
    const stalled = new Promise<void>((r) => (release = r));
    const { port, events } = await start(1, () => {
      reached = true;
      return stalled;
    });
    const inFlight = exportOnce(port);
    // The call is in the handler, waiting for its spans to be committed.
    await until(() => reached);
    const newcomer = await idleSocket(port);
    await until(() => events.refused.length === 1);
    expect(events.refused).toEqual(['listener']);
    await until(() => newcomer.destroyed || newcomer.readableEnded);
    release();
    expect(await inFlight).toBeNull();
  });
});
