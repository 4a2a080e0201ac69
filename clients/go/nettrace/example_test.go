package nettrace_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
)

// A service swaps golang.org/x/net/trace for nettrace, starts the exporter
// once, and flushes it on the way out.
func Example() {
	// Stands in for the Threadline collector's /v1/nettrace.
	received := make(chan string, 10)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		zr, _ := gzip.NewReader(r.Body)
		var body struct {
			Resource map[string]string
			Records  []struct {
				Type, Family, Title, State string
				Events                     []struct {
					Message   string
					Sensitive bool
				}
			}
		}
		_ = json.NewDecoder(zr).Decode(&body)
		for _, rec := range body.Records {
			received <- fmt.Sprintf("%s %s %s %s %s %+v", body.Resource["service.name"], rec.Type, rec.Family, rec.Title, rec.State, rec.Events)
		}
	}))
	defer collector.Close()

	// Usually: nettrace.Start(nettrace.Config{}) with OTEL_SERVICE_NAME
	// and THREADLINE_NETTRACE_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT set.
	if err := nettrace.Start(nettrace.Config{
		Endpoint: collector.URL,
		Resource: map[string]string{"service.name": "checkout"},
	}); err != nil {
		panic(err)
	}

	// In a handler; nettrace.NewFromContext(r.Context(), …) would also
	// record the OpenTelemetry trace and span ID.
	tr := nettrace.New("http.Checkout", "/checkout")
	tr.LazyPrintf("item=%s", "book")
	tr.LazyLog(customer("c-42"), true)
	tr.Finish()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := nettrace.Shutdown(ctx); err != nil {
		panic(err)
	}
	fmt.Println(<-received)
	// Output: checkout trace http.Checkout /checkout finished [{Message:item=book Sensitive:false} {Message:customer c-42 Sensitive:true}]
}

type customer string

func (c customer) String() string { return "customer " + string(c) }
