package nettrace

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeCollector is a /v1/nettrace endpoint that keeps what it receives.
type fakeCollector struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []receivedRequest
	// respond, when set, writes the response instead of 200 OK.
	respond func(w http.ResponseWriter, n int) bool
}

type receivedRequest struct {
	header http.Header
	path   string
	raw    []byte // decompressed body
	body   wireRequest
}

func newFakeCollector(t *testing.T) *fakeCollector {
	t.Helper()
	c := &fakeCollector{t: t}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *fakeCollector) serve(w http.ResponseWriter, r *http.Request) {
	var rd io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			c.t.Errorf("collector: bad gzip: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rd = zr
	}
	raw, err := io.ReadAll(rd)
	if err != nil {
		c.t.Errorf("collector: read: %v", err)
		return
	}
	var body wireRequest
	if err := json.Unmarshal(raw, &body); err != nil {
		c.t.Errorf("collector: bad JSON %q: %v", raw, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	n := len(c.requests)
	respond := c.respond
	c.mu.Unlock()
	if respond != nil && respond(w, n) {
		return
	}
	c.mu.Lock()
	c.requests = append(c.requests, receivedRequest{header: r.Header.Clone(), path: r.URL.Path, raw: raw, body: body})
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *fakeCollector) got() []receivedRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]receivedRequest(nil), c.requests...)
}

func (c *fakeCollector) records() []*wireRecord {
	var out []*wireRecord
	for _, r := range c.got() {
		out = append(out, r.body.Records...)
	}
	return out
}

// newTestExporter returns an exporter posting to c that only sends on
// Flush/Shutdown (or a full batch) unless cfg says otherwise.
func newTestExporter(t *testing.T, c *fakeCollector, cfg Config) *Exporter {
	t.Helper()
	if cfg.Endpoint == "" {
		cfg.Endpoint = c.srv.URL
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = time.Hour
	}
	if cfg.Resource == nil {
		cfg.Resource = map[string]string{"service.name": "api", "host.name": "h1"}
	}
	e, err := NewExporter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.errorFunc = func(error) {}
	e.backoffBase = 5 * time.Millisecond
	e.backoffMax = 20 * time.Millisecond
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = e.Shutdown(ctx)
	})
	return e
}

func canceledAfter(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func flush(t *testing.T, e *Exporter) {
	t.Helper()
	if err := e.Flush(canceledAfter(t, 5*time.Second)); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// eventually polls cond for up to 5s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
