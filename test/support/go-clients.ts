import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exePath, goBuild, run } from './go-demo.js';

/**
 * The small Go programs of test/interop/go-clients: `otlp-export` (one trace through the
 * OTel Go SDK's OTLP exporters, printing what the exporter reported) and `zipkin-shared`
 * (an RPC between two zipkin-go services whose child span is uploaded before its shared
 * server span).
 */

export const GO_CLIENTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../interop/go-clients');

export interface GoClients {
  otlpExport: string;
  zipkinShared: string;
}

export async function buildGoClients(outDir: string): Promise<GoClients> {
  await goBuild(GO_CLIENTS_DIR, outDir);
  return { otlpExport: exePath(outDir, 'otlp-export'), zipkinShared: exePath(outDir, 'zipkin-shared') };
}

export interface GoClientRun {
  code: number | string;
  output: string;
  /** From the "trace <id>" line. */
  traceId: string;
}

export async function runGoClient(bin: string, args: string[]): Promise<GoClientRun> {
  const { code, output } = await run(bin, args, { timeoutMs: 60_000 });
  const traceId = /^trace ([0-9a-f]{32})$/m.exec(output)?.[1];
  if (!traceId) throw new Error(`${path.basename(bin)} printed no trace ID (exit ${code}):\n${output}`);
  return { code, output, traceId };
}
