"""Sends one trace through the OpenTelemetry Python SDK's OTLP exporter (HTTP protobuf or
gRPC, gzip optional) and prints what the exporter reported, for the interop tests.

The trace has the shape of test/interop/go-clients' otlp-export: GET /checkout (server)
with step-0..N-1 children, each with a "work done" event.
Output: "trace <id>", then "exported <n> spans" (exit 0) or "export failed" (exit 3).
"""

import argparse
import sys

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_trace_id, set_span_in_context


def new_exporter(protocol: str, endpoint: str, gzip: bool):
    if protocol == "grpc":
        from grpc import Compression
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=endpoint, insecure=True, compression=Compression.Gzip if gzip else Compression.NoCompression)
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint + "/v1/traces", compression=Compression.Gzip if gzip else Compression.NoCompression)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--protocol", choices=["grpc", "http/protobuf"], default="http/protobuf")
    parser.add_argument("--endpoint", default="http://127.0.0.1:4318")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--service", default="py-sender")
    parser.add_argument("--children", type=int, default=3)
    args = parser.parse_args()

    recorded = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": args.service, "host.name": "interop"}))
    provider.add_span_processor(SimpleSpanProcessor(recorded))
    tracer = provider.get_tracer("threadline/interop")

    root = tracer.start_span("GET /checkout", kind=SpanKind.SERVER, attributes={"http.request.method": "GET", "http.response.status_code": 200})
    parent = set_span_in_context(root)
    for i in range(args.children):
        child = tracer.start_span(f"step-{i}", context=parent, attributes={"step": i})
        child.add_event("work done", {"cached": i % 2 == 0})
        child.end()
    root.end()
    print(f"trace {format_trace_id(root.get_span_context().trace_id)}", flush=True)

    exporter = new_exporter(args.protocol, args.endpoint, args.gzip)
    spans = recorded.get_finished_spans()
    result = exporter.export(spans)
    exporter.shutdown()
    if result is not SpanExportResult.SUCCESS:
        print("export failed", flush=True)
        return 3
    print(f"exported {len(spans)} spans", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
