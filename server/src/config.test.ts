import { describe, expect, it } from 'vitest';
import { ConfigError, HelpRequested, OPTIONS, VersionRequested, defaultConfig, parseConfig, parseRetention, usage } from './config.js';

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
      expect(text).toMatch(new RegExp(`--${o.flag}\\b[^]*env ${o.env}, default ${o.default.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`));
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
