package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
	"github.com/threadline-tracing/threadline/clients/go/profiling"
)

// BenchmarkReserveOverhead serves the demo's own GET /reserve (otelhttp, 5–50 ms of
// simulated warehouse wait) with the profiling bridge off and on (labels, 10 s CPU
// windows, flight recorder), 32 requests in flight, and reports requests/s and p99.
// The CPU-bound counterpart is clients/go/profiling's BenchmarkHandlerOverhead. Run:
//
//	go test -run '^$' -bench ReserveOverhead -benchtime 3000x ./cmd/inventory
func BenchmarkReserveOverhead(b *testing.B) {
	for _, bridge := range []bool{false, true} {
		name := "bridge=off"
		if bridge {
			name = "bridge=on"
		}
		b.Run(name, func(b *testing.B) { benchReserve(b, bridge) })
	}
}

func benchReserve(b *testing.B, bridge bool) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer collector.Close()
	sdk := sdktrace.NewTracerProvider()
	defer sdk.Shutdown(context.Background())
	var tp trace.TracerProvider = sdk
	if bridge {
		p, err := profiling.Start(profiling.Config{Endpoint: collector.URL, Resource: map[string]string{"service.name": "inventory"}, FlightRecorder: true})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Shutdown(context.Background())
		tp = p.WrapTracerProvider(sdk)
	}
	// Stock that never runs out: every answer is a 200, as in the demo's normal traffic.
	inv := &inventory{stock: map[string]int{"book": 1 << 40}, events: nettrace.NewEventLog("inventory.Stock", "bench")}
	defer inv.events.Finish()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /reserve", inv.reserve)
	srv := httptest.NewServer(otelhttp.NewHandler(mux, "inventory", otelhttp.WithTracerProvider(tp)))
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	latencies := make([]time.Duration, 0, b.N)
	b.SetParallelism(16) // × GOMAXPROCS goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		for pb.Next() {
			t := time.Now()
			resp, err := client.Get(srv.URL + "/reserve?item=book&qty=1")
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t))
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	if len(latencies) > 0 {
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-µs")
	}
}
