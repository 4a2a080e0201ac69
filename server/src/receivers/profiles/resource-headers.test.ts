import { describe, expect, it } from 'vitest';
import { parseResourceHeaders, ResourceHeaderError } from './resource-headers.js';

describe('parseResourceHeaders', () => {
  it('reads OTEL_RESOURCE_ATTRIBUTES syntax, X-Service-Name winning', () => {
    expect(parseResourceHeaders(undefined, 'service.name=api,host.name=h%201')).toEqual({ 'service.name': 'api', 'host.name': 'h 1' });
    expect(parseResourceHeaders('checkout', 'service.name=api')).toEqual({ 'service.name': 'checkout' });
  });

  it('requires a service and well-formed pairs', () => {
    expect(() => parseResourceHeaders('', '')).toThrow(ResourceHeaderError);
    expect(() => parseResourceHeaders('api', 'novalue')).toThrow('not key=value');
    expect(() => parseResourceHeaders('api', 'k=%E0%A4%A')).toThrow('percent-encoding');
    expect(() => parseResourceHeaders('api', Array.from({ length: 65 }, (_, i) => `k${i}=v`).join(','))).toThrow('64');
  });
});
