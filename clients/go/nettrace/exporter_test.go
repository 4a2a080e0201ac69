package nettrace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// designExample is the body of DESIGN.md §3 with its comments removed and
// the event time filled in.
const designExample = `{"resource": {"service.name": "api", "host.name": "h1"},
 "records": [{
   "type": "trace",
   "recordId": "9f3c0a1b2c3d4e5f", "seq": 3,
   "family": "grpc.Recv.Greeter", "title": "/helloworld.Greeter/SayHello",
   "startTimeUnixNano": "1712345678901234567", "elapsedNano": "1500000",
   "state": "finished", "error": false, "maxEvents": 10, "discardedEvents": 0,
   "traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "spanId": "00f067aa0ba902b7",
   "events": [{"timeUnixNano": "1712345678901234999", "message": "recv: …", "sensitive": true, "error": false}]
 }]}`

type stringer string

func (s stringer) String() string { return string(s) }

var (
	hexRe     = regexp.MustCompile(`^[0-9a-f]+$`)
	decimalRe = regexp.MustCompile(`^[0-9]+$`)
)

// shape maps every JSON path of v to the JSON type found there.
func shape(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		out[prefix] = "object"
		for k, c := range x {
			shape(prefix+"."+k, c, out)
		}
	case []any:
		out[prefix] = "array"
		for _, c := range x {
			shape(prefix+"[]", c, out)
		}
	case string:
		out[prefix] = "string"
	case float64:
		out[prefix] = "number"
	case bool:
		out[prefix] = "bool"
	default:
		out[prefix] = fmt.Sprintf("%T", v)
	}
}

func shapeOf(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	shape("$", v, out)
	return out
}

func TestWireFormatMatchesDesign(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})

	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	ctx, span := tp.Tracer("test").Start(context.Background(), "SayHello")
	before := time.Now()
	tr := e.NewFromContext(ctx, "grpc.Recv.Greeter", "/helloworld.Greeter/SayHello")
	tr.LazyLog(stringer("recv: name:\"world\""), true)
	tr.LazyPrintf("sent %d bytes", 12)
	time.Sleep(2 * time.Millisecond)
	tr.Finish()
	after := time.Now()
	span.End()
	flush(t, e)

	reqs := c.got()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	req := reqs[0]
	if req.path != "/v1/nettrace" {
		t.Errorf("path %q, want /v1/nettrace", req.path)
	}
	if got := req.header.Get("Content-Encoding"); got != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip", got)
	}
	if got := req.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}

	// Same fields, same JSON types, nothing more, nothing less.
	want, got := shapeOf(t, []byte(designExample)), shapeOf(t, req.raw)
	for k, wt := range want {
		if got[k] != wt {
			t.Errorf("field %s: got %q, want %q", k, got[k], wt)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected field %s", k)
		}
	}

	var body struct {
		Resource map[string]string `json:"resource"`
		Records  []map[string]any  `json:"records"`
	}
	if err := json.Unmarshal(req.raw, &body); err != nil {
		t.Fatal(err)
	}
	if body.Resource["service.name"] != "api" || body.Resource["host.name"] != "h1" {
		t.Errorf("resource %v", body.Resource)
	}
	r := body.Records[0]
	sc := span.SpanContext()
	for k, v := range map[string]any{
		"type": "trace", "seq": 1.0, "family": "grpc.Recv.Greeter",
		"title": "/helloworld.Greeter/SayHello", "state": "finished", "error": false,
		"maxEvents": 10.0, "discardedEvents": 0.0,
		"traceId": sc.TraceID().String(), "spanId": sc.SpanID().String(),
	} {
		if r[k] != v {
			t.Errorf("%s = %v, want %v", k, r[k], v)
		}
	}
	if id := r["recordId"].(string); len(id) != 16 || !hexRe.MatchString(id) {
		t.Errorf("recordId %q is not 16 lowercase hex digits", id)
	}
	start := nanos(t, r["startTimeUnixNano"])
	elapsed := nanos(t, r["elapsedNano"])
	if start < before.UnixNano() || start > after.UnixNano() {
		t.Errorf("startTimeUnixNano %d not within [%d, %d]", start, before.UnixNano(), after.UnixNano())
	}
	if elapsed < int64(2*time.Millisecond) || elapsed > after.UnixNano()-before.UnixNano() {
		t.Errorf("elapsedNano %d out of range", elapsed)
	}
	events := r["events"].([]any)
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2", len(events))
	}
	ev0, ev1 := events[0].(map[string]any), events[1].(map[string]any)
	if ev0["message"] != `recv: name:"world"` || ev0["sensitive"] != true || ev0["error"] != false {
		t.Errorf("event 0 = %v", ev0)
	}
	if ev1["message"] != "sent 12 bytes" || ev1["sensitive"] != false {
		t.Errorf("event 1 = %v", ev1)
	}
	if t0, t1 := nanos(t, ev0["timeUnixNano"]), nanos(t, ev1["timeUnixNano"]); t0 < start || t1 < t0 {
		t.Errorf("event times %d, %d not ordered after start %d", t0, t1, start)
	}
}

