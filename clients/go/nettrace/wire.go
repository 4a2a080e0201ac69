package nettrace

import (
	"strconv"
	"time"
)

// Wire format of POST /v1/nettrace (DESIGN.md §3). Times are decimal strings
// of nanoseconds so that no JSON number ever has to hold a 64-bit value.

type wireRequest struct {
	Resource map[string]string `json:"resource"`
	Records  []*wireRecord     `json:"records"`
}

const (
	typeTrace    = "trace"
	typeEventLog = "eventLog"

	stateActive   = "active"
	stateFinished = "finished"
)

type wireRecord struct {
	Type              string      `json:"type"`
	RecordID          string      `json:"recordId"`
	Seq               uint64      `json:"seq"`
	Family            string      `json:"family"`
	Title             string      `json:"title"`
	StartTimeUnixNano string      `json:"startTimeUnixNano"`
	ElapsedNano       string      `json:"elapsedNano"`
	State             string      `json:"state"`
	Error             bool        `json:"error"`
	MaxEvents         int         `json:"maxEvents"`
	DiscardedEvents   int         `json:"discardedEvents"`
	TraceID           string      `json:"traceId,omitempty"`
	SpanID            string      `json:"spanId,omitempty"`
	Events            []wireEvent `json:"events"`
}

type wireEvent struct {
	TimeUnixNano string `json:"timeUnixNano"`
	Message      string `json:"message"`
	Sensitive    bool   `json:"sensitive"`
	Error        bool   `json:"error"`
}

// event is the in-memory form: the message is already a string because the
// caller's object may be recycled (SetRecycler) or mutated after logging.
type event struct {
	when      time.Time
	message   string
	sensitive bool
	isErr     bool
}

func (e event) toWire() wireEvent {
	return wireEvent{
		TimeUnixNano: unixNanoString(e.when),
		Message:      e.message,
		Sensitive:    e.sensitive,
		Error:        e.isErr,
	}
}

func toWireEvents(evs []event) []wireEvent {
	out := make([]wireEvent, len(evs))
	for i, e := range evs {
		out[i] = e.toWire()
	}
	return out
}

func unixNanoString(t time.Time) string {
	return strconv.FormatInt(t.UnixNano(), 10)
}

func durationString(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return strconv.FormatInt(int64(d), 10)
}
