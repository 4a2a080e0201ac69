import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest/ingest-limits.js';

/**
 * Command-line and environment configuration. `parseConfig` is pure: it reads only
 * its arguments and throws `ConfigError` with one line a user can act on; `main.ts`
 * prints that line and exits with code 2.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A listener port: a number (0 = any free port) or `off`. */
export type PortSetting = number | 'off';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Every setting; the per-request ingest limits are `IngestLimits`' fields. */
export type StorageKind = 'sqlite' | 'clickhouse';

export interface Config extends IngestLimits {
  /** Which store holds the data: one SQLite file (`db`), or a ClickHouse that any number of nodes share. */
  storage: StorageKind;
  db: string;
  clickhouseUrl: string;
  /** From THREADLINE_CLICKHOUSE_PASSWORD only (kept out of `ps`); overrides a password in the URL. */
  clickhousePassword: string;
  clickhouseDatabase: string;
  /** Empty: a single server; else DDL runs ON CLUSTER, with local and Distributed tables. */
  clickhouseCluster: string;
  host: string;
  httpPort: PortSetting;
  otlpHttpPort: PortSetting;
  otlpGrpcPort: PortSetting;
  zipkinPort: PortSetting;
  /** Spans older than this are deleted; 0 keeps everything. */
  retentionNs: bigint;
  /** The database is trimmed (oldest traces first) above this size; 0 = no limit. */
  maxDbSizeBytes: number;
  logLevel: LogLevel;
  keepSensitive: boolean;
  /** Access (issue 9): bearer tokens, or files holding them so they stay out of `ps`. */
  ingestToken: string;
  ingestTokenFile: string;
  uiToken: string;
  uiTokenFile: string;
  /** PEM files; both set = TLS on every listener. */
  tlsCert: string;
  tlsKey: string;
  /** Origins allowed to call the HTTP listeners from a browser (CORS); empty = none. */
  corsOrigins: string[];
  /** Host header names served; empty = loopback names when bound to loopback, any otherwise. */
  allowedHosts: string[];
  /** Bytes all ingest requests may hold at once, read and decoded; past it ingest answers 429. */
  maxInflightBytes: number;
  /** Open connections per listener, and per client address on each listener. */
  maxConnections: number;
  maxConnectionsPerClient: number;
}

