package nettrace

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"
)

// Counters count records (one trace snapshot or one event-log delta each).
type Counters struct {
	Sent    uint64 // accepted by the collector (2xx)
	Dropped uint64 // never sent: the queue was full or the exporter was shut down
	Failed  uint64 // sent but not accepted, after the bounded retries
}

// Exporter ships trace and event-log records to a Threadline collector from
// one background goroutine. Nothing it does blocks the caller: records go
// into a bounded queue, and when that is full they are dropped and counted.
type Exporter struct {
	cfg Config

	mu     sync.RWMutex // guards closed against enqueues racing Shutdown
	closed bool
	queue  chan *wireRecord

	flushReq chan chan struct{}
	stop     chan struct{}
	done     chan struct{}

	sendCtx    context.Context // cancelled when Shutdown's ctx expires
	cancelSend context.CancelFunc

	liveTraces sync.Map // *traceRecord → struct{}; only with ActiveInterval > 0
	liveLogs   sync.Map // *eventLogRecord → struct{}

	sent, dropped, failed atomic.Uint64

	// Retry policy for 429/502/503/504 and transport errors; fields so the
	// tests can shorten it.
	maxAttempts   int
	backoffBase   time.Duration
	backoffMax    time.Duration
	maxRetryAfter time.Duration
	retryBudget   time.Duration

	// Owned by the worker goroutine.
	buf       bytes.Buffer
	gz        *gzip.Writer
	lastLog   time.Time
	errorFunc func(error)
}

// NewExporter returns a running exporter; call Shutdown to flush and stop it.
func NewExporter(cfg Config) (*Exporter, error) {
	cfg, err := cfg.withDefaults(os.Getenv)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &Exporter{
		cfg:           cfg,
		queue:         make(chan *wireRecord, cfg.MaxQueue),
		flushReq:      make(chan chan struct{}),
		stop:          make(chan struct{}),
		done:          make(chan struct{}),
		sendCtx:       ctx,
		cancelSend:    cancel,
		maxAttempts:   5,
		backoffBase:   250 * time.Millisecond,
		backoffMax:    5 * time.Second,
		maxRetryAfter: 30 * time.Second,
		retryBudget:   60 * time.Second,
		gz:            gzip.NewWriter(nil),
	}
	e.errorFunc = e.logError
	go e.run()
	return e, nil
}

// Endpoint is the URL records are POSTed to.
func (e *Exporter) Endpoint() string { return e.cfg.Endpoint }

// Resource returns a copy of the resource attributes sent with every batch.
func (e *Exporter) Resource() map[string]string {
	out := make(map[string]string, len(e.cfg.Resource))
	for k, v := range e.cfg.Resource {
		out[k] = v
	}
	return out
}

// New creates a trace exported by e. A nil Exporter only registers with
// golang.org/x/net/trace.
func (e *Exporter) New(family, title string) Trace {
	return newTrace(e, family, title, oteltrace.SpanContext{})
}

// NewFromContext is New with the trace and span ID of the OpenTelemetry span
// in ctx, so the collector attaches the events to that span.
func (e *Exporter) NewFromContext(ctx context.Context, family, title string) Trace {
	return newTrace(e, family, title, oteltrace.SpanContextFromContext(ctx))
}

// NewEventLog creates an event log exported by e: new events are sent every
// FlushInterval, and the rest on Finish.
func (e *Exporter) NewEventLog(family, title string) EventLog {
	return newEventLog(e, family, title)
}

// Stats returns the exporter's counters.
func (e *Exporter) Stats() Counters {
	if e == nil {
		return Counters{}
	}
	return Counters{Sent: e.sent.Load(), Dropped: e.dropped.Load(), Failed: e.failed.Load()}
}

// Flush sends what is queued and the pending events of live event logs,
// and waits until that is done or ctx expires.
func (e *Exporter) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case e.flushReq <- done:
	case <-e.done:
		return errors.New("nettrace: exporter is shut down")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown stops accepting records, sends what is queued (and the pending
// events of live event logs), and returns when that is done. When ctx
// expires first, the send in flight is abandoned and ctx.Err() returned.
func (e *Exporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	already := e.closed
	e.closed = true
	e.mu.Unlock()
	if !already {
		close(e.stop)
	}
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		e.cancelSend()
		<-e.done
		return ctx.Err()
	}
}

func (e *Exporter) enqueue(w *wireRecord) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed {
		e.dropped.Add(1)
		return
	}
	select {
	case e.queue <- w:
	default:
		e.dropped.Add(1)
	}
}

func (e *Exporter) registerTrace(r *traceRecord) {
	if e.cfg.ActiveInterval > 0 {
		e.liveTraces.Store(r, struct{}{})
	}
}

func (e *Exporter) finishTrace(r *traceRecord, w *wireRecord) {
	if e.cfg.ActiveInterval > 0 {
		e.liveTraces.Delete(r)
	}
	e.enqueue(w)
}

func (e *Exporter) registerEventLog(r *eventLogRecord) { e.liveLogs.Store(r, struct{}{}) }

