// Command exportonce sends one trace through the standard OpenTelemetry Go
// exporter, configured only by the OTEL_EXPORTER_OTLP_* environment variables
// (endpoint, headers, certificate), and exits non-zero if any export failed.
// Threadline's tests use it to check TLS and token auth the way Go services
// meet them.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
)

func main() {
	protocol := flag.String("protocol", "http", "http or grpc")
	spans := flag.Int("spans", 3, "spans in the trace")
	flag.Parse()

	// Export errors reach the global handler, not the caller: collect them.
	var mu sync.Mutex
	var failures []error
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, err)
	}))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var exp sdktrace.SpanExporter
	var err error
	if *protocol == "grpc" {
		exp, err = otlptracegrpc.New(ctx)
	} else {
		exp, err = otlptracehttp.New(ctx)
	}
	if err != nil {
		log.Fatalf("exportonce: exporter: %v", err)
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(semconv.ServiceName("exportonce"))),
	)
	tracer := tp.Tracer("exportonce")
	rootCtx, root := tracer.Start(ctx, "exportonce.root")
	for i := 1; i < *spans; i++ {
		_, child := tracer.Start(rootCtx, fmt.Sprintf("exportonce.child-%d", i))
		child.End()
	}
	root.End()
	if err := tp.Shutdown(ctx); err != nil {
		failures = append(failures, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(failures) > 0 {
		for _, f := range failures {
			fmt.Fprintf(os.Stderr, "exportonce: export failed: %v\n", f)
		}
		os.Exit(1)
	}
	fmt.Printf("trace %s\n", root.SpanContext().TraceID())
}
