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

// BenchmarkReserveOverhead serves the demo's own GET /reserve (otelhttp, net/trace,
// the stock map under its mutex, a JSON answer) over loopback HTTP, 32 requests in
// flight, with clients/go/profiling off, with its labels and 10 s CPU windows, and with
// the flight recorder too; and reports requests/s and p99. "wait" is the demo as it
// runs (5–50 ms of simulated warehouse call); "nowait" leaves that out, so the handler
// is pure CPU and loopback I/O, where the bridge's cost shows most. Run (interleaved
// rounds, medians): clients/go/profiling/bench-overhead.sh
func BenchmarkReserveOverhead(b *testing.B) {
	bridges := []struct {
		name                  string
		enabled, flightRecord bool
	}{{"off", false, false}, {"labels+cpu", true, false}, {"labels+cpu+flightrecorder", true, true}}
	for _, handler := range []string{"wait", "nowait"} {
		for _, bridge := range bridges {
			b.Run(handler+"/"+bridge.name, func(b *testing.B) {
				benchReserve(b, handler == "wait", bridge.enabled, bridge.flightRecord)
			})
		}
	}
}

func benchReserve(b *testing.B, wait, bridge, flightRecorder bool) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer collector.Close()
	sdk := sdktrace.NewTracerProvider()
	defer sdk.Shutdown(context.Background())
	var tp trace.TracerProvider = sdk
	if bridge {
		p, err := profiling.Start(profiling.Config{Endpoint: collector.URL, Resource: map[string]string{"service.name": "inventory"}, FlightRecorder: flightRecorder})
		if err != nil {
			b.Fatal(err)
		}
		defer p.Shutdown(context.Background())
		tp = p.WrapTracerProvider(sdk)
	}
	warehouseWait := latency
	if !wait {
		warehouseWait = func(string, uint64) time.Duration { return 0 }
	}
	// Stock that never runs out: every answer is a 200, as in the demo's normal traffic.
	inv := &inventory{stock: map[string]int{"book": 1 << 40}, events: nettrace.NewEventLog("inventory.Stock", "bench"), warehouseWait: warehouseWait}
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
