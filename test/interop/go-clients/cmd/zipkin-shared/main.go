// Command zipkin-shared runs one RPC between two zipkin-go services over real HTTP with
// B3 propagation: the backend's server span shares the client span's ID (zipkin-go's
// default), and the backend's child span is uploaded in an earlier request than its
// shared server span, as children finish first. Each service reports with its own
// zipkin-go HTTP reporter to the Zipkin endpoint given.
//
// Output: "trace <id>", then "uploads <n>" once everything was sent.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	zipkin "github.com/openzipkin/zipkin-go"
	zipkinhttp "github.com/openzipkin/zipkin-go/middleware/http"
	"github.com/openzipkin/zipkin-go/model"
	"github.com/openzipkin/zipkin-go/reporter"
	httpreporter "github.com/openzipkin/zipkin-go/reporter/http"
)

// uploadSignal is the reporter's HTTP client, telling when each upload got its answer, so the
// backend can finish its server span only after the child's upload landed.
type uploadSignal struct {
	done  chan struct{}
	count atomic.Int32
}

func (u *uploadSignal) Do(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err == nil && resp.StatusCode/100 != 2 {
		log.Printf("upload answered %d", resp.StatusCode)
	}
	u.count.Add(1)
	u.done <- struct{}{}
	return resp, err
}

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:9411/api/v2/spans", "Zipkin v2 spans URL")
	flag.Parse()

	backendUploads := &uploadSignal{done: make(chan struct{}, 16)}
	// One span per upload: the child's upload completes before the server span is finished.
	backendReporter := httpreporter.NewReporter(*endpoint, httpreporter.BatchSize(1), httpreporter.Client(backendUploads))
	frontendReporter := httpreporter.NewReporter(*endpoint)
	backend := newTracer(backendReporter, "shop-backend")
	frontend := newTracer(frontendReporter, "shop-frontend")

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		child, _ := backend.StartSpanFromContext(r.Context(), "SELECT stock")
		child.Tag("db.system", "sqlite")
		child.Finish()
		<-backendUploads.done
		_, _ = io.WriteString(w, "42")
	})
	server := &http.Server{Handler: zipkinhttp.NewServerMiddleware(backend, zipkinhttp.SpanName("GET /stock"))(handler), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = server.Serve(listener) }()

	client, err := zipkinhttp.NewClient(frontend, zipkinhttp.ClientTrace(false))
	if err != nil {
		log.Fatal(err)
	}
	root := frontend.StartSpan("checkout", zipkin.Kind(model.Server))
	fmt.Printf("trace %s\n", root.Context().TraceID)
	req, err := http.NewRequestWithContext(zipkin.NewContext(context.Background(), root), http.MethodGet, "http://"+listener.Addr().String()+"/stock", nil)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	root.Finish()

	_ = server.Shutdown(context.Background())
	// Close flushes: the backend's server span, then the frontend's client and root spans.
	closeReporter(backendReporter)
	closeReporter(frontendReporter)
	fmt.Printf("uploads %d\n", backendUploads.count.Load())
}

func newTracer(r reporter.Reporter, service string) *zipkin.Tracer {
	endpoint, err := zipkin.NewEndpoint(service, "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	tracer, err := zipkin.NewTracer(r, zipkin.WithLocalEndpoint(endpoint), zipkin.WithSampler(zipkin.AlwaysSample), zipkin.WithSharedSpans(true), zipkin.WithTraceID128Bit(true))
	if err != nil {
		log.Fatal(err)
	}
	return tracer
}

func closeReporter(r reporter.Reporter) {
	if err := r.Close(); err != nil {
		log.Printf("reporter close: %v", err)
	}
}
