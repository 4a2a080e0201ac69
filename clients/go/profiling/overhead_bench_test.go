package profiling

import (
	"context"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkSpanStartEnd is the bridge's own cost per local root span (the
// handler-level benchmark is examples/go-demo's BenchmarkReserveOverhead): the
// label set and restore, and with the flight recorder the two trace log events
// (each sub-benchmark runs alone, since the recorder traces the whole process).
func BenchmarkSpanStartEnd(b *testing.B) {
	for _, tc := range []struct {
		name           string
		bridge, flight bool
	}{{"sdk", false, false}, {"labels", true, false}, {"labels+flightrecorder", true, true}} {
		b.Run(tc.name, func(b *testing.B) {
			sdk := sdktrace.NewTracerProvider()
			defer sdk.Shutdown(context.Background())
			var tp trace.TracerProvider = sdk
			if tc.bridge {
				p, err := Start(Config{Endpoint: "http://127.0.0.1:1", CPUWindow: -1, FlightRecorder: tc.flight, SlowThreshold: time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				defer p.Shutdown(context.Background())
				tp = p.WrapTracerProvider(sdk)
			}
			tracer := tp.Tracer("bench")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				_, span := tracer.Start(context.Background(), "op", trace.WithSpanKind(trace.SpanKindServer))
				span.End()
			}
		})
	}
}