func nanos(t *testing.T, v any) int64 {
	t.Helper()
	s, ok := v.(string)
	if !ok || !decimalRe.MatchString(s) {
		t.Fatalf("%v is not a decimal string", v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIDsAbsentWithoutSpan(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})
	e.NewFromContext(context.Background(), "f", "no span").Finish()
	e.New("f", "plain").Finish()
	flush(t, e)
	reqs := c.got()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests", len(reqs))
	}
	var body struct{ Records []map[string]any }
	if err := json.Unmarshal(reqs[0].raw, &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Records) != 2 {
		t.Fatalf("got %d records", len(body.Records))
	}
	for _, r := range body.Records {
		if _, ok := r["traceId"]; ok {
			t.Errorf("%v: traceId present", r["title"])
		}
		if _, ok := r["spanId"]; ok {
			t.Errorf("%v: spanId present", r["title"])
		}
		if evs, ok := r["events"].([]any); !ok || len(evs) != 0 {
			t.Errorf("%v: events = %#v, want []", r["title"], r["events"])
		}
	}
}

func TestSetTraceInfoAndError(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})
	tr := e.New("f", "t")
	tr.SetTraceInfo(0xabc, 0x12)
	tr.SetError()
	tr.Finish()
	tr.Finish() // a second Finish does nothing
	flush(t, e)
	recs := c.records()
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	r := recs[0]
	if r.TraceID != "00000000000000000000000000000abc" || r.SpanID != "0000000000000012" || !r.Error {
		t.Errorf("got traceId %q spanId %q error %v", r.TraceID, r.SpanID, r.Error)
	}
}

func messages(evs []wireEvent) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Message
	}
	return out
}

