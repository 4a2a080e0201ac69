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
 * every connection is busy, the new one is closed. A client at its own cap makes room
 * among its own connections only, the same way.
 */
export function guardConnections(server: Server, caps: ConnectionCaps, events: ConnectionEvents, tls = false): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 1000;

  // Insertion order = age: the first idle socket found is the oldest.
  const open = new Set<Socket>();
  const busy = new Set<Socket>();
  const byClient = new Map<string, Set<Socket>>();
  // Forgotten at eviction, not on 'close': the room must be free before the new socket is counted.
  const forget = (socket: Socket) => {
    open.delete(socket);
    byClient.get(socket.remoteAddress ?? '')?.delete(socket);
  };

  // Over TLS, requests arrive on the TLS socket: count those (a handshake is bounded by its own timeout).
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? '';
    const mine = byClient.get(client) ?? new Set<Socket>();
    // Room on the client's own connections first (it cannot push out anyone else's for that), then on the listener's.
    const hasRoom = (among: Set<Socket>, cap: number, which: 'per_client' | 'listener') => {
      if (among.size < cap) return true;
      if (evictOldestIdle(among, busy, forget)) {
        events.evicted();
        return true;
      }
      events.refused(which);
      return false;
    };
    if (!hasRoom(mine, caps.maxPerClient, 'per_client') || !hasRoom(open, caps.maxConnections, 'listener')) {
      socket.destroy();
      return;
    }
    open.add(socket);
    mine.add(socket);
    byClient.set(client, mine);
    events.open(1);
    socket.once('close', () => {
      open.delete(socket);
      busy.delete(socket);
      mine.delete(socket);
      if (mine.size === 0 && byClient.get(client) === mine) byClient.delete(client);
      events.open(-1);
    });
  });
  server.on('request', (req, res) => {
    busy.add(req.socket);
    res.once('close', () => busy.delete(req.socket));
  });
}

/** Destroys the oldest socket of `sockets` with no request in flight; false when all are busy. */
function evictOldestIdle(sockets: Set<Socket>, busy: Set<Socket>, forget: (socket: Socket) => void): boolean {
  for (const socket of sockets) {
    if (busy.has(socket)) continue;
    forget(socket);
    socket.destroy();
    return true;
  }
  return false;
}
