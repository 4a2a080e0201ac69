// Command orders is the demo's gRPC service (threadline.demo.Orders, JSON
// codec, otelgrpc server stats handler). It reserves stock from inventory
// over HTTP (otelhttp transport) and exports traces with OTLP/gRPC.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/app"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/ordersapi"
	"github.com/threadline-tracing/threadline/examples/go-demo/internal/telemetry"
)

const reportInterval = 10 * time.Second

func main() {
	app.RunService("orders", telemetry.OTLPGRPC, serve)
}

func serve(ctx context.Context) error {
	// Cancelled below once gRPC has stopped, so the debug listener stops too.
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	inventoryURL, err := url.Parse(app.Env("INVENTORY_URL", "http://localhost:8081"))
	if err != nil {
		return fmt.Errorf("INVENTORY_URL: %w", err)
	}
	svc := &orders{
		inventory: inventoryURL,
		client:    &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport), Timeout: 5 * time.Second},
		events:    nettrace.NewEventLog("orders.Book", "order book"),
	}
	defer svc.events.Finish()
	go svc.reportLoop(ctx)

	grpcLn, err := app.Listen("orders gRPC", app.Env("ORDERS_ADDR", ":9090"))
	if err != nil {
		return err
	}
	debugLn, err := app.Listen("orders debug HTTP", app.Env("ORDERS_DEBUG_ADDR", ":9091"))
	if err != nil {
		grpcLn.Close()
		return err
	}

	srv := grpc.NewServer(grpc.StatsHandler(otelgrpc.NewServerHandler()))
	ordersapi.RegisterOrdersServer(srv, svc)
	healthSrv := health.NewServer()
	healthpb.RegisterHealthServer(srv, healthSrv)
	healthSrv.SetServingStatus(ordersapi.ServiceName, healthpb.HealthCheckResponse_SERVING)

	debugMux := http.NewServeMux()
	debugMux.HandleFunc("GET /healthz", app.Healthz)
	app.AddDebugHandlers(debugMux)

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(grpcLn) }()
	go func() { errc <- app.ServeHTTP(ctx, debugLn, debugMux) }()

	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	healthSrv.Shutdown()
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(app.ShutdownTimeout):
		srv.Stop()
	}
	stop()
	if e := <-errc; err == nil && e != nil && !errors.Is(e, grpc.ErrServerStopped) {
		err = e
	}
	return err
}

type orders struct {
	inventory *url.URL
	client    *http.Client
	events    nettrace.EventLog

	placed, failed atomic.Uint64
}

func (o *orders) reportLoop(ctx context.Context) {
	app.Every(ctx, reportInterval, func() {
		o.events.Printf("orders placed: %d, failed: %d", o.placed.Load(), o.failed.Load())
	})
}

// PlaceOrder reserves the stock and books the order.
func (o *orders) PlaceOrder(ctx context.Context, req *ordersapi.PlaceOrderRequest) (*ordersapi.PlaceOrderResponse, error) {
	tr := nettrace.NewFromContext(ctx, "grpc.Recv.Orders", ordersapi.PlaceOrderMethod)
	defer tr.Finish()
	tr.LazyPrintf("recv: item=%q quantity=%d", req.Item, req.Quantity)
	tr.LazyLog(customerID(req.Customer), true)

	if req.Quantity <= 0 {
		tr.LazyPrintf("rejected: quantity must be positive")
		tr.SetError()
		return nil, status.Error(codes.InvalidArgument, "quantity must be positive")
	}

	remaining, err := o.reserve(ctx, req)
	if err != nil {
		o.failed.Add(1)
		tr.LazyPrintf("reserve failed: %v", err)
		tr.SetError()
		o.events.Errorf("order for %q failed: %v", req.Item, err)
		return nil, err
	}
	n := o.placed.Add(1)
	id := fmt.Sprintf("ord-%06d", n)
	tr.LazyPrintf("booked %s, %d left in stock", id, remaining)
	return &ordersapi.PlaceOrderResponse{OrderID: id, Item: req.Item, Quantity: req.Quantity, Remaining: remaining}, nil
}

// reserve calls inventory's GET /reserve and maps its answer to a gRPC status.
func (o *orders) reserve(ctx context.Context, req *ordersapi.PlaceOrderRequest) (int, error) {
	u := o.inventory.JoinPath("reserve")
	u.RawQuery = url.Values{"item": {req.Item}, "qty": {strconv.Itoa(req.Quantity)}}.Encode()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, status.Error(codes.Internal, err.Error())
	}
	hreq.Header.Set("X-Customer-Id", req.Customer)
	resp, err := o.client.Do(hreq)
	if err != nil {
		return 0, status.Errorf(codes.Unavailable, "inventory: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusOK:
		var out struct {
			Remaining int `json:"remaining"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return 0, status.Errorf(codes.Internal, "inventory: bad answer: %v", err)
		}
		return out.Remaining, nil
	case resp.StatusCode == http.StatusConflict:
		return 0, status.Errorf(codes.FailedPrecondition, "inventory: %s", trim(body))
	default:
		return 0, status.Errorf(codes.Internal, "inventory: %s: %s", resp.Status, trim(body))
	}
}

func trim(b []byte) string {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return string(b)
}

type customerID string

func (c customerID) String() string { return "customer=" + string(c) }
