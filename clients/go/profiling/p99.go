package profiling

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// maxP99Operations bounds the operations whose p99 is fetched: span names
// are the service's own, but a bug could make them unbounded.
const maxP99Operations = 200

// p99Table holds Threadline's p99 per operation of this service.
type p99Table struct {
	mu     sync.Mutex
	values map[string]time.Duration
	wanted map[string]bool
}

func newP99Table() *p99Table {
	return &p99Table{values: map[string]time.Duration{}, wanted: map[string]bool{}}
}

func (t *p99Table) get(name string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d, ok := t.values[name]
	return d, ok
}

func (t *p99Table) remember(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.wanted) < maxP99Operations {
		t.wanted[name] = true
	}
}

func (t *p99Table) names() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.wanted))
	for n := range t.wanted {
		out = append(out, n)
	}
	return out
}

func (t *p99Table) set(name string, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.values[name] = d
}

// runP99Refresh fetches GET /api/v1/percentiles (DESIGN.md §5) for every
// operation seen, over the last 15 minutes, every P99Refresh.
func (p *Profiler) runP99Refresh() {
	for !p.sleep(p.cfg.P99Refresh) {
		for _, name := range p.p99.names() {
			d, err := p.fetchP99(name)
			if err != nil {
				p.reportError(err)
				continue
			}
			if d > 0 {
				p.p99.set(name, d)
			}
		}
	}
}

func (p *Profiler) fetchP99(operation string) (time.Duration, error) {
	now := time.Now()
	q := url.Values{
		"service":   {p.cfg.Resource["service.name"]},
		"operation": {operation},
		"start":     {strconv.FormatInt(now.Add(-15*time.Minute).UnixNano(), 10)},
		"end":       {strconv.FormatInt(now.UnixNano(), 10)},
		"q":         {"0.99"},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.QueryEndpoint+"/api/v1/percentiles?"+q.Encode(), nil)
	if err != nil {
		return 0, err
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("profiling: p99 of %q: %w", operation, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("profiling: p99 of %q: %s", operation, resp.Status)
	}
	var body struct {
		Count     int64 `json:"count"`
		Quantiles []struct {
			DurationNano string `json:"durationNano"`
		} `json:"quantiles"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, fmt.Errorf("profiling: p99 of %q: %w", operation, err)
	}
	if body.Count == 0 || len(body.Quantiles) == 0 {
		return 0, nil
	}
	ns, err := strconv.ParseInt(body.Quantiles[0].DurationNano, 10, 64)
	return time.Duration(ns), err
}
