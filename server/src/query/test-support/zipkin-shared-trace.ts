/**
 * Test-only: a Zipkin trace with a shared server span (client and server report one span ID)
 * and a child on each side of it, as zipkin-go uploads them: children first.
 */
export const SHARED_TRACE = '5af7183fb1d4cf5f5af7183fb1d4cf5f';
export const SHARED_CLIENT_ID = '352bff9a74ca9ad2';

const client = { traceId: SHARED_TRACE, id: SHARED_CLIENT_ID, kind: 'CLIENT', timestamp: 1000, duration: 500, localEndpoint: { serviceName: 'frontend' } };
const server = { ...client, kind: 'SERVER', shared: true, timestamp: 1100, duration: 300, localEndpoint: { serviceName: 'backend' } };
/** The server's work under the shared span. */
export const serverChild = { traceId: SHARED_TRACE, id: 'aaaaaaaaaaaaaaaa', parentId: SHARED_CLIENT_ID, timestamp: 1150, duration: 10, localEndpoint: { serviceName: 'backend' } };
/** The client's own work under its client span. */
export const clientSideChild = { ...serverChild, id: 'bbbbbbbbbbbbbbbb', localEndpoint: { serviceName: 'frontend' } };

/** The two uploads (Zipkin v2 JSON span objects), in the order they are sent. */
export const SHARED_TRACE_UPLOADS: object[][] = [
  [serverChild, clientSideChild],
  [client, server],
];
