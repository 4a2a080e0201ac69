package profiling

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// collector records the uploads a Profiler makes.
type collector struct {
	mu      sync.Mutex
	uploads []*http.Request
	bodies  [][]byte
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, _ = io.ReadAll(zr)
		}
	}
	c.mu.Lock()
	c.uploads = append(c.uploads, r)
	c.bodies = append(c.bodies, body)
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *collector) byPath(path string) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][]byte
	for i, r := range c.uploads {
		if r.URL.Path == path {
			out = append(out, c.bodies[i])
		}
	}
	return out
}

func startProfiler(t *testing.T, cfg Config) (*Profiler, *collector, trace.Tracer) {
	t.Helper()
	c := &collector{}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	cfg.Endpoint = srv.URL
	cfg.Resource = map[string]string{"service.name": "svc-test"}
	p, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return p, c, p.WrapTracerProvider(tp).Tracer("test")
}

func TestRootSpanLabelsGoroutineAndRestoresThem(t *testing.T) {
	p, _, tr := startProfiler(t, Config{CPUWindow: -1})
	defer p.Shutdown(context.Background())

	ctx, root := tr.Start(context.Background(), "root-op")
	got := map[string]string{}
	pprof.ForLabels(ctx, func(k, v string) bool { got[k] = v; return true })
	if got[LabelSpanName] != "root-op" || got[LabelSpanID] != root.SpanContext().SpanID().String() || got[LabelTraceID] != root.SpanContext().TraceID().String() {
		t.Fatalf("labels on the root span's context = %v", got)
	}
	// A child span in-process keeps the root's labels (it is not a local root).
	childCtx, child := tr.Start(ctx, "child-op")
	if v, _ := pprof.Label(childCtx, LabelSpanName); v != "root-op" {
		t.Fatalf("child context span_name = %q, want the root's", v)
	}
	// A server span under a local parent gets its own.
	serverCtx, server := tr.Start(ctx, "server-op", trace.WithSpanKind(trace.SpanKindServer))
	if v, _ := pprof.Label(serverCtx, LabelSpanName); v != "server-op" {
		t.Fatalf("server span span_name = %q", v)
	}
	server.End()
	child.End()
	root.End()
}

func TestCPUProfileSamplesCarryTheSpanLabel(t *testing.T) {
	p, c, tr := startProfiler(t, Config{CPUWindow: 300 * time.Millisecond})
	ctx, span := tr.Start(context.Background(), "busy")
	spin(ctx, 300*time.Millisecond)
	span.End()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	bodies := c.byPath(pprofPath)
	if len(bodies) == 0 {
		t.Fatal("no CPU profile uploaded")
	}
	found := false
	for _, b := range bodies {
		// Labels are in the profile's string table.
		raw := gunzip(t, b)
		if bytes.Contains(raw, []byte(span.SpanContext().SpanID().String())) && bytes.Contains(raw, []byte("busy")) {
			found = true
		}
	}
	if !found {
		t.Fatal("no uploaded CPU profile names the span")
	}
	if s := p.Stats(); s.CPUProfiles == 0 || s.Failed != 0 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestSlowSpanUploadsExecTraceDominatedByMutexWait(t *testing.T) {
	p, c, tr := startProfiler(t, Config{CPUWindow: -1, FlightRecorder: true, SlowThreshold: 50 * time.Millisecond, MinSnapshotInterval: time.Millisecond})
	var mu sync.Mutex
	mu.Lock()
	go func() {
		time.Sleep(150 * time.Millisecond)
		mu.Unlock()
	}()
	_, span := tr.Start(context.Background(), "contended")
	mu.Lock() // waits ~150ms for the holder
	mu.Unlock()
	span.End()
	up := onlyExecTrace(t, p, c)
	if up.SpanID != span.SpanContext().SpanID().String() || up.SpanName != "contended" || len(up.RawTrace) == 0 {
		t.Fatalf("upload = %+v", up)
	}
	if len(up.Summary.States) == 0 || up.Summary.States[0].State != StateMutex {
		t.Fatalf("states = %+v, want mutex first", up.Summary.States)
	}
	if len(up.Summary.TopStacks) == 0 || !strings.Contains(strings.Join(up.Summary.TopStacks[0].Frames, "\n"), "TestSlowSpanUploadsExecTraceDominatedByMutexWait") {
		t.Fatalf("top blocking stack = %+v", up.Summary.TopStacks)
	}
	// The raw trace is a real execution trace: summarizing it again agrees.
	again, err := Summarize(bytes.NewReader(up.RawTrace), up.SpanID)
	if err != nil || again.States[0].State != StateMutex {
		t.Fatalf("re-summarized: %+v, %v", again, err)
	}
}

func TestFastSpanTakesNoSnapshot(t *testing.T) {
	p, c, tr := startProfiler(t, Config{CPUWindow: -1, FlightRecorder: true, SlowThreshold: time.Hour})
	_, span := tr.Start(context.Background(), "fast")
	span.End()
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(c.byPath(exectracePath)); n != 0 || p.Stats().Snapshots != 0 {
		t.Fatalf("uploads %d, stats %+v", n, p.Stats())
	}
}

func TestSummarizeUnknownSpan(t *testing.T) {
	p, _, _ := startProfiler(t, Config{CPUWindow: -1, FlightRecorder: true})
	defer p.Shutdown(context.Background())
	var buf bytes.Buffer
	if _, err := p.recorder.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := Summarize(&buf, "0000000000000001"); err != ErrSpanNotInTrace {
		t.Fatalf("err = %v", err)
	}
}

func TestWaitNames(t *testing.T) {
	for reason, want := range map[string]string{
		"sync": StateMutex, "sync.(*Cond).Wait": StateMutex, "chan receive": StateChannel, "select": StateChannel,
		"network": StateNetwork, "GC mark assist wait for work": StateGCAssist, "sleep": StateSleep, "forever": StateOther,
	} {
		if got := waitName(reason); got != want {
			t.Errorf("waitName(%q) = %q, want %q", reason, got, want)
		}
	}
}

func TestResourceFromEnvironmentUnderConfig(t *testing.T) {
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,team=a%20b")
	res, err := resolveResource(map[string]string{"team": "configured"})
	if err != nil {
		t.Fatal(err)
	}
	if res["service.name"] != "from-env" || res["deployment.environment"] != "prod" || res["team"] != "configured" || res["host.name"] == "" {
		t.Fatalf("resource = %v", res)
	}
	if got := resourceHeader(map[string]string{"b": "x y", "a": "1"}); got != "a=1,b=x%20y" {
		t.Fatalf("header = %q", got)
	}
}

func TestReasonFromStack(t *testing.T) {
	for want, frames := range map[string][]string{
		"sync":         {"runtime.gopark /x.go:1", "runtime.semacquire1 /sema.go:192", "internal/sync.(*Mutex).lockSlow /m.go:149"},
		"chan receive": {"runtime.gopark /x.go:1", "runtime.chanrecv1 /chan.go:1", "main.f /m.go:2"},
		"network":      {"runtime.gopark /x.go:1", "runtime.netpollblock /netpoll.go:1"},
		"":             {"runtime.gopark /x.go:1", "main.wait /m.go:3"},
	} {
		if got := reasonFromStack(frames); got != want {
			t.Errorf("reasonFromStack(%v) = %q, want %q", frames, got, want)
		}
	}
}

func TestResolveBase(t *testing.T) {
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}
	got, err := resolveBase("", func(k string) string { return env[k] })
	if err != nil || got != "http://collector:4318" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := resolveBase("ftp://x", func(string) string { return "" }); err == nil {
		t.Fatal("ftp endpoint accepted")
	}
}

