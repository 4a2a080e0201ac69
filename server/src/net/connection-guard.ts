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
 * every descriptor. At the cap, a new connection takes the place of the one idle the
 * longest (never having sent a request, or between keep-alive requests):
 * a thousand idle sockets are pushed out one by one by whoever arrives with work. When
 * every connection is busy, the new one is closed. A client at its own cap makes room
 * among its own connections only, the same way.
 */
export function guardConnections(server: Server, caps: ConnectionCaps, events: ConnectionEvents, tls = false): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  (server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval = 1000;

  const cap = new ConnectionCap(caps, events);
  // Over TLS, requests arrive on the TLS socket: count those (a handshake is bounded by its own timeout).
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => cap.admit(socket));
  server.on('request', (req, res) => {
    cap.callStarted(req.socket);
    res.once('close', () => cap.callEnded(req.socket));
  });
}

/**
 * The caps of one listener, over the sockets it accepted, whatever speaks on them (HTTP/1.1
 * here, HTTP/2 under gRPC in grpc-listener.ts). A socket is busy while a call is in flight
 * on it (HTTP/2 can carry several at once).
 */
export class ConnectionCap {
  // Insertion order = when a socket last went idle (accepted, or its last call ended): the
  // first idle socket found is the one idle the longest. Not the oldest connection, which
  // may have answered a moment ago: a kept-alive client is likely sending its next request
  // on it, and that request fails with a reset. (A client that opens a connection past its
  // cap has no free socket of its own, so whichever of its sockets is pushed out may be
  // carrying its next request: overload.ts's 512 exporters on one address still see a few
  // such resets, which they retry.)
  private readonly open = new Set<Socket>();
  private readonly calls = new Map<Socket, number>();
  private readonly byClient = new Map<string, Set<Socket>>();

  constructor(
    private readonly caps: ConnectionCaps,
    private readonly events: ConnectionEvents,
  ) {}

  /** No caps, no events: for a listener started on its own (tests). */
  static none(): ConnectionCap {
    return new ConnectionCap({ maxConnections: Infinity, maxPerClient: Infinity }, { refused() {}, evicted() {}, open() {} });
  }

  /** Counts a new socket, making room by closing an idle one if needed; false (and the socket destroyed) when refused. */
  admit(socket: Socket): boolean {
    const client = socket.remoteAddress ?? '';
    const mine = this.byClient.get(client) ?? new Set<Socket>();
    // Room on the client's own connections first (it cannot push out anyone else's for that), then on the listener's.
    if (!this.hasRoom(mine, this.caps.maxPerClient, 'per_client') || !this.hasRoom(this.open, this.caps.maxConnections, 'listener')) {
      socket.destroy();
      return false;
    }
    this.open.add(socket);
    mine.add(socket);
    this.byClient.set(client, mine);
    this.events.open(1);
    socket.once('close', () => {
      this.open.delete(socket);
      this.calls.delete(socket);
      mine.delete(socket);
      if (mine.size === 0 && this.byClient.get(client) === mine) this.byClient.delete(client);
      this.events.open(-1);
    });
    return true;
  }

  callStarted(socket: Socket): void {
    this.calls.set(socket, (this.calls.get(socket) ?? 0) + 1);
  }

  callEnded(socket: Socket): void {
    const n = (this.calls.get(socket) ?? 1) - 1;
    if (n > 0) {
      this.calls.set(socket, n);
      return;
    }
    this.calls.delete(socket);
    // Idle from now: to the back of the eviction order (a socket already closed is not put back).
    if (this.open.delete(socket)) this.open.add(socket);
    const mine = this.byClient.get(socket.remoteAddress ?? '');
    if (mine?.delete(socket)) mine.add(socket);
  }

  private hasRoom(among: Set<Socket>, cap: number, which: 'per_client' | 'listener'): boolean {
    if (among.size < cap) return true;
    if (this.evictLongestIdle(among)) {
      this.events.evicted();
      return true;
    }
    this.events.refused(which);
    return false;
  }

  /** Destroys the socket of `sockets` idle the longest; false when all are busy. */
  private evictLongestIdle(sockets: Set<Socket>): boolean {
    for (const socket of sockets) {
      if (this.calls.has(socket)) continue;
      // Forgotten now, not on 'close': the room must be free before the new socket is counted.
      this.open.delete(socket);
      this.byClient.get(socket.remoteAddress ?? '')?.delete(socket);
      socket.destroy();
      return true;
    }
    return false;
  }
}
