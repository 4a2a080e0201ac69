import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionCaps {
  /** Open connections on this listener. */
  maxConnections: number;
  /** Open connections from one client address on this listener. */
  maxPerClient: number;
}

export interface ConnectionEvents {
  /** A connection was closed at once: the client's cap was reached, or the listener was full of busy connections. */
  refused(cap: 'per_client' | 'listener'): void;
  /** An idle connection was closed to make room for a new one. */
  evicted(): void;
  open(delta: 1 | -1): void;
}

/**
 * Slow headers and idle sockets must not keep working clients out: headers must arrive
 * within this, and the check runs every second instead of Node's 30 s.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** A whole request, a 20 MiB body on a slow link included. */
export const REQUEST_TIMEOUT_MS = 120_000;

/**
 * Caps the connections of one HTTP listener, so idle or trickling clients cannot take
 * every descriptor. At the cap, a new connection takes the place of the oldest one that
 * has no request in flight (never having sent one, or idle between keep-alive requests):
 * a thousand idle sockets are pushed out one by one by whoever arrives with work. When
 * every connection is busy, the new one is closed. A client over its own cap is closed
 * whatever the rest do.
 */
export function guardConnections(server: Server, caps: ConnectionCaps, events: ConnectionEvents, tls = false): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 1000;

  // Insertion order = age: the first idle socket found is the oldest.
  const open = new Set<Socket>();
  const busy = new Set<Socket>();
  const perClient = new Map<string, number>();

  // Over TLS, requests arrive on the TLS socket: count those (a handshake is bounded by its own timeout).
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? '';
    const mine = perClient.get(client) ?? 0;
    if (mine >= caps.maxPerClient) {
      events.refused('per_client');
      socket.destroy();
      return;
    }
    if (open.size >= caps.maxConnections) {
      if (!evictOldestIdle(open, busy)) {
        events.refused('listener');
        socket.destroy();
        return;
      }
      events.evicted();
    }
    open.add(socket);
    perClient.set(client, mine + 1);
    events.open(1);
    socket.once('close', () => {
      open.delete(socket);
      busy.delete(socket);
      const left = (perClient.get(client) ?? 1) - 1;
      if (left === 0) perClient.delete(client);
      else perClient.set(client, left);
      events.open(-1);
    });
  });
  server.on('request', (req, res) => {
    busy.add(req.socket);
    res.once('close', () => busy.delete(req.socket));
  });
}

function evictOldestIdle(open: Set<Socket>, busy: Set<Socket>): boolean {
  for (const socket of open) {
    if (busy.has(socket)) continue;
    // Deleted here, not on 'close': the room must be free before the new socket is counted.
    open.delete(socket);
    socket.destroy();
    return true;
  }
  return false;
}
