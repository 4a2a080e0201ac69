import { limitAttributes, limitSpans, type DecodeMeter } from '../../ingest/ingest-limits.js';
import type { OtlpTraceRequest } from './otlp-types.js';

/**
 * The ingest limits for an OTLP/JSON request, in place: what the protobuf decoder does as
 * it reads, done on the tree `JSON.parse` built.
 */
export function limitOtlpRequest(req: OtlpTraceRequest, meter: DecodeMeter): OtlpTraceRequest {
  for (const rs of req.resourceSpans) {
    rs.resource.droppedAttributesCount += limitAttributes(rs.resource.attributes, meter);
    for (const ss of rs.scopeSpans) {
      ss.scope.droppedAttributesCount += limitAttributes(ss.scope.attributes, meter);
      ss.spans = limitSpans(ss.spans, meter);
    }
  }
  return req;
}
