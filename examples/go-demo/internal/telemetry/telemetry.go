// Package telemetry sets up OpenTelemetry tracing and the nettrace bridge
// for one demo service, from the standard OTEL_* environment variables.
package telemetry

import (
	"context"
	"errors"
	"log"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
)

// NewExporter makes the span exporter of one service.
type NewExporter func(context.Context) (sdktrace.SpanExporter, error)

// ServiceName is $OTEL_SERVICE_NAME, or def.
func ServiceName(def string) string {
	if v := os.Getenv("OTEL_SERVICE_NAME"); v != "" {
		return v
	}
	return def
}

// Setup installs the global tracer provider (W3C trace context, batching
// span processor, resource with service.name and host.name) and the default
// nettrace exporter. The returned function flushes and stops both.
func Setup(ctx context.Context, defaultService string, newExporter NewExporter) (func(context.Context) error, error) {
	service := ServiceName(defaultService)
	res, err := resource.New(ctx,
		resource.WithFromEnv(), // OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME
		resource.WithHost(),    // host.name
		resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", service)),
	)
	if err != nil {
		// A partial resource is still usable; say what is missing.
		log.Printf("telemetry: resource: %v", err)
	}
	exp, err := newExporter(ctx)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
	)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})

	if err := nettrace.Start(nettrace.Config{Resource: map[string]string{"service.name": service}}); err != nil {
		_ = tp.Shutdown(ctx)
		return nil, err
	}
	log.Printf("telemetry: service.name=%s, net/trace records to %s", service, nettrace.Default().Endpoint())

	return func(ctx context.Context) error {
		// In parallel, so a collector that is down cannot make one flush
		// eat the other's time.
		errc := make(chan error, 1)
		go func() { errc <- nettrace.Shutdown(ctx) }()
		return errors.Join(tp.Shutdown(ctx), <-errc)
	}, nil
}

// otlpEndpointSet reports whether the OTLP exporters will find an endpoint
// in the environment; when none is, the demo talks plain text to localhost
// instead of the exporters' https:// default.
func otlpEndpointSet() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// OTLPHTTP exports protobuf over HTTP (default localhost:4318).
func OTLPHTTP(ctx context.Context) (sdktrace.SpanExporter, error) {
	var opts []otlptracehttp.Option
	if !otlpEndpointSet() {
		opts = append(opts, otlptracehttp.WithInsecure())
	}
	return otlptracehttp.New(ctx, opts...)
}

// OTLPGRPC exports over gRPC (default localhost:4317).
func OTLPGRPC(ctx context.Context) (sdktrace.SpanExporter, error) {
	var opts []otlptracegrpc.Option
	if !otlpEndpointSet() {
		opts = append(opts, otlptracegrpc.WithInsecure())
	}
	return otlptracegrpc.New(ctx, opts...)
}
