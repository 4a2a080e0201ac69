// Package telemetry sets up OpenTelemetry tracing, the nettrace bridge and
// the profiling bridge for one demo service, from the standard OTEL_*
// environment variables.
package telemetry

import (
	"context"
	"errors"
	"log"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
	"github.com/threadline-tracing/threadline/clients/go/profiling"
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
	otel.SetTextMapPropagator(propagation.TraceContext{})

	if err := nettrace.Start(nettrace.Config{Resource: map[string]string{"service.name": service}}); err != nil {
		_ = tp.Shutdown(ctx)
		return nil, err
	}
	prof, err := profiling.Start(profilingConfig(service))
	if err != nil {
		_ = tp.Shutdown(ctx)
		_ = nettrace.Shutdown(ctx)
		return nil, err
	}
	// Local root and server spans label their goroutine for the CPU profiles,
	// and slow or failed ones get an execution-trace summary.
	otel.SetTracerProvider(prof.WrapTracerProvider(tp))
	log.Printf("telemetry: service.name=%s, net/trace records to %s, profiles to %s", service, nettrace.Default().Endpoint(), prof.Endpoint())

	return func(ctx context.Context) error {
		// In parallel, so a collector that is down cannot make one flush
		// eat the others' time.
		nettraceErr, profErr := make(chan error, 1), make(chan error, 1)
		go func() { nettraceErr <- nettrace.Shutdown(ctx) }()
		go func() { profErr <- prof.Shutdown(ctx) }()
		return errors.Join(tp.Shutdown(ctx), <-nettraceErr, <-profErr)
	}, nil
}

// profilingConfig: profiles go where the net/trace records go unless
// THREADLINE_PROFILES_ENDPOINT says otherwise; THREADLINE_CPU_WINDOW and
// THREADLINE_SLOW_THRESHOLD (Go durations) tune the windows and what counts
// as slow (default 100ms: the demo's normal requests take 5–50 ms).
func profilingConfig(service string) profiling.Config {
	cfg := profiling.Config{
		Resource:       map[string]string{"service.name": service},
		FlightRecorder: true,
		SlowThreshold:  envDuration("THREADLINE_SLOW_THRESHOLD", 100*time.Millisecond),
		CPUWindow:      envDuration("THREADLINE_CPU_WINDOW", 10*time.Second),
		ErrorHandler:   func(err error) { log.Printf("profiling: %v", err) },
	}
	if os.Getenv("THREADLINE_PROFILES_ENDPOINT") == "" {
		cfg.Endpoint = strings.TrimSuffix(nettrace.Default().Endpoint(), "/v1/nettrace")
	}
	return cfg
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		log.Printf("telemetry: ignoring %s=%q: not a Go duration", key, v)
	}
	return def
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