func TestMaxEvents(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})

	def := e.New("f", "default")
	for i := range 25 {
		def.LazyPrintf("e%d", i)
	}
	def.Finish()

	big := e.New("f", "big")
	big.SetMaxEvents(20)
	for i := range 15 {
		big.LazyPrintf("e%d", i)
	}
	big.Finish()

	tiny := e.New("f", "tiny")
	tiny.SetMaxEvents(3) // ignored, like x/net/trace: at least 4
	late := e.New("f", "late")
	late.LazyPrintf("first")
	late.SetMaxEvents(50) // ignored: events already added
	for i := range 12 {
		tiny.LazyPrintf("e%d", i)
		late.LazyPrintf("e%d", i)
	}
	tiny.Finish()
	late.Finish()
	flush(t, e)

	byTitle := map[string]*wireRecord{}
	for _, r := range c.records() {
		byTitle[r.Title] = r
	}
	// x/net/trace keeps the first (max-1)/2 events and the latest ones.
	check := func(title string, max, discarded int, msgs string) {
		t.Helper()
		r := byTitle[title]
		if r == nil {
			t.Fatalf("no record %q", title)
		}
		if r.MaxEvents != max || r.DiscardedEvents != discarded || fmt.Sprint(messages(r.Events)) != msgs {
			t.Errorf("%s: maxEvents %d discarded %d events %v; want %d %d %s",
				title, r.MaxEvents, r.DiscardedEvents, messages(r.Events), max, discarded, msgs)
		}
	}
	check("default", 10, 16, "[e0 e1 e2 e3 e20 e21 e22 e23 e24]")
	check("big", 20, 0, "[e0 e1 e2 e3 e4 e5 e6 e7 e8 e9 e10 e11 e12 e13 e14]")
	check("tiny", 10, 3, "[e0 e1 e2 e3 e7 e8 e9 e10 e11]")
	check("late", 10, 4, "[first e0 e1 e2 e7 e8 e9 e10 e11]")
}

type recyclable struct{ msg atomic.Pointer[string] }

func (r *recyclable) String() string { return *r.msg.Load() }

func TestRecycledObjectsKeepTheirExportedText(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})
	tr := e.New("f", "recycle")
	recycled := make(chan struct{}, 100)
	tr.SetRecycler(func(x interface{}) {
		// x/net/trace also hands over its own "discarded" marker.
		if r, ok := x.(*recyclable); ok {
			gone := "recycled"
			r.msg.Store(&gone)
			recycled <- struct{}{}
		}
	})
	for i := range 12 {
		r := &recyclable{}
		s := fmt.Sprintf("obj%d", i)
		r.msg.Store(&s)
		tr.LazyLog(r, false)
	}
	// x/net/trace recycles the discarded middle objects asynchronously.
	for range 3 {
		<-recycled
	}
	tr.Finish()
	flush(t, e)
	recs := c.records()
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	if got := fmt.Sprint(messages(recs[0].Events)); got != "[obj0 obj1 obj2 obj3 obj7 obj8 obj9 obj10 obj11]" {
		t.Errorf("events %s", got)
	}
}

func TestBatching(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{BatchSize: 3})
	for i := range 7 {
		e.New("f", strconv.Itoa(i)).Finish()
	}
	flush(t, e)
	reqs := c.got()
	var sizes []int
	var titles []string
	for _, r := range reqs {
		sizes = append(sizes, len(r.body.Records))
		for _, rec := range r.body.Records {
			titles = append(titles, rec.Title)
		}
	}
	if fmt.Sprint(sizes) != "[3 3 1]" {
		t.Errorf("batch sizes %v, want [3 3 1]", sizes)
	}
	sort.Strings(titles)
	if fmt.Sprint(titles) != "[0 1 2 3 4 5 6]" {
		t.Errorf("titles %v", titles)
	}
	if s := e.Stats(); s != (Counters{Sent: 7}) {
		t.Errorf("stats %+v", s)
	}
}

func TestFlushIntervalSendsWithoutFlush(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{FlushInterval: 20 * time.Millisecond})
	e.New("f", "t").Finish()
	eventually(t, "the periodic flush", func() bool { return len(c.records()) == 1 })
}

