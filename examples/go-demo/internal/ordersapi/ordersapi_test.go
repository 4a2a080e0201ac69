package ordersapi

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

type fakeOrders struct{}

func (fakeOrders) PlaceOrder(_ context.Context, r *PlaceOrderRequest) (*PlaceOrderResponse, error) {
	if r.Item == "broken" {
		return nil, status.Error(codes.FailedPrecondition, "no stock")
	}
	return &PlaceOrderResponse{OrderID: "ord-1", Item: r.Item, Quantity: r.Quantity, Remaining: 7}, nil
}

func TestJSONCodecRoundTrip(t *testing.T) {
	ln := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	RegisterOrdersServer(srv, fakeOrders{})
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)

	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := NewClient(conn)

	got, err := c.PlaceOrder(context.Background(), &PlaceOrderRequest{Item: "book", Quantity: 2, Customer: "c-1"})
	if err != nil {
		t.Fatal(err)
	}
	if *got != (PlaceOrderResponse{OrderID: "ord-1", Item: "book", Quantity: 2, Remaining: 7}) {
		t.Errorf("got %+v", got)
	}
	_, err = c.PlaceOrder(context.Background(), &PlaceOrderRequest{Item: "broken", Quantity: 1})
	if status.Code(err) != codes.FailedPrecondition {
		t.Errorf("err = %v, want FailedPrecondition", err)
	}
}
