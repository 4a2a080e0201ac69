package profiling

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
)

type upload struct {
	kind        string // X-Profile-Type for pprof; "exectrace"
	path        string
	contentType string
	body        []byte
	gzip        bool
	counter     *atomic.Uint64
}

// enqueue never blocks: a full queue drops the upload and counts it. Only the
// workers call it, and Shutdown closes the queue after they have returned.
func (p *Profiler) enqueue(u upload) {
	select {
	case p.uploads <- u:
	default:
		p.dropped.Add(1)
	}
}

func (p *Profiler) runUploads() {
	defer p.uploader.Done()
	for u := range p.uploads {
		if err := p.post(u); err != nil {
			p.failed.Add(1)
			p.reportError(err)
			continue
		}
		u.counter.Add(1)
	}
}

func (p *Profiler) post(u upload) error {
	body := u.body
	if u.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(body); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	req, err := http.NewRequest(http.MethodPost, p.cfg.Endpoint+u.path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", u.contentType)
	if u.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if u.path == pprofPath {
		req.Header.Set("X-Profile-Type", u.kind)
		req.Header.Set("X-Service-Name", p.cfg.Resource["service.name"])
		req.Header.Set("X-Resource-Attributes", resourceHeader(p.cfg.Resource))
	}
	if p.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+p.cfg.Token)
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("profiling: upload %s: %w", u.kind, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("profiling: upload %s: %s: %s", u.kind, resp.Status, msg)
	}
	return nil
}

// execTraceUpload is the body of POST /v1/profiles/exectrace (docs/api.md).
type execTraceUpload struct {
	Resource          map[string]string `json:"resource"`
	TraceID           string            `json:"traceId"`
	SpanID            string            `json:"spanId"`
	SpanName          string            `json:"spanName"`
	StartTimeUnixNano string            `json:"startTimeUnixNano"`
	DurationNano      string            `json:"durationNano"`
	Error             bool              `json:"error"`
	Summary           wireSummary       `json:"summary"`
	// RawTrace is the flight-recorder snapshot (base64 in JSON), omitted when
	// larger than MaxRawTraceBytes; RawTraceBytes is its size either way.
	RawTrace      []byte `json:"rawTrace,omitempty"`
	RawTraceBytes int    `json:"rawTraceBytes"`
}

// wireSummary is Summary with nanoseconds as decimal strings, as every
// Threadline wire format has them.
type wireSummary struct {
	DurationNano string          `json:"durationNano"`
	Goroutines   int             `json:"goroutines"`
	StartSeen    bool            `json:"startSeen"`
	States       []wireState     `json:"states"`
	TopStacks    []wireBlockings `json:"topStacks"`
}

type wireState struct {
	State        string `json:"state"`
	DurationNano string `json:"durationNano"`
}

type wireBlockings struct {
	State        string   `json:"state"`
	Reason       string   `json:"reason"`
	DurationNano string   `json:"durationNano"`
	Count        int      `json:"count"`
	Frames       []string `json:"frames"`
}

func encodeExecTrace(res map[string]string, s finishedSpan, sum Summary, raw []byte, maxRaw int) ([]byte, error) {
	ns := func(v int64) string { return strconv.FormatInt(v, 10) }
	w := wireSummary{DurationNano: ns(sum.DurationNano), Goroutines: sum.Goroutines, StartSeen: sum.StartSeen, States: []wireState{}, TopStacks: []wireBlockings{}}
	for _, st := range sum.States {
		w.States = append(w.States, wireState{State: st.State, DurationNano: ns(st.DurationNano)})
	}
	for _, b := range sum.TopStacks {
		w.TopStacks = append(w.TopStacks, wireBlockings{State: b.State, Reason: b.Reason, DurationNano: ns(b.DurationNano), Count: b.Count, Frames: b.Frames})
	}
	up := execTraceUpload{
		Resource: res, TraceID: s.traceID, SpanID: s.spanID, SpanName: s.name,
		StartTimeUnixNano: ns(s.start.UnixNano()), DurationNano: ns(int64(s.duration)), Error: s.failed,
		Summary: w, RawTraceBytes: len(raw),
	}
	if len(raw) <= maxRaw {
		up.RawTrace = raw
	}
	return json.Marshal(up)
}