interface OptionSpec {
  flag: string;
  env: string;
  boolean?: boolean;
  help: string;
  /** As --help shows it. */
  default: string;
  apply(config: Config, raw: string): void;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const OPTIONS: readonly OptionSpec[] = [
  { flag: 'storage', env: 'THREADLINE_STORAGE', help: 'sqlite (one file, --db) or clickhouse (shared by any number of nodes)', default: 'sqlite', apply: (c, v) => (c.storage = parseStorage(v)) },
  { flag: 'db', env: 'THREADLINE_DB', help: 'SQLite database file, or :memory:', default: './data/threadline.db', apply: (c, v) => (c.db = parseNonEmpty('db', v)) },
  { flag: 'clickhouse-url', env: 'THREADLINE_CLICKHOUSE_URL', help: 'ClickHouse HTTP(S) URL, user and password in it or the password in THREADLINE_CLICKHOUSE_PASSWORD', default: 'http://localhost:8123', apply: (c, v) => (c.clickhouseUrl = parseHttpUrl('clickhouse-url', v)) },
  { flag: 'clickhouse-database', env: 'THREADLINE_CLICKHOUSE_DATABASE', help: 'ClickHouse database, created when missing', default: 'threadline', apply: (c, v) => (c.clickhouseDatabase = parseIdentifier('clickhouse-database', v)) },
  { flag: 'clickhouse-cluster', env: 'THREADLINE_CLICKHOUSE_CLUSTER', help: 'ClickHouse cluster: DDL ON CLUSTER, replicated local tables plus Distributed tables', default: '', apply: (c, v) => (c.clickhouseCluster = parseIdentifier('clickhouse-cluster', v)) },
  { flag: 'host', env: 'THREADLINE_HOST', help: 'address every listener binds; 0.0.0.0 for all', default: '127.0.0.1', apply: (c, v) => (c.host = parseNonEmpty('host', v)) },
  { flag: 'http-port', env: 'THREADLINE_HTTP_PORT', help: 'UI, query API and HTTP ingest', default: '16686', apply: (c, v) => (c.httpPort = parsePort('http-port', v)) },
  { flag: 'otlp-http-port', env: 'THREADLINE_OTLP_HTTP_PORT', help: 'OTLP/HTTP and net/trace ingest', default: '4318', apply: (c, v) => (c.otlpHttpPort = parsePort('otlp-http-port', v)) },
  { flag: 'otlp-grpc-port', env: 'THREADLINE_OTLP_GRPC_PORT', help: 'OTLP/gRPC ingest', default: '4317', apply: (c, v) => (c.otlpGrpcPort = parsePort('otlp-grpc-port', v)) },
  { flag: 'zipkin-port', env: 'THREADLINE_ZIPKIN_PORT', help: 'Zipkin v2 ingest', default: '9411', apply: (c, v) => (c.zipkinPort = parsePort('zipkin-port', v)) },
  { flag: 'retention', env: 'THREADLINE_RETENTION', help: 'delete spans older than this, e.g. 72h or 7d; 0 keeps all', default: '168h', apply: (c, v) => (c.retentionNs = parseRetention(v)) },
  { flag: 'max-db-size', env: 'THREADLINE_MAX_DB_SIZE', help: 'trim oldest traces above this size, e.g. 2GiB or 500MB; 0 = unlimited', default: '0', apply: (c, v) => (c.maxDbSizeBytes = parseByteSize('max-db-size', v)) },
  { flag: 'log-level', env: 'THREADLINE_LOG_LEVEL', help: `one of ${LOG_LEVELS.join(', ')}`, default: 'info', apply: (c, v) => (c.logLevel = parseLogLevel(v)) },
  { flag: 'keep-sensitive', env: 'THREADLINE_KEEP_SENSITIVE', boolean: true, help: 'store net/trace messages marked sensitive instead of redacting them', default: 'false', apply: (c, v) => (c.keepSensitive = parseBoolean('keep-sensitive', v)) },
  { flag: 'ingest-token', env: 'THREADLINE_INGEST_TOKEN', help: 'require Authorization: Bearer TOKEN on every ingest request (gRPC: authorization metadata)', default: '', apply: (c, v) => (c.ingestToken = parseToken('ingest-token', v)) },
  { flag: 'ingest-token-file', env: 'THREADLINE_INGEST_TOKEN_FILE', help: 'read the ingest token from this file', default: '', apply: (c, v) => (c.ingestTokenFile = parseNonEmpty('ingest-token-file', v)) },
  { flag: 'ui-token', env: 'THREADLINE_UI_TOKEN', help: 'require this token for the UI, query API and /metrics', default: '', apply: (c, v) => (c.uiToken = parseToken('ui-token', v)) },
  { flag: 'ui-token-file', env: 'THREADLINE_UI_TOKEN_FILE', help: 'read the UI token from this file', default: '', apply: (c, v) => (c.uiTokenFile = parseNonEmpty('ui-token-file', v)) },
  { flag: 'tls-cert', env: 'THREADLINE_TLS_CERT', help: 'PEM certificate (chain): serve every listener over TLS (with --tls-key)', default: '', apply: (c, v) => (c.tlsCert = parseNonEmpty('tls-cert', v)) },
  { flag: 'tls-key', env: 'THREADLINE_TLS_KEY', help: 'PEM private key for --tls-cert', default: '', apply: (c, v) => (c.tlsKey = parseNonEmpty('tls-key', v)) },
  { flag: 'cors-origin', env: 'THREADLINE_CORS_ORIGIN', help: 'comma-separated origins allowed to call the HTTP API from a browser; none when unset', default: '', apply: (c, v) => (c.corsOrigins = parseOrigins(v)) },
  { flag: 'allowed-hosts', env: 'THREADLINE_ALLOWED_HOSTS', help: 'comma-separated Host names served; when unset, loopback names if bound to loopback, any otherwise', default: '', apply: (c, v) => (c.allowedHosts = parseHostList(v)) },
  { flag: 'max-span-attributes', env: 'THREADLINE_MAX_SPAN_ATTRIBUTES', help: 'attributes kept per span, event and link; the rest are dropped and counted', default: '128', apply: (c, v) => (c.maxSpanAttributes = parseCount('max-span-attributes', v)) },
  { flag: 'max-span-events', env: 'THREADLINE_MAX_SPAN_EVENTS', help: 'events kept per span', default: '128', apply: (c, v) => (c.maxSpanEvents = parseCount('max-span-events', v)) },
  { flag: 'max-span-links', env: 'THREADLINE_MAX_SPAN_LINKS', help: 'links kept per span', default: '128', apply: (c, v) => (c.maxSpanLinks = parseCount('max-span-links', v)) },
  { flag: 'max-attribute-length', env: 'THREADLINE_MAX_ATTRIBUTE_LENGTH', help: 'longer strings (values, names, keys) are truncated and marked', default: '4KiB', apply: (c, v) => (c.maxAttributeLength = parseByteSize('max-attribute-length', v)) },
  { flag: 'max-spans-per-request', env: 'THREADLINE_MAX_SPANS_PER_REQUEST', help: 'spans past this in one request are rejected', default: '20000', apply: (c, v) => (c.maxSpansPerRequest = parseCount('max-spans-per-request', v)) },
  { flag: 'max-objects-per-request', env: 'THREADLINE_MAX_OBJECTS_PER_REQUEST', help: 'a request decoding to more spans, attributes, events and links is refused with 413', default: '200000', apply: (c, v) => (c.maxObjectsPerRequest = parseCount('max-objects-per-request', v)) },
  { flag: 'max-inflight-bytes', env: 'THREADLINE_MAX_INFLIGHT_BYTES', help: 'memory all ingest requests may hold at once; past it 429 / RESOURCE_EXHAUSTED', default: '128MiB', apply: (c, v) => (c.maxInflightBytes = parseByteSize('max-inflight-bytes', v)) },
  { flag: 'max-connections', env: 'THREADLINE_MAX_CONNECTIONS', help: 'open connections per listener, lowered to fit the descriptor limit', default: '1024', apply: (c, v) => (c.maxConnections = parseCount('max-connections', v)) },
  { flag: 'max-connections-per-client', env: 'THREADLINE_MAX_CONNECTIONS_PER_CLIENT', help: 'open connections per client address on each listener', default: '256', apply: (c, v) => (c.maxConnectionsPerClient = parseCount('max-connections-per-client', v)) },
];

export function defaultConfig(): Config {
  return {
    storage: 'sqlite',
    db: './data/threadline.db',
    clickhouseUrl: 'http://localhost:8123',
    clickhousePassword: '',
    clickhouseDatabase: 'threadline',
    clickhouseCluster: '',
    host: '127.0.0.1',
    httpPort: 16686,
    otlpHttpPort: 4318,
    otlpGrpcPort: 4317,
    zipkinPort: 9411,
    retentionNs: 168n * 3600n * 1_000_000_000n,
    maxDbSizeBytes: 0,
    logLevel: 'info',
    keepSensitive: false,
    ingestToken: '',
    ingestTokenFile: '',
    uiToken: '',
    uiTokenFile: '',
    tlsCert: '',
    tlsKey: '',
    corsOrigins: [],
    allowedHosts: [],
    ...DEFAULT_INGEST_LIMITS,
    maxInflightBytes: 128 * 1024 * 1024,
    maxConnections: 1024,
    maxConnectionsPerClient: 256,
  };
}

/** Thrown for `--help`; carries the usage text so main can print it and exit 0. */
export class HelpRequested extends Error {
  constructor(readonly usage: string) {
    super('help requested');
  }
}

/** Thrown for `--version`; main prints the package version and exits 0. */
export class VersionRequested extends Error {
  constructor() {
    super('version requested');
  }
}

/** Every flag with its environment variable and default, as `threadline --help` prints them. */
export function usage(): string {
  const names = OPTIONS.map((o) => `  --${o.flag}${o.boolean ? '' : ' VALUE'}`);
  const column = Math.max(28, ...names.map((n) => n.length + 2));
  const lines = OPTIONS.flatMap((o, i) => [names[i]!.padEnd(column) + o.help, ' '.repeat(column) + `env ${o.env}, default ${o.default || 'none'}`]);
  return [
    'Usage: threadline [options]',
    '',
    'Options (every flag can also be set by its environment variable; a flag wins over the variable):',
    ...lines,
    '  --help, -h'.padEnd(column) + 'show this text',
    '  --version, -v'.padEnd(column) + 'print the version',
    '',
    'Ports take a number, 0 for any free port, or off to disable that listener.',
  ].join('\n');
}

export function parseConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): Config {
  const config = defaultConfig();
  for (const option of OPTIONS) {
    const raw = env[option.env];
    if (raw !== undefined && raw !== '') option.apply(config, raw);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new HelpRequested(usage());
    if (arg === '--version' || arg === '-v') throw new VersionRequested();
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}" (see --help)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const option = OPTIONS.find((o) => o.flag === name);
    if (!option) throw new ConfigError(`unknown option --${name} (see --help)`);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (option.boolean) value = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(`option --${name} needs a value`);
      value = next;
      i++;
    }
    option.apply(config, value);
  }
  const password = env.THREADLINE_CLICKHOUSE_PASSWORD;
  if (password !== undefined && password !== '') config.clickhousePassword = password;
  checkPortsDistinct(config);
  checkAccess(config);
  return config;
}

