import net, { type Socket } from 'node:net';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { ConnectionCap } from '../../net/connection-guard.js';

export interface CappedGrpcListener {
  port: number;
  /** A call from `peer` (grpc-js `call.getPeer()`) is in flight / has ended: its connection is busy / may be idle. */
  callStarted(peer: string): void;
  callEnded(peer: string): void;
  /** Stops accepting; grpc-js's own shutdown closes the connections. */
  close(): void;
}

/**
 * The gRPC listener's socket, ours rather than grpc-js's, so that connections are capped
 * like the HTTP listeners' (grpc-js has no such option and no hook on accept): a
 * `net.Server` counts each accepted socket against the caps (ConnectionCap, which closes
 * the oldest idle one to make room) and hands the ones it keeps to grpc-js through its
 * public `createConnectionInjector`, which runs the HTTP/2 (and TLS) server on them.
 * Calls are tied to sockets by peer address, which grpc-js reports as the socket's
 * `remoteAddress:remotePort`.
 */
export async function listenCapped(server: Server, credentials: ServerCredentials, host: string, port: number, cap: ConnectionCap): Promise<CappedGrpcListener> {
  const injector = server.createConnectionInjector(credentials);
  const byPeer = new Map<string, Socket>();
  const front = net.createServer((socket) => {
    if (!cap.admit(socket)) return;
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    byPeer.set(peer, socket);
    socket.once('close', () => byPeer.delete(peer));
    injector.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  const withSocket = (peer: string, use: (socket: Socket) => void) => {
    const socket = byPeer.get(peer);
    if (socket) use(socket);
  };
  return {
    port: (front.address() as net.AddressInfo).port,
    callStarted: (peer) => withSocket(peer, (s) => cap.callStarted(s)),
    callEnded: (peer) => withSocket(peer, (s) => cap.callEnded(s)),
    close: () => {
      front.close();
    },
  };
}