func spin(ctx context.Context, d time.Duration) {
	end := time.Now().Add(d)
	x := 0
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x += i * i
		}
	}
	_ = x
	_ = ctx
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestStatusSetThroughTheContextMarksTheSpanFailed(t *testing.T) {
	p, c, tr := startProfiler(t, Config{CPUWindow: -1, FlightRecorder: true, SlowThreshold: time.Hour, MinSnapshotInterval: time.Millisecond})
	ctx, span := tr.Start(context.Background(), "failing")
	trace.SpanFromContext(ctx).SetStatus(codes.Error, "boom")
	span.End()
	if up := onlyExecTrace(t, p, c); !up.Error {
		t.Fatal("the upload of a span whose status is Error does not say so")
	}
}

// onlyExecTrace waits for the Profiler's one execution-trace upload, shuts it
// down and returns the upload.
func onlyExecTrace(t *testing.T, p *Profiler, c *collector) execTraceUpload {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().ExecTraces == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	bodies := c.byPath(exectracePath)
	if len(bodies) != 1 {
		t.Fatalf("exectrace uploads = %d, stats %+v", len(bodies), p.Stats())
	}
	var up execTraceUpload
	if err := json.Unmarshal(bodies[0], &up); err != nil {
		t.Fatal(err)
	}
	return up
}

func TestPeriodicProfilesAreUploadedWithTheirType(t *testing.T) {
	p, c, _ := startProfiler(t, Config{CPUWindow: -1, ProfileInterval: 50 * time.Millisecond})
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().Profiles < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	c.mu.Lock()
	for _, r := range c.uploads {
		if r.URL.Path == pprofPath {
			kinds[r.Header.Get("X-Profile-Type")] = true
			if r.Header.Get("X-Service-Name") != "svc-test" || !strings.Contains(r.Header.Get("X-Resource-Attributes"), "service.name=svc-test") {
				t.Errorf("resource headers: %v", r.Header)
			}
		}
	}
	c.mu.Unlock()
	// Mutex and block profiles stay off while their rates are 0 (the default).
	if !kinds["heap"] || !kinds["goroutine"] || kinds["mutex"] || kinds["block"] {
		t.Fatalf("profile types uploaded: %v", kinds)
	}
}