function checkPortsDistinct(config: Config): void {
  const ports: Array<[string, PortSetting]> = [
    ['http-port', config.httpPort],
    ['otlp-http-port', config.otlpHttpPort],
    ['otlp-grpc-port', config.otlpGrpcPort],
    ['zipkin-port', config.zipkinPort],
  ];
  const seen = new Map<number, string>();
  for (const [name, port] of ports) {
    if (port === 'off' || port === 0) continue;
    const other = seen.get(port);
    if (other) throw new ConfigError(`--${name} and --${other} are both ${port}; give each listener its own port or turn one off`);
    seen.set(port, name);
  }
}

function checkAccess(config: Config): void {
  if (config.ingestToken !== '' && config.ingestTokenFile !== '') throw new ConfigError('give --ingest-token or --ingest-token-file, not both');
  if (config.uiToken !== '' && config.uiTokenFile !== '') throw new ConfigError('give --ui-token or --ui-token-file, not both');
  if ((config.tlsCert === '') !== (config.tlsKey === '')) throw new ConfigError('--tls-cert and --tls-key go together');
}

/** Tokens travel in headers and cookies: printable ASCII without spaces or separators. */
export function parseToken(name: string, v: string): string {
  if (!/^[\x21-\x7e]{16,}$/.test(v) || /[",;\\]/.test(v)) {
    throw new ConfigError(`--${name} must be at least 16 printable characters without spaces, quotes, commas, semicolons or backslashes`);
  }
  return v;
}

function parseStorage(v: string): StorageKind {
  if (v !== 'sqlite' && v !== 'clickhouse') throw new ConfigError(`--storage must be sqlite or clickhouse, got "${v}"`);
  return v;
}

function parseHttpUrl(name: string, v: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`--${name} must be an http:// or https:// URL, got "${v}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`--${name} must be an http:// or https:// URL, got "${v}"`);
  return v;
}

/** Names that end up in DDL text (ClickHouse binds no identifiers there): plain identifiers only. */
function parseIdentifier(name: string, v: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v)) throw new ConfigError(`--${name} must be letters, digits and underscores, not starting with a digit, got "${v}"`);
  return v;
}

