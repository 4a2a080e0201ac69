package telemetry

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	httpreporter "github.com/openzipkin/zipkin-go/reporter/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The demo must not depend on OpenTelemetry's Zipkin exporter, deprecated upstream.
func TestNoDeprecatedZipkinExporter(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(mod), "go.opentelemetry.io/otel/exporters/zipkin") {
		t.Fatal("go.mod still requires go.opentelemetry.io/otel/exporters/zipkin; use zipkin-go's reporter (telemetry.Zipkin)")
	}
}

type zipkinJSON struct {
	TraceID       string                       `json:"traceId"`
	ID            string                       `json:"id"`
	ParentID      string                       `json:"parentId"`
	Name          string                       `json:"name"`
	Kind          string                       `json:"kind"`
	Duration      int64                        `json:"duration"`
	LocalEndpoint struct{ ServiceName string } `json:"localEndpoint"`
	Annotations   []struct{ Value string }     `json:"annotations"`
	Tags          map[string]string            `json:"tags"`
}

// A span made with the OpenTelemetry SDK reaches a Zipkin endpoint through
// zipkin-go's real HTTP reporter in the shape Zipkin readers expect.
func TestZipkinExporterSendsThroughZipkinGoReporter(t *testing.T) {
	var mu sync.Mutex
	var got []zipkinJSON
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var spans []zipkinJSON
		if err := json.Unmarshal(body, &spans); err != nil {
			t.Errorf("not Zipkin v2 JSON: %v: %s", err, body)
		}
		mu.Lock()
		got = append(got, spans...)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	res := resource.NewSchemaless(attribute.String("service.name", "inventory"), attribute.String("host.name", "h1"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(NewZipkinExporter(httpreporter.NewReporter(srv.URL))), sdktrace.WithResource(res))
	tracer := tp.Tracer("demo/inventory", trace.WithInstrumentationVersion("1.0.0"))
	ctx, parent := tracer.Start(context.Background(), "GET /reserve", trace.WithSpanKind(trace.SpanKindServer))
	_, child := tracer.Start(ctx, "reserve", trace.WithAttributes(attribute.Int("qty", 2)))
	child.AddEvent("stock checked", trace.WithAttributes(attribute.Int("left", 7)))
	child.SetStatus(codes.Error, "stock record is corrupt")
	child.End()
	parent.End()
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 {
		t.Fatalf("got %d spans, want 2: %+v", len(got), got)
	}
	c, p := got[0], got[1]
	if p.TraceID != parent.SpanContext().TraceID().String() || len(p.TraceID) != 32 {
		t.Errorf("trace ID %q, want the 128-bit %s", p.TraceID, parent.SpanContext().TraceID())
	}
	if c.ParentID != p.ID || p.ParentID != "" || p.Kind != "SERVER" || c.Kind != "" {
		t.Errorf("parent/kind wrong: child %+v, parent %+v", c, p)
	}
	if p.LocalEndpoint.ServiceName != "inventory" || c.Tags["host.name"] != "h1" || c.Tags["qty"] != "2" {
		t.Errorf("service or tags wrong: %+v", c)
	}
	if c.Tags["otel.status_code"] != "ERROR" || c.Tags["error"] != "stock record is corrupt" || c.Tags["otel.scope.name"] != "demo/inventory" {
		t.Errorf("status or scope tags wrong: %v", c.Tags)
	}
	if len(c.Annotations) != 1 || c.Annotations[0].Value != `stock checked: {"left":7}` {
		t.Errorf("annotations %+v", c.Annotations)
	}
}
