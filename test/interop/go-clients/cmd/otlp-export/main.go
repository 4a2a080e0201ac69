// Command otlp-export sends one small trace through the OpenTelemetry Go SDK's OTLP
// exporters (gRPC, HTTP protobuf or HTTP JSON, gzip optional) and prints what the
// exporter reported, so the interop tests see what a Go service would see.
//
// Output: "trace <id>", then "exported <n> spans" (exit 0) or "export error: <err>" (exit 3).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	protocol := flag.String("protocol", "http/protobuf", "grpc, http/protobuf or http/json")
	endpoint := flag.String("endpoint", "http://127.0.0.1:4318", "collector base URL")
	gzip := flag.Bool("gzip", false, "gzip the export requests")
	service := flag.String("service", "go-sender", "service.name of the resource")
	children := flag.Int("children", 3, "child spans under the root span")
	invalid := flag.Bool("invalid", false, "add one span that ends before it starts (rejected by validation)")
	flag.Parse()

	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(recorder),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", *service), attribute.String("host.name", "interop"))),
	)
	traceID := record(tp.Tracer("threadline/interop"), *children, *invalid)
	fmt.Printf("trace %s\n", traceID)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	exporter, err := newExporter(ctx, *protocol, *endpoint, *gzip)
	if err != nil {
		log.Fatalf("exporter: %v", err)
	}
	spans := recorder.Ended()
	exportErr := exporter.ExportSpans(ctx, spans)
	if err := exporter.Shutdown(ctx); err != nil {
		log.Printf("shutdown: %v", err)
	}
	if exportErr != nil {
		fmt.Printf("export error: %v\n", exportErr)
		os.Exit(3)
	}
	fmt.Printf("exported %d spans\n", len(spans))
}

// record builds GET /checkout (server) → step-i (internal, one event each), plus the
// optional invalid span, and returns the trace ID.
func record(tracer trace.Tracer, children int, invalid bool) trace.TraceID {
	ctx, root := tracer.Start(context.Background(), "GET /checkout", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.Int("http.response.status_code", 200)))
	for i := range children {
		_, child := tracer.Start(ctx, fmt.Sprintf("step-%d", i), trace.WithAttributes(attribute.Int("step", i)))
		child.AddEvent("work done", trace.WithAttributes(attribute.Bool("cached", i%2 == 0)))
		child.End()
	}
	if invalid {
		start := time.Now()
		_, bad := tracer.Start(ctx, "ends-before-start", trace.WithTimestamp(start))
		bad.End(trace.WithTimestamp(start.Add(-time.Millisecond)))
	}
	root.End()
	return root.SpanContext().TraceID()
}

func newExporter(ctx context.Context, protocol, endpoint string, gzip bool) (sdktrace.SpanExporter, error) {
	switch protocol {
	case "grpc":
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpointURL(endpoint)}
		if gzip {
			opts = append(opts, otlptracegrpc.WithCompressor("gzip"))
		}
		return otlptracegrpc.New(ctx, opts...)
	case "http/protobuf", "http/json":
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(endpoint + "/v1/traces")}
		if gzip {
			opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}
		if protocol == "http/json" {
			opts = append(opts, otlptracehttp.WithEncoding(otlptracehttp.EncodingJSON))
		}
		return otlptracehttp.New(ctx, opts...)
	}
	return nil, fmt.Errorf("unknown protocol %q (grpc, http/protobuf or http/json)", protocol)
}
