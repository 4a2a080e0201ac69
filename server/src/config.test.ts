import { describe, expect, it } from 'vitest';
import { ConfigError, HelpRequested, OPTIONS, VersionRequested, defaultConfig, parseConfig, parseRetention, usage } from './config.js';
import { resolveTokens } from './access/token-files.js';

describe('parseConfig', () => {
  it('uses the documented defaults', () => {
    expect(parseConfig({}, [])).toEqual(defaultConfig());
    expect(defaultConfig()).toMatchObject({ db: './data/threadline.db', host: '127.0.0.1', httpPort: 16686, otlpHttpPort: 4318, otlpGrpcPort: 4317, zipkinPort: 9411 });
  });

  it('reads env vars and lets flags override them', () => {
    const c = parseConfig({ THREADLINE_DB: ':memory:', THREADLINE_HTTP_PORT: '9000', THREADLINE_ZIPKIN_PORT: 'off' }, ['--http-port', '0', '--log-level=debug', '--keep-sensitive']);
    expect(c.db).toBe(':memory:');
    expect(c.httpPort).toBe(0);
    expect(c.zipkinPort).toBe('off');
    expect(c.logLevel).toBe('debug');
    expect(c.keepSensitive).toBe(true);
  });

  it.each([
    [['--http-port', 'abc'], /--http-port must be a port number/],
    [['--http-port', '70000'], /--http-port must be a port number/],
    [['--bogus'], /unknown option --bogus/],
    [['--db'], /--db needs a value/],
    [['--retention', '3 days'], /--retention must be a duration/],
    [['--max-db-size', 'lots'], /--max-db-size must be a size/],
    [['--log-level', 'loud'], /--log-level must be one of/],
    [['--otlp-http-port', '5000', '--zipkin-port', '5000'], /both 5000/],
    [['positional'], /unexpected argument/],
  ])('rejects %j with one clear line', (argv, message) => {
    expect(() => parseConfig({}, argv)).toThrow(ConfigError);
    expect(() => parseConfig({}, argv)).toThrow(message);
  });

  it('rejects bad env values too', () => {
    expect(() => parseConfig({ THREADLINE_OTLP_GRPC_PORT: '-1' }, [])).toThrow(/--otlp-grpc-port/);
  });

  it('allows several listeners on port 0 (each picks its own free port)', () => {
    expect(() => parseConfig({}, ['--http-port', '0', '--otlp-http-port', '0'])).not.toThrow();
  });

  it('answers --help with the usage text and --version with the version', () => {
    expect(() => parseConfig({}, ['--help'])).toThrow(HelpRequested);
    expect(() => parseConfig({}, ['--db', 'x', '--version'])).toThrow(VersionRequested);
    expect(() => parseConfig({}, ['-v'])).toThrow(VersionRequested);
  });

  it('--help lists every flag with its environment variable and its real default', () => {
    const text = usage();
    for (const o of OPTIONS) {
      expect(text).toMatch(new RegExp(`--${o.flag}\\b[^]*env ${o.env}, default ${(o.default || 'none').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
      // The default shown is what Threadline uses when neither flag nor variable is set.
      expect(parseConfig({ [o.env]: o.default }, [])).toEqual(defaultConfig());
    }
    expect(text).toContain('--version');
  });

  it('parses sizes', () => {
    expect(parseConfig({}, ['--max-db-size', '2GiB']).maxDbSizeBytes).toBe(2 * 1024 ** 3);
    expect(parseConfig({}, ['--max-db-size', '500MB']).maxDbSizeBytes).toBe(500e6);
  });
});

describe('access and limit flags', () => {
  it('parses tokens, TLS, CORS origins, allowed hosts and limits from flags and env', () => {
    const c = parseConfig(
      { THREADLINE_UI_TOKEN_FILE: '/run/secrets/ui', THREADLINE_MAX_SPAN_ATTRIBUTES: '64' },
      ['--ingest-token', 'abcdefghijklmnop', '--tls-cert', 'c.pem', '--tls-key', 'k.pem', '--cors-origin', 'https://grafana.example:3000, http://localhost:5173', '--allowed-hosts', 'Tracing.Internal,*.corp.example', '--max-attribute-length', '1KiB', '--max-inflight-bytes', '64MiB'],
    );
    expect(c).toMatchObject({
      ingestToken: 'abcdefghijklmnop',
      uiTokenFile: '/run/secrets/ui',
      tlsCert: 'c.pem',
      tlsKey: 'k.pem',
      corsOrigins: ['https://grafana.example:3000', 'http://localhost:5173'],
      allowedHosts: ['tracing.internal', '*.corp.example'],
      maxSpanAttributes: 64,
      maxAttributeLength: 1024,
      maxInflightBytes: 64 * 1024 * 1024,
    });
    expect(defaultConfig()).toMatchObject({ maxSpanAttributes: 128, maxSpanEvents: 128, maxSpanLinks: 128, maxAttributeLength: 4096, corsOrigins: [], ingestToken: '' });
  });

  it.each([
    [['--ingest-token', 'short'], /at least 16 printable/],
    [['--ui-token', 'has a space in it!!'], /at least 16 printable/],
    [['--ingest-token', 'abcdefghijklmnop', '--ingest-token-file', 'f'], /not both/],
    [['--tls-cert', 'c.pem'], /go together/],
    [['--cors-origin', 'https://grafana.example/path'], /--cors-origin takes origins/],
    [['--cors-origin', '*'], /--cors-origin takes origins/],
    [['--allowed-hosts', 'a b'], /--allowed-hosts takes host names/],
    [['--max-span-events', '0'], /--max-span-events must be a whole number/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseConfig({}, argv)).toThrow(message);
  });

  it('lists every new flag in --help with its env var', () => {
    const text = (() => {
      try {
        parseConfig({}, ['--help']);
      } catch (err) {
        return (err as HelpRequested).usage;
      }
      return '';
    })();
    for (const flag of ['ingest-token', 'ingest-token-file', 'ui-token', 'ui-token-file', 'tls-cert', 'tls-key', 'cors-origin', 'allowed-hosts', 'max-span-attributes', 'max-inflight-bytes', 'max-connections-per-client']) {
      expect(text).toContain(`--${flag} `);
      expect(text).toContain(`THREADLINE_${flag.toUpperCase().replaceAll('-', '_')}`);
    }
  });
});

describe('resolveTokens', () => {
  it('reads token files, trimmed, and fails with one line when a file is missing or bad', () => {
    const files: Record<string, string> = { '/ok': '  s3cret-token-from-file\n', '/short': 'abc\n' };
    const read = (p: string) => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[p]!;
    };
    const config = { ...defaultConfig(), ingestTokenFile: '/ok', uiToken: 'ui-token-0123456789' };
    expect(resolveTokens(config, read)).toEqual({ ingestToken: 's3cret-token-from-file', uiToken: 'ui-token-0123456789' });
    expect(() => resolveTokens({ ...config, ingestTokenFile: '/missing' }, read)).toThrow(/--ingest-token-file: cannot read \/missing: ENOENT/);
    expect(() => resolveTokens({ ...config, uiTokenFile: '/short', uiToken: '' }, read)).toThrow(ConfigError);
  });
});

describe('parseRetention', () => {
  it('parses Go durations and days exactly', () => {
    expect(parseRetention('72h')).toBe(72n * 3600n * 1_000_000_000n);
    expect(parseRetention('1h30m')).toBe(5400n * 1_000_000_000n);
    expect(parseRetention('7d')).toBe(7n * 86400n * 1_000_000_000n);
    expect(parseRetention('0')).toBe(0n);
  });
  it('rejects trailing junk', () => {
    expect(() => parseRetention('72hx')).toThrow(ConfigError);
    expect(() => parseRetention('')).toThrow(ConfigError);
  });
});

describe('storage flags', () => {
  it('defaults to SQLite, and reads the ClickHouse settings from flags and env', () => {
    expect(defaultConfig()).toMatchObject({ storage: 'sqlite', clickhouseUrl: 'http://localhost:8123', clickhouseDatabase: 'threadline', clickhouseCluster: '', clickhousePassword: '' });
    const c = parseConfig(
      { THREADLINE_STORAGE: 'clickhouse', THREADLINE_CLICKHOUSE_URL: 'http://ch:8123', THREADLINE_CLICKHOUSE_PASSWORD: 's3cret' },
      ['--clickhouse-url', 'https://reader@ch.internal:8443', '--clickhouse-database', 'traces_prod', '--clickhouse-cluster', 'main'],
    );
    expect(c).toMatchObject({ storage: 'clickhouse', clickhouseUrl: 'https://reader@ch.internal:8443', clickhouseDatabase: 'traces_prod', clickhouseCluster: 'main', clickhousePassword: 's3cret' });
  });

  it.each([
    [['--storage', 'postgres'], /--storage must be sqlite or clickhouse/],
    [['--clickhouse-url', 'ch:8123'], /--clickhouse-url must be an http/],
    [['--clickhouse-url', 'tcp://ch:9000'], /--clickhouse-url must be an http/],
    [['--clickhouse-database', 'db; DROP TABLE x'], /--clickhouse-database must be letters/],
    [['--clickhouse-cluster', '1main'], /--clickhouse-cluster must be letters/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseConfig({}, argv)).toThrow(message);
  });

  it('keeps the password out of the flags (and so out of ps)', () => {
    expect(OPTIONS.some((o) => o.flag.includes('password'))).toBe(false);
    expect(usage()).toContain('THREADLINE_CLICKHOUSE_PASSWORD');
  });
});