function parseCount(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new ConfigError(`--${name} must be a whole number of at least 1, got "${v}"`);
  return Number(v);
}

function parseOrigins(v: string): string[] {
  return splitList(v).map((origin) => {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(`--cors-origin takes origins like https://grafana.example.com:3000 (scheme, host, port; no path), got "${origin}"`);
    }
    return origin;
  });
}

function parseHostList(v: string): string[] {
  return splitList(v).map((host) => {
    if (!/^[a-z0-9.\-:[\]*]+$/i.test(host)) throw new ConfigError(`--allowed-hosts takes host names like threadline.internal or *.example.com, got "${host}"`);
    return host.toLowerCase();
  });
}

function splitList(v: string): string[] {
  return v.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

function parseNonEmpty(name: string, v: string): string {
  if (v.trim() === '') throw new ConfigError(`--${name} must not be empty`);
  return v;
}

export function parsePort(name: string, v: string): PortSetting {
  if (v === 'off') return 'off';
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new ConfigError(`--${name} must be a port number 0-65535 or off, got "${v}"`);
  return Number(v);
}

function parseLogLevel(v: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(v)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`);
  return v as LogLevel;
}

function parseBoolean(name: string, v: string): boolean {
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new ConfigError(`--${name} must be true or false, got "${v}"`);
}

const DURATION_UNITS_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60n * 1_000_000_000n,
  h: 3600n * 1_000_000_000n,
  d: 86_400n * 1_000_000_000n,
};

/** Go-style durations (`72h`, `1h30m`) plus `d` for days, as operators write retention. */
export function parseRetention(v: string): bigint {
  if (v === '0') return 0n;
  const re = /(\d+)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0n;
  let consumed = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    total += BigInt(m[1]!) * DURATION_UNITS_NS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== v.length || consumed === 0) throw new ConfigError(`--retention must be a duration like 72h, 7d or 1h30m (0 keeps everything), got "${v}"`);
  return total;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4,
};

export function parseByteSize(name: string, v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`--${name} must be a size like 500MB, 2GiB or a byte count, got "${v}"`);
  return Math.floor(Number(m[1]) * unit);
}
