/**
 * Decodes a Zipkin v2 JSON upload (`POST /api/v2/spans`: a JSON array of spans, as
 * zipkin-go, Brave and the OpenTelemetry Zipkin exporters send it) into typed values.
 *
 * The decoder checks JSON shape only: every member that is present has the type the
 * Zipkin v2 API gives it, and numbers are whole and exact. Whether a span is usable
 * (IDs, timestamps) is judged span by span in `zipkin-to-spans.ts`, so one bad span does
 * not cost the rest of the batch. A shape error fails the whole upload, as Zipkin does.
 *
 * Absent and `null` members are the same thing (clients differ on which they send);
 * unknown members are ignored so newer clients keep working.
 */

export class ZipkinDecodeError extends Error {
  constructor(
    /** Where the problem is, as a JSON path: `$[3].localEndpoint.port`. */
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'ZipkinDecodeError';
  }
}

export interface ZipkinEndpoint {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

export interface ZipkinAnnotation {
  /** Epoch microseconds. */
  timestamp?: number;
  value?: string;
}

export interface ZipkinSpan {
  traceId?: string;
  id?: string;
  parentId?: string;
  name?: string;
  /** CLIENT, SERVER, PRODUCER or CONSUMER; anything else is kept for the normalizer to judge. */
  kind?: string;
  /** Epoch microseconds of the start; absent when the span is incomplete. */
  timestamp?: number;
  /** Microseconds. */
  duration?: number;
  debug?: boolean;
  shared?: boolean;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations: ZipkinAnnotation[];
  /** In upload order; a key repeated in the JSON keeps its last value, as JSON.parse does. */
  tags: Array<[key: string, value: string]>;
}

type JsonObject = Record<string, unknown>;

export function parseZipkinSpansJson(text: string): ZipkinSpan[] {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new ZipkinDecodeError('$', `not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(root)) throw new ZipkinDecodeError('$', `expected a JSON array of spans, got ${jsonType(root)}`);
  return root.map((value, i) => readSpan(value, `$[${i}]`));
}

function readSpan(value: unknown, path: string): ZipkinSpan {
  const o = asObject(value, path, 'a span object');
  // A v1 span decodes as a v2 span that silently lost its endpoints and tags; say so instead.
  if (member(o, 'binaryAnnotations') !== undefined) {
    throw new ZipkinDecodeError(`${path}.binaryAnnotations`, 'this is a Zipkin v1 span; send the v2 format to /api/v2/spans');
  }
  return {
    traceId: optString(o, 'traceId', path),
    id: optString(o, 'id', path),
    parentId: optString(o, 'parentId', path),
    name: optString(o, 'name', path),
    kind: optString(o, 'kind', path),
    timestamp: optWholeNumber(o, 'timestamp', path),
    duration: optWholeNumber(o, 'duration', path),
    debug: optBoolean(o, 'debug', path),
    shared: optBoolean(o, 'shared', path),
    localEndpoint: optEndpoint(o, 'localEndpoint', path),
    remoteEndpoint: optEndpoint(o, 'remoteEndpoint', path),
    annotations: readAnnotations(o, path),
    tags: readTags(o, path),
  };
}

function optEndpoint(o: JsonObject, key: string, parentPath: string): ZipkinEndpoint | undefined {
  const value = member(o, key);
  if (value === undefined) return undefined;
  const path = `${parentPath}.${key}`;
  const e = asObject(value, path, 'an endpoint object');
  const port = optWholeNumber(e, 'port', path);
  if (port !== undefined && port > 0xffff) throw new ZipkinDecodeError(`${path}.port`, `${port} is not a port number`);
  return {
    serviceName: optString(e, 'serviceName', path),
    ipv4: optString(e, 'ipv4', path),
    ipv6: optString(e, 'ipv6', path),
    port,
  };
}

function readAnnotations(o: JsonObject, parentPath: string): ZipkinAnnotation[] {
  const value = member(o, 'annotations');
  if (value === undefined) return [];
  const path = `${parentPath}.annotations`;
  if (!Array.isArray(value)) throw new ZipkinDecodeError(path, `expected an array, got ${jsonType(value)}`);
  return value.map((item, i) => {
    const itemPath = `${path}[${i}]`;
    const a = asObject(item, itemPath, 'an annotation object');
    return { timestamp: optWholeNumber(a, 'timestamp', itemPath), value: optString(a, 'value', itemPath) };
  });
}

/**
 * Tag values are strings in the Zipkin API; numbers and booleans from lenient clients are
 * taken as their JSON text, since that is what the sender meant. A null value is absent.
 */
function readTags(o: JsonObject, parentPath: string): Array<[string, string]> {
  const value = member(o, 'tags');
  if (value === undefined) return [];
  const path = `${parentPath}.tags`;
  const tags = asObject(value, path, 'an object of string tags');
  const out: Array<[string, string]> = [];
  for (const [key, v] of Object.entries(tags)) {
    if (v === null) continue;
    if (typeof v === 'string') out.push([key, v]);
    else if (typeof v === 'number' || typeof v === 'boolean') out.push([key, JSON.stringify(v)]);
    else throw new ZipkinDecodeError(`${path}[${JSON.stringify(key)}]`, `expected a string, got ${jsonType(v)}`);
  }
  return out;
}

/** Own members only: a span must not "have" `constructor` because Object.prototype does. */
function member(o: JsonObject, key: string): unknown {
  const value = Object.hasOwn(o, key) ? o[key] : undefined;
  return value === null ? undefined : value;
}

function asObject(value: unknown, path: string, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ZipkinDecodeError(path, `expected ${what}, got ${jsonType(value)}`);
  }
  return value as JsonObject;
}

function optString(o: JsonObject, key: string, path: string): string | undefined {
  const value = member(o, key);
  if (value === undefined || typeof value === 'string') return value;
  throw new ZipkinDecodeError(`${path}.${key}`, `expected a string, got ${jsonType(value)}`);
}

function optBoolean(o: JsonObject, key: string, path: string): boolean | undefined {
  const value = member(o, key);
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ZipkinDecodeError(`${path}.${key}`, `expected true or false, got ${jsonType(value)}`);
}

/**
 * Microsecond timestamps (~1.7e15) fit a double exactly; beyond 2^53 JSON.parse has
 * already rounded the number, so it is refused rather than stored wrong.
 */
function optWholeNumber(o: JsonObject, key: string, path: string): number | undefined {
  const value = member(o, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new ZipkinDecodeError(`${path}.${key}`, `expected a number, got ${jsonType(value)}`);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ZipkinDecodeError(`${path}.${key}`, `${value} is not a whole number from 0 to 2^53-1`);
  }
  return value;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  return `${typeof value} ${JSON.stringify(value)}`;
}
