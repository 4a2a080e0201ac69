/** Wire types of the query APIs, shared by the server that emits them and the UI that reads them. */

/** The Jaeger query service's envelope (`/api/*`). */
export interface JaegerResponse<T> {
  data: T;
  total: number;
  limit: number;
  offset: number;
  errors: JaegerError[] | null;
}

export interface JaegerError {
  code: number;
  msg: string;
  traceID?: string;
}

export type JaegerTagType = 'string' | 'bool' | 'int64' | 'float64' | 'binary';

export interface JaegerTag {
  key: string;
  type: JaegerTagType;
  value: string | boolean | number;
}

export interface JaegerLog {
  /** Microseconds since the Unix epoch. */
  timestamp: number;
  fields: JaegerTag[];
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM';
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: JaegerReference[];
  /** Microseconds since the Unix epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerTag[];
  logs: JaegerLog[];
  processID: string;
  warnings: string[] | null;
}

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: string[] | null;
}

export interface JaegerOperation {
  name: string;
  spanKind: string;
}

export interface JaegerDependency {
  parent: string;
  child: string;
  callCount: number;
}

/** google.rpc.Status as OTLP/HTTP returns it in JSON. */
export interface RpcStatusJson {
  code: number;
  message: string;
  details: unknown[];
}
