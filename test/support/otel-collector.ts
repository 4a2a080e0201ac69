import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startGoProcess, type GoProcess } from './go-demo.js';

/**
 * Runs the OpenTelemetry Collector built from test/interop/otelcol with an OTLP receiver
 * (gRPC and HTTP) and one OTLP exporter pointing at Threadline.
 */

export type CollectorExporter =
  | { type: 'otlp_grpc'; endpoint: string }
  | { type: 'otlp_http'; endpoint: string; encoding: 'proto' | 'json' };

export interface RunningCollector {
  /** Where services send: http://127.0.0.1:PORT (gRPC) and http://127.0.0.1:PORT (HTTP). */
  grpc: string;
  http: string;
  process: GoProcess;
  stop(): Promise<void>;
}

/** A port free right now; the collector cannot bind port 0 and tell us which it got. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The collector's config (JSON is YAML): gzip towards Threadline, quick retries (the
 * delay Threadline asks for with Retry-After / RetryInfo still applies), no own metrics.
 */
export function collectorConfig(grpcPort: number, httpPort: number, exporter: CollectorExporter): object {
  const common = { compression: 'gzip', retry_on_failure: { enabled: true, initial_interval: '100ms', max_interval: '1s', max_elapsed_time: '60s' } };
  const exporterConfig =
    exporter.type === 'otlp_grpc'
      ? { ...common, endpoint: exporter.endpoint.replace(/^http:\/\//, ''), tls: { insecure: true } }
      : { ...common, endpoint: exporter.endpoint, encoding: exporter.encoding };
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpcPort}` }, http: { endpoint: `127.0.0.1:${httpPort}` } } } },
    exporters: { [exporter.type]: exporterConfig },
    service: {
      telemetry: { metrics: { level: 'none' }, logs: { level: 'info' } },
      pipelines: { traces: { receivers: ['otlp'], exporters: [exporter.type] } },
    },
  };
}

export async function startCollector(bin: string, exporter: CollectorExporter): Promise<RunningCollector> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-otelcol-'));
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify(collectorConfig(grpcPort, httpPort, exporter), null, 2));
  const proc = startGoProcess(`otelcol (${exporter.type})`, bin, {}, ['--config', config]);
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitForOutput(/Everything is ready/, 30_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { grpc: `http://127.0.0.1:${grpcPort}`, http: `http://127.0.0.1:${httpPort}`, process: proc, stop };
}