func (e *Exporter) finishEventLog(r *eventLogRecord, w *wireRecord) {
	e.liveLogs.Delete(r)
	e.enqueue(w)
}

func (e *Exporter) run() {
	defer close(e.done)
	ticker := time.NewTicker(e.cfg.FlushInterval)
	defer ticker.Stop()
	var batch []*wireRecord
	for {
		select {
		case w := <-e.queue:
			batch = append(batch, w)
			if len(batch) >= e.cfg.BatchSize {
				e.sendAll(batch)
				batch = nil
			}
		case <-ticker.C:
			e.sendAll(e.collectLive(e.drain(batch), time.Now()))
			batch = nil
		case done := <-e.flushReq:
			e.sendAll(e.collectLive(e.drain(batch), time.Now()))
			batch = nil
			close(done)
		case <-e.stop:
			e.sendAll(e.collectLive(e.drain(batch), time.Now()))
			return
		}
	}
}

// drain appends every record queued right now.
func (e *Exporter) drain(batch []*wireRecord) []*wireRecord {
	for {
		select {
		case w := <-e.queue:
			batch = append(batch, w)
		default:
			return batch
		}
	}
}

// collectLive appends the new events of live event logs and the active
// snapshots of long-running traces.
func (e *Exporter) collectLive(batch []*wireRecord, now time.Time) []*wireRecord {
	e.liveLogs.Range(func(k, _ any) bool {
		if w := k.(*eventLogRecord).delta(now, false); w != nil {
			batch = append(batch, w)
		}
		return true
	})
	if e.cfg.ActiveInterval > 0 {
		e.liveTraces.Range(func(k, _ any) bool {
			if w := k.(*traceRecord).activeSnapshot(now, e.cfg.ActiveInterval); w != nil {
				batch = append(batch, w)
			}
			return true
		})
	}
	return batch
}

func (e *Exporter) sendAll(recs []*wireRecord) {
	for len(recs) > 0 {
		n := min(len(recs), e.cfg.BatchSize)
		e.send(recs[:n])
		recs = recs[n:]
	}
}

// send posts one batch, retrying with exponential backoff (or the server's
// Retry-After) on throttling and transport errors, within a bounded number
// of attempts and time.
func (e *Exporter) send(recs []*wireRecord) {
	n := uint64(len(recs))
	body, err := e.encode(recs)
	if err != nil {
		e.failed.Add(n)
		e.errorFunc(err)
		return
	}
	giveUp := time.Now().Add(e.retryBudget)
	backoff := e.backoffBase
	for attempt := 1; ; attempt++ {
		retryAfter, retryable, err := e.post(body)
		if err == nil {
			e.sent.Add(n)
			return
		}
		if !retryable || attempt >= e.maxAttempts || e.sendCtx.Err() != nil {
			e.failed.Add(n)
			e.errorFunc(fmt.Errorf("%w (%d records after %d attempts)", err, n, attempt))
			return
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		if retryAfter > 0 {
			wait = min(retryAfter, e.maxRetryAfter)
		}
		if time.Now().Add(wait).After(giveUp) {
			e.failed.Add(n)
			e.errorFunc(fmt.Errorf("%w (%d records, retry budget spent)", err, n))
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-e.sendCtx.Done():
			t.Stop()
		}
		backoff = min(backoff*2, e.backoffMax)
	}
}

func (e *Exporter) encode(recs []*wireRecord) ([]byte, error) {
	e.buf.Reset()
	e.gz.Reset(&e.buf)
	if err := json.NewEncoder(e.gz).Encode(wireRequest{Resource: e.cfg.Resource, Records: recs}); err != nil {
		return nil, fmt.Errorf("nettrace: encode: %w", err)
	}
	if err := e.gz.Close(); err != nil {
		return nil, fmt.Errorf("nettrace: gzip: %w", err)
	}
	return e.buf.Bytes(), nil
}

const userAgent = "threadline-nettrace-go/0.1"

// post makes one attempt. retryAfter is the server's Retry-After (0 when
// absent); retryable says whether another attempt may succeed.
func (e *Exporter) post(body []byte) (retryAfter time.Duration, retryable bool, err error) {
	req, err := http.NewRequestWithContext(e.sendCtx, http.MethodPost, e.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("nettrace: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	req.Header.Set("User-Agent", userAgent)
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, true, fmt.Errorf("nettrace: post %s: %w", e.cfg.Endpoint, err)
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		return 0, false, nil
	}
	err = fmt.Errorf("nettrace: post %s: %s: %s", e.cfg.Endpoint, resp.Status, bytes.TrimSpace(msg))
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), true, err
	}
	return 0, false, err
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// logError reports export failures through the standard logger, at most
// once a minute so a collector outage does not flood the service's log.
func (e *Exporter) logError(err error) {
	now := time.Now()
	if now.Sub(e.lastLog) < time.Minute {
		return
	}
	e.lastLog = now
	log.Printf("%v", err)
}
