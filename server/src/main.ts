#!/usr/bin/env node
import { pino } from 'pino';
import { setLogVerbosity, logVerbosity } from '@grpc/grpc-js';
import { ConfigError, HelpRequested, VersionRequested, parseConfig, type Config } from './config.js';
import { startServer } from './server.js';
import { packageVersion } from './version.js';
import { exposureWarnings } from './access/exposure-warnings.js';
import { widenHeapGrowth } from './threads/heap-growth.js';

const LISTENER_LABELS: Record<string, string> = {
  http: 'UI + query API',
  'otlp-http': 'OTLP/HTTP',
  'otlp-grpc': 'OTLP/gRPC',
  zipkin: 'Zipkin v2',
};

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(err.usage + '\n');
      process.exit(0);
    }
    if (err instanceof VersionRequested) {
      process.stdout.write(`threadline ${packageVersion()}\n`);
      process.exit(0);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`threadline: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  // grpc-js prints its own lines on bind errors; ours says it once, in our words.
  setLogVerbosity(logVerbosity.NONE);
  widenHeapGrowth();
  const logger = pino({ level: config.logLevel, base: undefined }, pino.destination(2));
  let handle;
  try {
    handle = await startServer(config, { logger });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'EADDRINUSE' || code === 'EACCES' ? `cannot listen: ${(err as Error).message}` : (err as Error).message;
    process.stderr.write(`threadline: ${message}\n`);
    process.exit(code === 'EADDRINUSE' || code === 'EACCES' || (err as Error).name === 'StoreVersionError' ? 2 : 1);
  }
  for (const l of handle.listeners) process.stdout.write(`threadline: ${LISTENER_LABELS[l.name] ?? l.name} listening on ${l.url}\n`);
  process.stdout.write(`threadline: storing in ${config.db}\n`);
  process.stdout.write(`threadline: file descriptor limit ${handle.descriptorLimit ?? 'unknown'}; up to ${handle.connectionCap} connections per listener\n`);
  for (const warning of exposureWarnings(config)) process.stderr.write(`threadline: warning: ${warning}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write('threadline: second signal, exiting without flushing\n');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: flushing ingest queue');
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
