package profiling

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// BenchmarkHandlerOverhead serves a CPU-bound handler (a server span per request,
// a JSON answer built from a map under a mutex: what the demo's inventory does
// minus its simulated warehouse wait) over loopback HTTP, with the bridge off and on
// (labels on every request, 10 s CPU windows, the flight recorder running), and
// reports requests/s and p99 latency. Run:
//
//	go test -run '^$' -bench HandlerOverhead -benchtime 20000x -count 5 .
func BenchmarkHandlerOverhead(b *testing.B) {
	for _, tc := range []struct {
		name           string
		bridge, flight bool
	}{{"off", false, false}, {"labels+cpu", true, false}, {"labels+cpu+flightrecorder", true, true}} {
		b.Run(tc.name, func(b *testing.B) { benchHandler(b, tc.bridge, tc.flight) })
	}
}

func benchHandler(b *testing.B, bridge, flight bool) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer collector.Close()
	sdk := sdktrace.NewTracerProvider()
	defer sdk.Shutdown(context.Background())
	var tp trace.TracerProvider = sdk
	if bridge {
		p, err := Start(Config{Endpoint: collector.URL, Resource: map[string]string{"service.name": "bench"}, FlightRecorder: flight, SlowThreshold: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Shutdown(context.Background())
		tp = p.WrapTracerProvider(sdk)
	}
	tracer := tp.Tracer("bench")
	var mu sync.Mutex
	stock := map[string]int{"book": 1 << 30}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tracer.Start(r.Context(), "GET /reserve", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		_ = ctx
		mu.Lock()
		stock["book"]--
		left := stock["book"]
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"item": "book", "reserved": 1, "remaining": left})
	}))
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var lmu sync.Mutex
	latencies := make([]time.Duration, 0, b.N)
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t := time.Now()
			resp, err := client.Get(srv.URL + "/reserve?item=book")
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t))
		}
		lmu.Lock()
		latencies = append(latencies, local...)
		lmu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	if len(latencies) > 0 {
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
	}
}

// BenchmarkSpanStartEnd is the bridge's own cost per local root span: the
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
