package nettrace

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	xtrace "golang.org/x/net/trace"
)

func TestContextRoundTrip(t *testing.T) {
	tr := New("ctx", "round trip")
	defer tr.Finish()
	ctx := NewContext(context.Background(), tr)
	got, ok := FromContext(ctx)
	if !ok || got != tr {
		t.Fatalf("FromContext = %v, %v", got, ok)
	}
	// Code still written against x/net/trace finds the wrapped trace.
	if _, ok := xtrace.FromContext(ctx); !ok {
		t.Error("x/net/trace.FromContext found nothing")
	}
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext on an empty context reported a trace")
	}
}

func TestRegistersWithXNetTrace(t *testing.T) {
	tr := New("nettrace.test.Family", "/visible")
	tr.LazyPrintf("hello from the bridge")
	tr.Finish()
	el := NewEventLog("nettrace.test.Log", "worker-1")
	el.Printf("tick")
	defer el.Finish()

	rec := httptest.NewRecorder()
	Render(rec, httptest.NewRequest("GET", "/debug/requests", nil), true)
	if !strings.Contains(rec.Body.String(), "nettrace.test.Family") {
		t.Error("/debug/requests does not list the trace family")
	}
	rec = httptest.NewRecorder()
	RenderEvents(rec, httptest.NewRequest("GET", "/debug/events", nil), true)
	if !strings.Contains(rec.Body.String(), "nettrace.test.Log") {
		t.Error("/debug/events does not list the event log family")
	}
}

func TestDefaultExporter(t *testing.T) {
	c := newFakeCollector(t)
	if Default() != nil {
		t.Fatal("a default exporter is already installed")
	}
	New("f", "before start").Finish() // not exported: no exporter yet

	if err := Start(Config{Endpoint: c.srv.URL, FlushInterval: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := Start(Config{Endpoint: c.srv.URL}); err != ErrStarted {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
	New("f", "exported").Finish()
	if err := Flush(canceledAfter(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if s := Stats(); s.Sent != 1 {
		t.Errorf("Stats = %+v", s)
	}
	if err := Shutdown(canceledAfter(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if Default() != nil || Stats() != (Counters{}) {
		t.Error("Shutdown left the default exporter installed")
	}
	New("f", "after shutdown").Finish()
	recs := c.records()
	if len(recs) != 1 || recs[0].Title != "exported" {
		t.Errorf("records %+v", recs)
	}
	if err := Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown without Start: %v", err)
	}
}

func TestResolveEndpoint(t *testing.T) {
	for _, tc := range []struct {
		configured string
		env        map[string]string
		want       string
	}{
		{"", nil, "http://localhost:4318/v1/nettrace"},
		{"http://collector:4318", nil, "http://collector:4318/v1/nettrace"},
		{"collector:4318/", nil, "http://collector:4318/v1/nettrace"},
		{"https://c.example/base/v1/nettrace", nil, "https://c.example/base/v1/nettrace"},
		{"", map[string]string{"THREADLINE_NETTRACE_ENDPOINT": "http://tl:16686", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"}, "http://tl:16686/v1/nettrace"},
		{"", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"}, "http://otel:4318/v1/nettrace"},
		{"", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4317"}, "http://otel:4318/v1/nettrace"},
		{"", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://otel:4318/v1/traces"}, "http://otel:4318/v1/nettrace"},
		{"", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "otel:4317"}, "http://otel:4318/v1/nettrace"},
		{"", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:4318/v1/traces"}, "http://a:4318/v1/nettrace"},
		{"http://explicit:4317", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318"}, "http://explicit:4317/v1/nettrace"},
	} {
		got, err := resolveEndpoint(tc.configured, func(k string) string { return tc.env[k] })
		if err != nil || got != tc.want {
			t.Errorf("resolveEndpoint(%q, %v) = %q, %v; want %q", tc.configured, tc.env, got, err, tc.want)
		}
	}
	if _, err := resolveEndpoint("ftp://x", func(string) string { return "" }); err == nil {
		t.Error("ftp endpoint accepted")
	}
}

func TestResolveResource(t *testing.T) {
	env := map[string]string{
		"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs,deployment.environment=prod%20eu, team = core",
		"OTEL_SERVICE_NAME":        "orders",
	}
	got := resolveResource(map[string]string{"host.name": "h1", "team": "payments"}, func(k string) string { return env[k] })
	want := map[string]string{"service.name": "orders", "host.name": "h1", "deployment.environment": "prod eu", "team": "payments"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	got = resolveResource(nil, func(string) string { return "" })
	if !strings.HasPrefix(got["service.name"], "unknown_service:") || got["host.name"] == "" {
		t.Errorf("defaults %v", got)
	}
}
