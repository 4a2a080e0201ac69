// Command frontend is the demo's entry point: GET /checkout?item=&qty=&customer=
// over HTTP (otelhttp), which places the order with the orders service over
// gRPC (otelgrpc client stats handler). Traces are exported with OTLP over
// HTTP (protobuf). Every traced response carries the trace ID in X-Trace-Id.
package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/app"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/ordersapi"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/telemetry"
)

const (
	ordersTimeout  = 5 * time.Second
	reportInterval = 10 * time.Second
)

func main() {
	app.RunService("frontend", telemetry.OTLPHTTP, serve)
}

func serve(ctx context.Context) error {
	conn, err := grpc.NewClient(app.Env("ORDERS_TARGET", "localhost:9090"),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()))
	if err != nil {
		return err
	}
	defer conn.Close()

	fe := &frontend{orders: ordersapi.NewClient(conn), events: nettrace.NewEventLog("frontend.Checkouts", "checkout counters")}
	defer fe.events.Finish()
	go fe.reportLoop(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /checkout", fe.checkout)
	mux.HandleFunc("GET /healthz", app.Healthz)
	app.AddDebugHandlers(mux)

	ln, err := app.Listen("frontend", app.Env("FRONTEND_ADDR", ":8080"))
	if err != nil {
		return err
	}
	return app.ServeHTTP(ctx, ln, otelhttp.NewHandler(withTraceIDHeader(mux), "frontend",
		otelhttp.WithFilter(func(r *http.Request) bool { return !app.IsDebugPath(r) })))
}

// withTraceIDHeader sets X-Trace-Id on every traced response, so load
// generators and tests can find the trace a request caused.
func withTraceIDHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
			w.Header().Set("X-Trace-Id", sc.TraceID().String())
		}
		next.ServeHTTP(w, r)
	})
}

type frontend struct {
	orders *ordersapi.Client
	events nettrace.EventLog

	served, failed atomic.Uint64
}

func (fe *frontend) reportLoop(ctx context.Context) {
	app.Every(ctx, reportInterval, func() {
		fe.events.Printf("checkouts served: %d, failed: %d", fe.served.Load(), fe.failed.Load())
	})
}

func (fe *frontend) checkout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	span := trace.SpanFromContext(ctx)
	q := r.URL.Query()
	item := q.Get("item")
	if item == "" {
		item = "book"
	}
	qty, err := strconv.Atoi(q.Get("qty"))
	if err != nil || qty <= 0 {
		qty = 1
	}
	customer := q.Get("customer")
	if customer == "" {
		customer = "anonymous"
	}
	span.SetAttributes(attribute.String("checkout.item", item), attribute.Int("checkout.qty", qty))

	tr := nettrace.NewFromContext(ctx, "http.Frontend", "/checkout")
	defer tr.Finish()
	tr.LazyPrintf("checkout item=%q qty=%d", item, qty)
	tr.LazyLog(customerID(customer), true)

	octx, cancel := context.WithTimeout(ctx, ordersTimeout)
	defer cancel()
	order, err := fe.orders.PlaceOrder(octx, &ordersapi.PlaceOrderRequest{Item: item, Quantity: qty, Customer: customer})
	if err != nil {
		fe.failed.Add(1)
		tr.LazyPrintf("orders.PlaceOrder failed: %v", err)
		tr.SetError()
		span.SetStatus(otelcodes.Error, err.Error())
		writeJSON(w, httpStatus(err), map[string]any{"error": status.Convert(err).Message(), "item": item})
		return
	}
	fe.served.Add(1)
	tr.LazyPrintf("order %s placed", order.OrderID)
	writeJSON(w, http.StatusOK, order)
}

// httpStatus maps the orders service's gRPC status to the HTTP answer.
func httpStatus(err error) int {
	switch status.Code(err) {
	case codes.InvalidArgument:
		return http.StatusBadRequest
	case codes.FailedPrecondition:
		return http.StatusConflict
	case codes.Unavailable:
		return http.StatusServiceUnavailable
	case codes.DeadlineExceeded:
		return http.StatusGatewayTimeout
	default:
		return http.StatusBadGateway
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// customerID is logged as a sensitive event.
type customerID string

func (c customerID) String() string { return "customer=" + string(c) }
