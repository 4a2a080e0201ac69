package profiling

import (
	"context"
	"runtime/pprof"
	rtrace "runtime/trace"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/embedded"
)

// pprof label keys on the goroutine of every local root or server span.
const (
	LabelSpanID   = "span_id"
	LabelSpanName = "span_name"
	LabelTraceID  = "trace_id"
)

// WrapTracerProvider returns a TracerProvider whose local root and server
// spans put pprof labels (span_id, span_name, trace_id) on the calling
// goroutine until they end, so CPU samples taken meanwhile (also in the
// goroutines started inside, which inherit labels) carry the span. Other
// spans pass through untouched. End must be called on the goroutine that
// started the span (as `defer span.End()` does), which gets its previous
// labels back.
func (p *Profiler) WrapTracerProvider(tp trace.TracerProvider) trace.TracerProvider {
	return &tracerProvider{inner: tp, p: p}
}

type tracerProvider struct {
	embedded.TracerProvider
	inner trace.TracerProvider
	p     *Profiler
}

func (w *tracerProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return &tracer{inner: w.inner.Tracer(name, opts...), p: w.p}
}

type tracer struct {
	embedded.Tracer
	inner trace.Tracer
	p     *Profiler
}

func (t *tracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	parent := trace.SpanContextFromContext(ctx)
	cfg := trace.NewSpanStartConfig(opts...)
	spanCtx, s := t.inner.Start(ctx, name, opts...)
	sc := s.SpanContext()
	localRoot := !parent.IsValid() || parent.IsRemote() || cfg.NewRoot()
	if !sc.IsValid() || (!localRoot && cfg.SpanKind() != trace.SpanKindServer) {
		return spanCtx, s
	}
	spanID, traceID := sc.SpanID().String(), sc.TraceID().String()
	labeled := pprof.WithLabels(spanCtx, pprof.Labels(LabelSpanID, spanID, LabelSpanName, name, LabelTraceID, traceID))
	pprof.SetGoroutineLabels(labeled)
	if t.p.recording() {
		rtrace.Log(labeled, logSpanStart, spanID)
	}
	wrapped := &span{Span: s, p: t.p, restore: ctx, name: name, spanID: spanID, traceID: traceID, start: time.Now()}
	// trace.SpanFromContext must find the wrapper, so a status set through it counts.
	return trace.ContextWithSpan(labeled, wrapped), wrapped
}

// span wraps a labeled span: it restores the goroutine's labels at End and
// hands slow or failed spans to the flight recorder.
type span struct {
	trace.Span
	p       *Profiler
	restore context.Context
	spanID  string
	traceID string
	start   time.Time
	ended   atomic.Bool

	mu     sync.Mutex // SetStatus and SetName may come from any goroutine
	name   string
	failed bool
}

// SetStatus follows the API's rules: Ok overrides Error, Unset changes nothing.
func (s *span) SetStatus(code codes.Code, description string) {
	s.mu.Lock()
	switch code {
	case codes.Error:
		s.failed = true
	case codes.Ok:
		s.failed = false
	}
	s.mu.Unlock()
	s.Span.SetStatus(code, description)
}

func (s *span) SetName(name string) {
	s.mu.Lock()
	s.name = name
	s.mu.Unlock()
	s.Span.SetName(name)
}

func (s *span) End(options ...trace.SpanEndOption) {
	if s.ended.Swap(true) {
		// Only the first End counts, as for SDK spans.
		s.Span.End(options...)
		return
	}
	end := time.Now()
	if s.p.recording() {
		rtrace.Log(s.restore, logSpanEnd, s.spanID)
	}
	s.Span.End(options...)
	pprof.SetGoroutineLabels(s.restore)
	s.mu.Lock()
	name, failed := s.name, s.failed
	s.mu.Unlock()
	s.p.spanEnded(finishedSpan{name: name, spanID: s.spanID, traceID: s.traceID, start: s.start, duration: end.Sub(s.start), failed: failed})
}

type finishedSpan struct {
	name            string
	spanID, traceID string
	start           time.Time
	duration        time.Duration
	failed          bool
}