func TestDropsWhenQueueFullAndNeverBlocks(t *testing.T) {
	c := newFakeCollector(t)
	release := make(chan struct{})
	var arrived atomic.Int32
	c.respond = func(w http.ResponseWriter, _ int) bool {
		arrived.Add(1)
		<-release // a collector that hangs
		return false
	}
	t.Cleanup(func() { close(release) })
	e := newTestExporter(t, c, Config{BatchSize: 1, MaxQueue: 5, HTTPClient: &http.Client{}})

	e.New("f", "first").Finish()
	eventually(t, "the first request to hang", func() bool { return arrived.Load() == 1 })

	start := time.Now()
	const n = 1000
	for i := range n {
		tr := e.New("f", strconv.Itoa(i))
		tr.LazyPrintf("event %d", i)
		tr.Finish()
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("%d traces took %v with a hung collector", n, d)
	}
	// One record is in flight; at most MaxQueue wait in the queue and
	// one more in the worker's hands.
	if s := e.Stats(); s.Dropped < n-6 || s.Sent != 0 {
		t.Errorf("stats %+v, want ≥%d dropped", s, n-6)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := e.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Shutdown took %v with a 100ms deadline", d)
	}
	s := e.Stats()
	if s.Sent != 0 || s.Dropped+s.Failed != n+1 {
		t.Errorf("after Shutdown: %+v, want dropped+failed = %d", s, n+1)
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	c := newFakeCollector(t)
	c.respond = func(w http.ResponseWriter, n int) bool {
		if n > 0 {
			return false
		}
		c.mu.Lock()
		c.requests = append(c.requests, receivedRequest{}) // count the refused attempt
		c.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	}
	e := newTestExporter(t, c, Config{})
	e.New("f", "t").Finish()
	start := time.Now()
	flush(t, e)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("retried after %v, want ≥ the 1s Retry-After", d)
	}
	if n := len(c.got()); n != 2 {
		t.Errorf("got %d attempts, want 2", n)
	}
	if s := e.Stats(); s != (Counters{Sent: 1}) {
		t.Errorf("stats %+v", s)
	}
}

