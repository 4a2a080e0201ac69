// Command inventory is the demo's stock service: GET /reserve?item=&qty=
// over HTTP (otelhttp), traces exported as Zipkin v2 through zipkin-go's
// HTTP reporter.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/app"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/telemetry"
)

const (
	initialStock    = 1000
	refreshInterval = 5 * time.Second
)

func main() {
	app.RunService("inventory", telemetry.Zipkin, serve)
}

func serve(ctx context.Context) error {
	inv := &inventory{stock: map[string]int{}, events: nettrace.NewEventLog("inventory.Stock", "stock refresher"), warehouseWait: latency}
	defer inv.events.Finish()
	go inv.refreshLoop(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /reserve", inv.reserve)
	mux.HandleFunc("GET /healthz", app.Healthz)
	app.AddDebugHandlers(mux)

	ln, err := app.Listen("inventory", app.Env("INVENTORY_ADDR", ":8081"))
	if err != nil {
		return err
	}
	return app.ServeHTTP(ctx, ln, otelhttp.NewHandler(mux, "inventory",
		otelhttp.WithFilter(func(r *http.Request) bool { return !app.IsDebugPath(r) })))
}

type inventory struct {
	events nettrace.EventLog
	// warehouseWait is the simulated warehouse call of a reservation (latency;
	// the overhead benchmark also runs the handler without it).
	warehouseWait func(item string, n uint64) time.Duration

	mu       sync.Mutex
	stock    map[string]int
	requests uint64

	// ledger is held while a bulk reservation rewrites the warehouse ledger:
	// concurrent bulk orders queue on it (the demo's deliberate lock
	// contention, shown in the span's "Wall time" tab as mutex wait).
	ledger sync.Mutex
}

// ledgerRewrite is how long a bulk reservation holds the ledger lock.
const ledgerRewrite = 150 * time.Millisecond

// checksumRounds makes verifyStockRecord burn about 0.3–0.5 s of CPU: the
// demo's deliberate hot loop, the top frame of the "CPU" tab of a broken
// item's inventory span.
const checksumRounds = 150_000_000

// refreshLoop tops the stock up now and then, like a sync with a warehouse
// system would, and logs it to the long-lived event log.
func (inv *inventory) refreshLoop(ctx context.Context) {
	round := 0
	app.Every(ctx, refreshInterval, func() {
		round++
		if round%6 == 0 {
			// Every sixth sync fails, so /debug/events has errors to show.
			inv.events.Errorf("refresh #%d: warehouse feed timed out, keeping cached stock", round)
			return
		}
		inv.mu.Lock()
		refilled := 0
		for item, n := range inv.stock {
			if n < initialStock/2 {
				inv.stock[item] = initialStock
				refilled++
			}
		}
		items := len(inv.stock)
		inv.mu.Unlock()
		inv.events.Printf("refresh #%d: %d items tracked, %d refilled", round, items, refilled)
	})
}

// latency is 5–50ms, fixed per item and request number so runs look alike.
func latency(item string, n uint64) time.Duration {
	h := fnv.New32a()
	_, _ = h.Write([]byte(item))
	return time.Duration(5+(uint64(h.Sum32())+n*7)%46) * time.Millisecond
}

func (inv *inventory) reserve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	span := trace.SpanFromContext(ctx)
	item := r.URL.Query().Get("item")
	qty, err := strconv.Atoi(r.URL.Query().Get("qty"))
	if err != nil || qty <= 0 {
		qty = 1
	}
	customer := r.Header.Get("X-Customer-Id")

	tr := nettrace.NewFromContext(ctx, "http.Inventory", "/reserve")
	defer tr.Finish()
	tr.LazyPrintf("reserve item=%q qty=%d", item, qty)
	tr.LazyLog(customerID(customer), true)
	span.SetAttributes(attribute.String("inventory.item", item), attribute.Int("inventory.qty", qty))

	inv.mu.Lock()
	inv.requests++
	n := inv.requests
	inv.mu.Unlock()
	d := inv.warehouseWait(item, n)
	tr.LazyPrintf("checking warehouse (%v)", d)
	select {
	case <-time.After(d):
	case <-ctx.Done():
		tr.LazyPrintf("cancelled: %v", ctx.Err())
		tr.SetError()
		return
	}

	if item == "bulk" {
		tr.LazyPrintf("bulk order: waiting for the ledger")
		inv.ledger.Lock()
		time.Sleep(ledgerRewrite) // rewriting the ledger, lock held
		inv.ledger.Unlock()
	}

	if item == "" || item == "broken" {
		sum := verifyStockRecord(item)
		err := fmt.Errorf("item %q: stock record is corrupt (checksum %08x)", item, sum)
		tr.LazyPrintf("error: %v", err)
		tr.SetError()
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	inv.mu.Lock()
	left, ok := inv.stock[item]
	if !ok {
		left = initialStock
	}
	enough := left >= qty
	if enough {
		left -= qty
	}
	inv.stock[item] = left
	inv.mu.Unlock()

	if !enough {
		tr.LazyPrintf("out of stock: %d left", left)
		tr.SetError()
		http.Error(w, fmt.Sprintf("item %q: only %d left", item, left), http.StatusConflict)
		return
	}
	tr.LazyPrintf("reserved, %d left", left)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"item": item, "reserved": qty, "remaining": left})
}

// verifyStockRecord recomputes a corrupt record's checksum the slow way.
//
//go:noinline
func verifyStockRecord(item string) uint32 {
	key := item + "#" // never empty
	h := uint32(2166136261)
	for i := 0; i < checksumRounds; i++ {
		h ^= uint32(key[i%len(key)]) + uint32(i)
		h *= 16777619
	}
	return h
}

// customerID is logged as a sensitive event: /debug/requests shows it only
// to local viewers and the collector stores it redacted by default.
type customerID string

func (c customerID) String() string { return "customer=" + string(c) }
