package nettrace

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"
	xtrace "golang.org/x/net/trace"
)

// Trace mirrors golang.org/x/net/trace.Trace: it represents one request.
type Trace interface {
	// LazyLog adds x to the event log. x.String() is called once, right
	// away, when an exporter is running (the exported copy must not change
	// if x is recycled or mutated later); /debug/requests still renders x
	// lazily. sensitive marks the event for redaction.
	LazyLog(x fmt.Stringer, sensitive bool)

	// LazyPrintf evaluates its arguments with fmt.Sprintf when an exporter
	// is running, and lazily for /debug/requests.
	LazyPrintf(format string, a ...interface{})

	// SetError marks the trace as failed.
	SetError()

	// SetRecycler sets a function called (by x/net/trace) for each object
	// given to LazyLog once it is no longer needed.
	SetRecycler(f func(interface{}))

	// SetTraceInfo sets a 64-bit trace and span ID (exported as hex; the
	// trace ID left-padded to 32 digits).
	SetTraceInfo(traceID, spanID uint64)

	// SetMaxEvents sets the maximum number of events kept. Like x/net/trace
	// it has no effect once an event was added, nor for m <= 3.
	SetMaxEvents(m int)

	// Finish declares that the trace is complete and hands it to the
	// exporter. The trace must not be used afterwards; a second Finish is
	// ignored.
	Finish()
}

// EventLog mirrors golang.org/x/net/trace.EventLog: a long-lived log, e.g. of
// one connection or background worker.
type EventLog interface {
	Printf(format string, a ...interface{})
	Errorf(format string, a ...interface{})
	Finish()
}

const defaultMaxEvents = 10 // x/net/trace's maxEventsPerTrace

type traceImpl struct {
	inner    xtrace.Trace
	rec      *traceRecord // nil when no exporter is running
	exp      *Exporter
	finished atomic.Bool
}

// traceRecord is the exported side of a trace.
type traceRecord struct {
	mu sync.Mutex

	id            string
	family, title string
	start         time.Time
	traceID       string
	spanID        string

	maxEvents int
	events    []event
	discarded int
	isErr     bool

	seq          uint64
	finished     bool
	changed      bool // since the last active snapshot
	lastSnapshot time.Time
}

func newTrace(exp *Exporter, family, title string, sc oteltrace.SpanContext) *traceImpl {
	t := &traceImpl{inner: xtrace.New(family, title), exp: exp}
	if exp == nil {
		return t
	}
	rec := &traceRecord{
		id:        newRecordID(),
		family:    family,
		title:     title,
		start:     time.Now(),
		maxEvents: defaultMaxEvents,
	}
	if sc.IsValid() {
		tid, sid := sc.TraceID(), sc.SpanID()
		rec.traceID = hex.EncodeToString(tid[:])
		rec.spanID = hex.EncodeToString(sid[:])
	}
	t.rec = rec
	exp.registerTrace(rec)
	return t
}

func newRecordID() string {
	return fmt.Sprintf("%016x", rand.Uint64())
}

func (t *traceImpl) LazyLog(x fmt.Stringer, sensitive bool) {
	if t.rec != nil {
		t.rec.add(event{when: time.Now(), message: x.String(), sensitive: sensitive})
	}
	t.inner.LazyLog(x, sensitive)
}

func (t *traceImpl) LazyPrintf(format string, a ...interface{}) {
	if t.rec != nil {
		t.rec.add(event{when: time.Now(), message: fmt.Sprintf(format, a...)})
	}
	t.inner.LazyPrintf(format, a...)
}

func (t *traceImpl) SetError() {
	if r := t.rec; r != nil {
		r.mu.Lock()
		r.isErr, r.changed = true, true
		r.mu.Unlock()
	}
	t.inner.SetError()
}

func (t *traceImpl) SetRecycler(f func(interface{})) { t.inner.SetRecycler(f) }

func (t *traceImpl) SetTraceInfo(traceID, spanID uint64) {
	if r := t.rec; r != nil {
		r.mu.Lock()
		if traceID != 0 {
			r.traceID = fmt.Sprintf("%032x", traceID)
		}
		if spanID != 0 {
			r.spanID = fmt.Sprintf("%016x", spanID)
		}
		r.changed = true
		r.mu.Unlock()
	}
	t.inner.SetTraceInfo(traceID, spanID)
}

func (t *traceImpl) SetMaxEvents(m int) {
	if r := t.rec; r != nil {
		r.mu.Lock()
		if len(r.events) == 0 && m > 3 {
			r.maxEvents = m
		}
		r.mu.Unlock()
	}
	t.inner.SetMaxEvents(m)
}

// Finish is idempotent: x/net/trace would recycle a trace finished twice
// while it may still be listed.
func (t *traceImpl) Finish() {
	if t.finished.Swap(true) {
		return
	}
	if r := t.rec; r != nil {
		if w := r.finish(time.Now()); w != nil {
			t.exp.finishTrace(r, w)
		}
	}
	t.inner.Finish()
}

// add keeps events the way x/net/trace does, so the collector shows what
// /debug/requests shows: once maxEvents is exceeded the first (max-1)/2 and
// the latest events are kept, and discarded counts the dropped middle ones
// (the slot x/net/trace uses for its "(N events discarded)" line stays free).
func (r *traceRecord) add(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	r.changed = true
	if r.discarded == 0 && len(r.events) < r.maxEvents {
		r.events = append(r.events, e)
		return
	}
	di := (r.maxEvents - 1) / 2
	if r.discarded == 0 {
		r.events = append(r.events[:di], r.events[di+1:]...)
		r.discarded = 1
	}
	r.events = append(r.events[:di], r.events[di+1:]...)
	r.discarded++
	r.events = append(r.events, e)
}