func TestRetriesAreBounded(t *testing.T) {
	c := newFakeCollector(t)
	var attempts atomic.Int32
	c.respond = func(w http.ResponseWriter, _ int) bool {
		attempts.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	e := newTestExporter(t, c, Config{})
	e.New("f", "t").Finish()
	flush(t, e)
	if got := attempts.Load(); got != int32(e.maxAttempts) {
		t.Errorf("got %d attempts, want %d", got, e.maxAttempts)
	}
	if s := e.Stats(); s != (Counters{Failed: 1}) {
		t.Errorf("stats %+v", s)
	}
}

func TestNoRetryOnClientError(t *testing.T) {
	c := newFakeCollector(t)
	var attempts atomic.Int32
	c.respond = func(w http.ResponseWriter, _ int) bool {
		attempts.Add(1)
		http.Error(w, "bad record", http.StatusBadRequest)
		return true
	}
	e := newTestExporter(t, c, Config{})
	var errs []error
	e.errorFunc = func(err error) { errs = append(errs, err) }
	e.New("f", "t").Finish()
	flush(t, e)
	if attempts.Load() != 1 {
		t.Errorf("got %d attempts, want 1", attempts.Load())
	}
	if s := e.Stats(); s != (Counters{Failed: 1}) {
		t.Errorf("stats %+v", s)
	}
	if len(errs) != 1 {
		t.Errorf("errors reported: %v", errs)
	}
}

func TestCollectorDown(t *testing.T) {
	c := newFakeCollector(t)
	url := c.srv.URL
	c.srv.Close()
	e := newTestExporter(t, c, Config{Endpoint: url})
	e.New("f", "t").Finish()
	flush(t, e)
	if s := e.Stats(); s != (Counters{Failed: 1}) {
		t.Errorf("stats %+v", s)
	}
}

func TestShutdownFlushes(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})
	for i := range 5 {
		e.New("f", strconv.Itoa(i)).Finish()
	}
	log := e.NewEventLog("worker", "w1")
	log.Printf("pending at shutdown")
	if err := e.Shutdown(canceledAfter(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	recs := c.records()
	if len(recs) != 6 {
		t.Fatalf("got %d records after Shutdown, want 6", len(recs))
	}
	e.New("f", "late").Finish()
	if s := e.Stats(); s != (Counters{Sent: 6, Dropped: 1}) {
		t.Errorf("stats %+v", s)
	}
	if err := e.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
	if err := e.Flush(context.Background()); err == nil {
		t.Error("Flush after Shutdown succeeded")
	}
}

func TestEventLogSendsDeltas(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})
	el := e.NewEventLog("inventory.Stock", "refresher")
	el.Printf("refreshed %d items", 3)
	el.Printf("refreshed %d items", 4)
	flush(t, e)
	el.Errorf("refresh failed: %s", "timeout")
	flush(t, e)
	flush(t, e) // nothing new: nothing sent
	el.Finish()
	flush(t, e)

	recs := c.records()
	if len(recs) != 3 {
		t.Fatalf("got %d records, want 3", len(recs))
	}
	type row struct {
		seq    uint64
		state  string
		err    bool
		events string
	}
	var got []row
	for _, r := range recs {
		if r.Type != "eventLog" || r.Family != "inventory.Stock" || r.Title != "refresher" || r.RecordID != recs[0].RecordID {
			t.Errorf("record header %+v", r)
		}
		var evs []string
		for _, ev := range r.Events {
			evs = append(evs, fmt.Sprintf("%s/%v", ev.Message, ev.Error))
		}
		got = append(got, row{r.Seq, r.State, r.Error, fmt.Sprint(evs)})
	}
	want := []row{
		{1, "active", false, "[refreshed 3 items/false refreshed 4 items/false]"},
		{2, "active", true, "[refresh failed: timeout/true]"},
		{3, "finished", true, "[]"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestEventLogDiscardsOldestPending(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{})
	el := e.NewEventLog("f", "busy")
	for i := range maxPendingLogEvents + 5 {
		el.Printf("e%d", i)
	}
	el.Finish()
	flush(t, e)
	recs := c.records()
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	r := recs[0]
	if r.DiscardedEvents != 5 || len(r.Events) != maxPendingLogEvents || r.Events[0].Message != "e5" {
		t.Errorf("discarded %d, %d events, first %q", r.DiscardedEvents, len(r.Events), r.Events[0].Message)
	}
}

func TestActiveSnapshots(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{FlushInterval: 10 * time.Millisecond, ActiveInterval: 40 * time.Millisecond})
	tr := e.New("f", "long")
	tr.LazyPrintf("started")
	eventually(t, "an active snapshot", func() bool { return len(c.records()) >= 1 })
	tr.LazyPrintf("still going")
	eventually(t, "a second active snapshot", func() bool { return len(c.records()) >= 2 })
	tr.Finish()
	flush(t, e)

	recs := c.records()
	for i, r := range recs {
		if r.Seq != uint64(i+1) || r.RecordID != recs[0].RecordID {
			t.Errorf("record %d: seq %d id %s", i, r.Seq, r.RecordID)
		}
		wantState := "active"
		if i == len(recs)-1 {
			wantState = "finished"
		}
		if r.State != wantState {
			t.Errorf("record %d: state %q, want %q", i, r.State, wantState)
		}
	}
	if n := len(recs); n != 3 {
		t.Errorf("got %d records, want 3 (an unchanged trace is not re-sent)", n)
	}
	if last := recs[len(recs)-1]; len(last.Events) != 2 {
		t.Errorf("final record has %d events", len(last.Events))
	}
}

func TestActiveSnapshotsDisabled(t *testing.T) {
	c := newFakeCollector(t)
	e := newTestExporter(t, c, Config{FlushInterval: 5 * time.Millisecond, ActiveInterval: -1})
	tr := e.New("f", "long")
	time.Sleep(50 * time.Millisecond)
	if n := len(c.records()); n != 0 {
		t.Errorf("got %d records before Finish", n)
	}
	tr.Finish()
	eventually(t, "the finished record", func() bool { return len(c.records()) == 1 })
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 4, 5, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"-1":                            0,
		"soon":                          0,
		"Fri, 05 Apr 2024 12:00:10 GMT": 10 * time.Second,
		"Fri, 05 Apr 2024 11:00:00 GMT": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}
