import { describe, expect, it } from 'vitest';
import { parseJaegerJson } from './jaeger-json-import';

const doc = {
  data: [
    {
      traceID: '4bf92f3577b34da6',
      spans: [
        {
          traceID: '4bf92f3577b34da6',
          spanID: 'a1',
          operationName: 'GET /',
          references: [],
          startTime: 1712345678000000,
          duration: 1500,
          tags: [
            { key: 'span.kind', type: 'string', value: 'server' },
            { key: 'http.status_code', type: 'int64', value: 500 },
            { key: 'error', type: 'bool', value: true },
            { key: 'otel.scope.name', type: 'string', value: 'net/http' },
          ],
          logs: [{ timestamp: 1712345678000500, fields: [{ key: 'event', type: 'string', value: 'retry' }, { key: 'n', type: 'int64', value: 2 }] }],
          processID: 'p1',
        },
        {
          traceID: '4bf92f3577b34da6',
          spanID: 'b2',
          operationName: 'SELECT',
          references: [
            { refType: 'FOLLOWS_FROM', traceID: 'ffff', spanID: 'c3' },
            { refType: 'CHILD_OF', traceID: '4bf92f3577b34da6', spanID: 'a1' },
          ],
          startTime: 1712345678000100,
          duration: 200,
          tags: [],
          logs: [],
          processID: 'p2',
        },
      ],
      processes: {
        p1: { serviceName: 'frontend', tags: [{ key: 'hostname', type: 'string', value: 'web-1' }] },
        p2: { serviceName: 'db', tags: [] },
      },
    },
  ],
};

describe('Jaeger JSON import', () => {
  const [root, child] = parseJaegerJson(doc);

  it('converts IDs, microseconds and the process', () => {
    expect(root).toMatchObject({
      traceId: '00000000000000004bf92f3577b34da6',
      spanId: '00000000000000a1',
      parentSpanId: '',
      name: 'GET /',
      startTimeUnixNano: '1712345678000000000',
      endTimeUnixNano: '1712345678001500000',
      serviceName: 'frontend',
    });
    expect(root!.resource.attributes).toContainEqual({ key: 'host.name', value: { stringValue: 'web-1' } });
    expect(root!.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'frontend' } });
  });

  it('turns Jaeger-derived tags back into span fields', () => {
    expect(root!.kind).toBe(2);
    expect(root!.status.code).toBe(2);
    expect(root!.scope.name).toBe('net/http');
    expect(root!.attributes).toEqual([{ key: 'http.status_code', value: { intValue: '500' } }]);
  });

  it('turns logs into events named by their `event` field', () => {
    expect(root!.events).toEqual([
      { timeUnixNano: '1712345678000500000', name: 'retry', attributes: [{ key: 'n', value: { intValue: '2' } }], droppedAttributesCount: 0 },
    ]);
  });

  it('takes the CHILD_OF reference as parent and keeps other references as links', () => {
    expect(child!.parentSpanId).toBe('00000000000000a1');
    expect(child!.links).toHaveLength(1);
    expect(child!.links[0]!.traceId).toBe('0000000000000000000000000000ffff');
  });

  it('rejects a span whose process is unknown', () => {
    expect(() => parseJaegerJson({ data: [{ traceID: '1', spans: [{ spanID: '2', processID: 'px' }], processes: {} }] })).toThrow(/processID/);
  });
});
