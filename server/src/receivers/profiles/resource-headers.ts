/** A profile upload's resource could not be read from its headers; the receiver answers 400. */
export class ResourceHeaderError extends Error {}

const MAX_ATTRIBUTES = 64;
const MAX_VALUE = 1_024;

/**
 * The uploading process's resource from `X-Resource-Attributes` (OTEL_RESOURCE_ATTRIBUTES
 * syntax: `k=v,k2=v2`, values percent-encoded) and `X-Service-Name`, which wins over the
 * attributes' `service.name`. A service is required.
 */
export function parseResourceHeaders(serviceHeader: string | undefined, attributesHeader: string | undefined): Record<string, string> {
  const resource: Record<string, string> = {};
  const pairs = (attributesHeader ?? '').split(',').filter((p) => p.trim() !== '');
  if (pairs.length > MAX_ATTRIBUTES) throw new ResourceHeaderError(`X-Resource-Attributes has more than ${MAX_ATTRIBUTES} attributes`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ResourceHeaderError(`X-Resource-Attributes: "${pair.slice(0, 64)}" is not key=value`);
    resource[decode(pair.slice(0, eq).trim())] = decode(pair.slice(eq + 1).trim());
  }
  const service = (serviceHeader ?? '').trim() || resource['service.name'] || '';
  if (service === '') throw new ResourceHeaderError('name the service in X-Service-Name or service.name in X-Resource-Attributes');
  if (service.length > MAX_VALUE) throw new ResourceHeaderError(`service name longer than ${MAX_VALUE} characters`);
  resource['service.name'] = service;
  return resource;
}

function decode(text: string): string {
  let value: string;
  try {
    value = decodeURIComponent(text);
  } catch {
    throw new ResourceHeaderError(`X-Resource-Attributes: bad percent-encoding in "${text.slice(0, 64)}"`);
  }
  if (value.length > MAX_VALUE) throw new ResourceHeaderError(`X-Resource-Attributes: a value longer than ${MAX_VALUE} characters`);
  return value;
}
