// Package ordersapi defines the demo's gRPC Orders service by hand, with a
// JSON codec instead of protobuf, so the demo needs no protoc step. On the
// wire it is ordinary gRPC (content-type application/grpc+json), and the
// otelgrpc stats handlers trace it like any generated service.
package ordersapi

import (
	"context"
	"encoding/json"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

// ServiceName is the gRPC service; PlaceOrderMethod its one method.
const (
	ServiceName      = "threadline.demo.Orders"
	PlaceOrderMethod = "/" + ServiceName + "/PlaceOrder"
)

// PlaceOrderRequest asks for quantity units of item for a customer.
type PlaceOrderRequest struct {
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
	Customer string `json:"customer"`
}

// PlaceOrderResponse is the placed order.
type PlaceOrderResponse struct {
	OrderID   string `json:"orderId"`
	Item      string `json:"item"`
	Quantity  int    `json:"quantity"`
	Remaining int    `json:"remaining"`
}

// OrdersServer is implemented by the orders service.
type OrdersServer interface {
	PlaceOrder(context.Context, *PlaceOrderRequest) (*PlaceOrderResponse, error)
}

// codec marshals messages as JSON; registered under the content-subtype
// "json", which clients select with grpc.CallContentSubtype.
type codec struct{}

func (codec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (codec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
func (codec) Name() string                       { return "json" }

func init() { encoding.RegisterCodec(codec{}) }

var serviceDesc = grpc.ServiceDesc{
	ServiceName: ServiceName,
	HandlerType: (*OrdersServer)(nil),
	Methods: []grpc.MethodDesc{{
		MethodName: "PlaceOrder",
		Handler:    placeOrderHandler,
	}},
	Metadata: "ordersapi.go",
}

func placeOrderHandler(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
	in := new(PlaceOrderRequest)
	if err := dec(in); err != nil {
		return nil, err
	}
	if interceptor == nil {
		return srv.(OrdersServer).PlaceOrder(ctx, in)
	}
	info := &grpc.UnaryServerInfo{Server: srv, FullMethod: PlaceOrderMethod}
	return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
		return srv.(OrdersServer).PlaceOrder(ctx, req.(*PlaceOrderRequest))
	})
}

// RegisterOrdersServer registers srv with s.
func RegisterOrdersServer(s grpc.ServiceRegistrar, srv OrdersServer) {
	s.RegisterService(&serviceDesc, srv)
}

// Client calls the Orders service.
type Client struct{ cc grpc.ClientConnInterface }

// NewClient returns a Client using cc.
func NewClient(cc grpc.ClientConnInterface) *Client { return &Client{cc: cc} }

// PlaceOrder calls /threadline.demo.Orders/PlaceOrder.
func (c *Client) PlaceOrder(ctx context.Context, in *PlaceOrderRequest, opts ...grpc.CallOption) (*PlaceOrderResponse, error) {
	out := new(PlaceOrderResponse)
	opts = append([]grpc.CallOption{grpc.CallContentSubtype(codec{}.Name())}, opts...)
	if err := c.cc.Invoke(ctx, PlaceOrderMethod, in, out, opts...); err != nil {
		return nil, err
	}
	return out, nil
}