// finish marks the record finished and returns its final wire form, or nil
// when it was already finished.
func (r *traceRecord) finish(now time.Time) *wireRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return nil
	}
	r.finished = true
	return r.wireLocked(now, stateFinished)
}

// activeSnapshot returns an "active" record when the trace has run for at
// least interval and changed since its last snapshot (or never had one).
func (r *traceRecord) activeSnapshot(now time.Time, interval time.Duration) *wireRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished || now.Sub(r.start) < interval {
		return nil
	}
	if !r.lastSnapshot.IsZero() && (!r.changed || now.Sub(r.lastSnapshot) < interval) {
		return nil
	}
	r.lastSnapshot = now
	r.changed = false
	return r.wireLocked(now, stateActive)
}

func (r *traceRecord) wireLocked(now time.Time, state string) *wireRecord {
	r.seq++
	return &wireRecord{
		Type:              typeTrace,
		RecordID:          r.id,
		Seq:               r.seq,
		Family:            r.family,
		Title:             r.title,
		StartTimeUnixNano: unixNanoString(r.start),
		ElapsedNano:       durationString(now.Sub(r.start)),
		State:             state,
		Error:             r.isErr,
		MaxEvents:         r.maxEvents,
		DiscardedEvents:   r.discarded,
		TraceID:           r.traceID,
		SpanID:            r.spanID,
		Events:            toWireEvents(r.events),
	}
}

type eventLogImpl struct {
	inner    xtrace.EventLog
	rec      *eventLogRecord // nil when no exporter is running
	exp      *Exporter
	finished atomic.Bool
}

// maxPendingLogEvents bounds the events an event log holds between two
// exports; x/net/trace keeps the same number per log.
const maxPendingLogEvents = 100

// eventLogRecord is the exported side of an event log. Each export carries
// only the events logged since the previous one.
type eventLogRecord struct {
	mu sync.Mutex

	id            string
	family, title string
	start         time.Time

	pending   []event
	discarded int // cumulative
	isErr     bool

	seq      uint64
	dirty    bool // something to report beyond pending events
	finished bool
}

func newEventLog(exp *Exporter, family, title string) *eventLogImpl {
	l := &eventLogImpl{inner: xtrace.NewEventLog(family, title), exp: exp}
	if exp == nil {
		return l
	}
	l.rec = &eventLogRecord{
		id:     newRecordID(),
		family: family,
		title:  title,
		start:  time.Now(),
		dirty:  true,
	}
	exp.registerEventLog(l.rec)
	return l
}

func (l *eventLogImpl) Printf(format string, a ...interface{}) { l.printf(false, format, a...) }
func (l *eventLogImpl) Errorf(format string, a ...interface{}) { l.printf(true, format, a...) }

func (l *eventLogImpl) printf(isErr bool, format string, a ...interface{}) {
	msg := fmt.Sprintf(format, a...)
	if l.rec != nil {
		l.rec.add(event{when: time.Now(), message: msg, isErr: isErr})
	}
	if isErr {
		l.inner.Errorf("%s", msg)
	} else {
		l.inner.Printf("%s", msg)
	}
}

func (l *eventLogImpl) Finish() {
	if l.finished.Swap(true) {
		return
	}
	if l.rec != nil {
		if w := l.rec.delta(time.Now(), true); w != nil {
			l.exp.finishEventLog(l.rec, w)
		}
	}
	l.inner.Finish()
}

func (r *eventLogRecord) add(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	if e.isErr && !r.isErr {
		r.isErr, r.dirty = true, true
	}
	if len(r.pending) >= maxPendingLogEvents {
		// Like x/net/trace: the oldest events go first.
		r.pending = append(r.pending[:0], r.pending[1:]...)
		r.discarded++
		r.dirty = true
	}
	r.pending = append(r.pending, e)
}

// delta returns a record with the events logged since the last call, or nil
// when there is nothing new. final marks the log finished.
func (r *eventLogRecord) delta(now time.Time, final bool) *wireRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished || (!final && !r.dirty && len(r.pending) == 0) {
		return nil
	}
	state := stateActive
	if final {
		r.finished = true
		state = stateFinished
	}
	r.seq++
	w := &wireRecord{
		Type:              typeEventLog,
		RecordID:          r.id,
		Seq:               r.seq,
		Family:            r.family,
		Title:             r.title,
		StartTimeUnixNano: unixNanoString(r.start),
		ElapsedNano:       durationString(now.Sub(r.start)),
		State:             state,
		Error:             r.isErr,
		MaxEvents:         maxPendingLogEvents,
		DiscardedEvents:   r.discarded,
		Events:            toWireEvents(r.pending),
	}
	r.pending = r.pending[:0]
	r.dirty = false
	return w
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying tr. When tr comes from this
// package, the underlying x/net/trace.Trace is attached as well, so code
// that calls golang.org/x/net/trace.FromContext keeps finding it.
func NewContext(ctx context.Context, tr Trace) context.Context {
	if t, ok := tr.(*traceImpl); ok {
		ctx = xtrace.NewContext(ctx, t.inner)
	}
	return context.WithValue(ctx, contextKey{}, tr)
}

// FromContext returns the Trace stored in ctx by NewContext, if any.
func FromContext(ctx context.Context) (tr Trace, ok bool) {
	tr, ok = ctx.Value(contextKey{}).(Trace)
	return tr, ok
}
