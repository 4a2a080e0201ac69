import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { ConnectionCap, guardConnections } from './connection-guard.js';

const servers: http.Server[] = [];
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function start(maxConnections: number, maxPerClient: number) {
  const events = { refused: [] as string[], evicted: 0, open: 0 };
  const server = http.createServer((_req, res) => res.end('ok'));
  guardConnections(server, { maxConnections, maxPerClient }, { refused: (c) => events.refused.push(c), evicted: () => events.evicted++, open: (d) => (events.open += d) });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, events };
}

function idleSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {});
    sockets.push(s);
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
}

describe('guardConnections', () => {
  it('lets a request through while the cap is full of idle sockets, pushing out the one idle the longest', async () => {
    const { port, events } = await start(5, 100);
    const idle: net.Socket[] = [];
    for (let i = 0; i < 5; i++) idle.push(await idleSocket(port));
    await until(() => events.open === 5);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
    expect(events.evicted).toBeGreaterThanOrEqual(1);
    await until(() => idle[0]!.destroyed || idle[0]!.readableEnded);
  });

  it('keeps a client to its own cap by closing its own longest-idle connections', async () => {
    const { port, events } = await start(100, 3);
    const first = await idleSocket(port);
    for (let i = 0; i < 4; i++) await idleSocket(port);
    await until(() => events.evicted === 2 && events.open === 3);
    await until(() => first.destroyed || first.readableEnded);
    expect(events.refused).toEqual([]);
  });
});

/** What ConnectionCap uses of a socket: its address, 'close', destroy(). */
function fakeSocket(name: string): Socket & { name: string } {
  const socket = Object.assign(new EventEmitter(), { name, remoteAddress: '127.0.0.1', destroyed: false }) as unknown as Socket & { name: string };
  socket.destroy = () => {
    (socket as { destroyed: boolean }).destroyed = true;
    socket.emit('close');
    return socket;
  };
  return socket;
}

describe('ConnectionCap', () => {
  it('pushes out the socket idle the longest, not the oldest one, which a kept-alive client is about to reuse', () => {
    const evicted: string[] = [];
    const cap = new ConnectionCap({ maxConnections: 100, maxPerClient: 3 }, { refused() {}, evicted() {}, open() {} });
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(fakeSocket);
    for (const s of [a!, b!, c!]) cap.admit(s);
    // a is the oldest connection but has just answered a request; b and c never sent one.
    cap.callStarted(a!);
    cap.callEnded(a!);
    expect(cap.admit(d!)).toBe(true);
    evicted.push(...[a!, b!, c!].filter((s) => s.destroyed).map((s) => s.name));
    expect(evicted).toEqual(['b']);
    // Then c (idle since accepted), then a (idle since its call), before d (never used, but newer than a's call).
    expect(cap.admit(e!)).toBe(true);
    expect([a!, c!, d!].filter((s) => s.destroyed).map((s) => s.name)).toEqual(['c']);
  });

  it('never pushes out a socket with a call in flight', () => {
    const refused: string[] = [];
    const cap = new ConnectionCap({ maxConnections: 100, maxPerClient: 2 }, { refused: (which) => refused.push(which), evicted() {}, open() {} });
    const [a, b, c] = ['a', 'b', 'c'].map(fakeSocket);
    cap.admit(a!);
    cap.admit(b!);
    cap.callStarted(a!);
    cap.callStarted(b!);
    expect(cap.admit(c!)).toBe(false);
    expect(refused).toEqual(['per_client']);
    expect(a!.destroyed || b!.destroyed).toBe(false);
  });
});
