package nettrace

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	xtrace "golang.org/x/net/trace"
)

// The package-level exporter, like x/net/trace's package-level registry.
var defaultExporter atomic.Pointer[Exporter]

// ErrStarted is returned by Start when a default exporter is already running.
var ErrStarted = errors.New("nettrace: default exporter already started")

// Start creates the default exporter used by New, NewFromContext and
// NewEventLog. Traces and event logs created before Start (or after
// Shutdown) are only registered with golang.org/x/net/trace.
func Start(cfg Config) error {
	e, err := NewExporter(cfg)
	if err != nil {
		return err
	}
	if !defaultExporter.CompareAndSwap(nil, e) {
		_ = e.Shutdown(context.Background())
		return ErrStarted
	}
	return nil
}

// Shutdown uninstalls the default exporter and flushes what it has queued
// within ctx. It is a no-op when Start was not called.
func Shutdown(ctx context.Context) error {
	e := defaultExporter.Swap(nil)
	if e == nil {
		return nil
	}
	return e.Shutdown(ctx)
}

// Flush sends what the default exporter has queued and waits within ctx.
func Flush(ctx context.Context) error {
	e := defaultExporter.Load()
	if e == nil {
		return nil
	}
	return e.Flush(ctx)
}

// Default returns the default exporter, or nil when none is running.
func Default() *Exporter { return defaultExporter.Load() }

// Stats returns the default exporter's counters (zero when none is running).
func Stats() Counters { return defaultExporter.Load().Stats() }

// New returns a new Trace with the given family and title, registered with
// golang.org/x/net/trace and exported by the default exporter.
func New(family, title string) Trace { return defaultExporter.Load().New(family, title) }

// NewFromContext is New with the trace and span ID taken from the
// OpenTelemetry span in ctx (go.opentelemetry.io/otel/trace.SpanContextFromContext).
func NewFromContext(ctx context.Context, family, title string) Trace {
	return defaultExporter.Load().NewFromContext(ctx, family, title)
}

// NewEventLog returns a new EventLog, registered with golang.org/x/net/trace
// and exported by the default exporter.
func NewEventLog(family, title string) EventLog {
	return defaultExporter.Load().NewEventLog(family, title)
}

// Traces serves /debug/requests (golang.org/x/net/trace.Traces).
func Traces(w http.ResponseWriter, req *http.Request) { xtrace.Traces(w, req) }

// Events serves /debug/events (golang.org/x/net/trace.Events).
func Events(w http.ResponseWriter, req *http.Request) { xtrace.Events(w, req) }

// Render renders the /debug/requests page (golang.org/x/net/trace.Render).
func Render(w io.Writer, req *http.Request, sensitive bool) { xtrace.Render(w, req, sensitive) }

// RenderEvents renders the /debug/events page (golang.org/x/net/trace.RenderEvents).
func RenderEvents(w http.ResponseWriter, req *http.Request, sensitive bool) {
	xtrace.RenderEvents(w, req, sensitive)
}
