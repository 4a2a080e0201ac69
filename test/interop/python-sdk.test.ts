import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonWithOtel } from '../support/cached-tools.js';
import { run } from '../support/go-demo.js';
import { startTestServer, type TestServer } from '../support/in-process-server.js';
import { toolTestsEnabled } from '../support/required-tool.js';
import { expectWholeSenderTrace, waitForSenderTrace } from '../support/sender-trace.js';

/**
 * A Python service: the OpenTelemetry Python SDK from PyPI (installed into a cached
 * virtualenv by scripts/python-env.mjs) exporting straight to Threadline over OTLP/HTTP
 * and OTLP/gRPC.
 */

const python = process.env.THREADLINE_PYTHON ?? 'python3';
const hasPython = toolTestsEnabled(
  { tool: python, available: spawnSync(python, ['--version'], { stdio: 'ignore' }).status === 0, requireEnv: 'THREADLINE_REQUIRE_PYTHON', install: 'install Python 3.9+ with venv' },
  'Python SDK interop tests',
);
const SEND_TRACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'python/send_trace.py');
const CHILDREN = 3;

describe.skipIf(!hasPython)('OpenTelemetry Python SDK → Threadline', () => {
  let venvPython: string;
  let server: TestServer;

  beforeAll(async () => {
    [venvPython, server] = await Promise.all([pythonWithOtel(), startTestServer()]);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
  });

  for (const [protocol, gzip] of [['http/protobuf', false], ['grpc', true]] as const) {
    it(`OTLPSpanExporter over ${protocol}${gzip ? ' with gzip' : ''}: the trace arrives whole`, async () => {
      const service = `py-${protocol.replace('/', '-')}`;
      const endpoint = protocol === 'grpc' ? server.otlpGrpc : server.otlpHttp;
      const args = [SEND_TRACE, '--protocol', protocol, '--endpoint', endpoint, '--service', service, '--children', String(CHILDREN)];
      const { code, output } = await run(venvPython, gzip ? [...args, '--gzip'] : args, { timeoutMs: 60_000 });
      expect(code, output).toBe(0);
      expect(output).toContain(`exported ${CHILDREN + 1} spans`);
      const traceId = /^trace ([0-9a-f]{32})$/m.exec(output)![1]!;
      const sent = { traceId, service, children: CHILDREN };
      expectWholeSenderTrace(await waitForSenderTrace(server.http, sent), sent);
    });
  }
});
