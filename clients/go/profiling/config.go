package profiling

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"
)

// Config configures a Profiler. Zero fields take the defaults described on
// each field; the environment is read once, by Start.
type Config struct {
	// Endpoint is the collector's base URL (OTLP/HTTP listener): profiles go
	// to Endpoint + "/v1/profiles/pprof", execution traces to
	// Endpoint + "/v1/profiles/exectrace". Default:
	// $THREADLINE_PROFILES_ENDPOINT, else $OTEL_EXPORTER_OTLP_ENDPOINT (a
	// :4317 port becomes :4318), else http://localhost:4318.
	Endpoint string

	// QueryEndpoint is Threadline's query API (port 16686), used to fetch
	// the p99 of each operation when SlowAboveP99 is set. Default:
	// $THREADLINE_QUERY_ENDPOINT, else the Endpoint's host on port 16686.
	QueryEndpoint string

	// Token is sent as "Authorization: Bearer" (--ingest-token). Default:
	// $THREADLINE_INGEST_TOKEN.
	Token string

	// Resource describes the process. Keys not set here come from the OTel
	// SDK's resource detection: $OTEL_SERVICE_NAME (else
	// unknown_service:<executable>), $OTEL_RESOURCE_ATTRIBUTES, host.name.
	Resource map[string]string

	// CPUWindow is the length of one CPU profile; each is uploaded when it
	// ends. Default 10s; negative disables CPU profiling.
	CPUWindow time.Duration

	// ProfileInterval: when positive, the heap and goroutine profiles (and
	// the mutex and block profiles, when their rates are set with
	// runtime.SetMutexProfileFraction / SetBlockProfileRate) are uploaded
	// this often. Default 0: off.
	ProfileInterval time.Duration

	// FlightRecorder turns on the runtime's flight recorder: a span that ends
	// slower than its threshold, or with an error, gets an execution-trace
	// summary and the raw trace uploaded. Default off.
	FlightRecorder bool

	// FlightRecorderAge is how much recent execution the recorder keeps.
	// Default 5s.
	FlightRecorderAge time.Duration

	// FlightRecorderMaxBytes bounds the recorder's buffer. Default 16 MiB.
	FlightRecorderMaxBytes uint64

	// SlowThreshold is the default threshold of a span; SlowThresholds
	// overrides it per span name. Default 500ms.
	SlowThreshold  time.Duration
	SlowThresholds map[string]time.Duration

	// SlowAboveP99: a span is also slow above its operation's p99 as
	// Threadline computes it (fetched every P99Refresh from QueryEndpoint).
	SlowAboveP99 bool
	P99Refresh   time.Duration

	// MaxRawTraceBytes: a raw execution trace larger than this is not
	// uploaded (the summary still is). Default 8 MiB.
	MaxRawTraceBytes int

	// MinSnapshotInterval rate-limits flight-recorder snapshots; spans that
	// end slow while one is being taken share it. Default 2s.
	MinSnapshotInterval time.Duration

	// MaxQueue bounds the uploads and pending snapshots waiting; past it
	// new ones are dropped and counted in Stats. Default 32.
	MaxQueue int

	// HTTPClient sends the uploads. Default: a client with a 20s timeout.
	HTTPClient *http.Client

	// ErrorHandler receives upload errors (default: dropped; see Stats).
	ErrorHandler func(error)
}

const (
	pprofPath     = "/v1/profiles/pprof"
	exectracePath = "/v1/profiles/exectrace"
)

func (c Config) withDefaults(getenv func(string) string) (Config, error) {
	base, err := resolveBase(c.Endpoint, getenv)
	if err != nil {
		return c, err
	}
	c.Endpoint = base
	if c.QueryEndpoint == "" {
		c.QueryEndpoint = getenv("THREADLINE_QUERY_ENDPOINT")
	}
	if c.QueryEndpoint == "" {
		u, _ := url.Parse(base)
		u.Host = net.JoinHostPort(u.Hostname(), "16686")
		c.QueryEndpoint = u.String()
	}
	c.QueryEndpoint = strings.TrimRight(c.QueryEndpoint, "/")
	if c.Token == "" {
		c.Token = getenv("THREADLINE_INGEST_TOKEN")
	}
	if c.Resource, err = resolveResource(c.Resource); err != nil {
		return c, err
	}
	if c.CPUWindow == 0 {
		c.CPUWindow = 10 * time.Second
	}
	if c.FlightRecorderAge <= 0 {
		c.FlightRecorderAge = 5 * time.Second
	}
	if c.FlightRecorderMaxBytes == 0 {
		c.FlightRecorderMaxBytes = 16 << 20
	}
	if c.SlowThreshold <= 0 {
		c.SlowThreshold = 500 * time.Millisecond
	}
	if c.P99Refresh <= 0 {
		c.P99Refresh = time.Minute
	}
	if c.MaxRawTraceBytes <= 0 {
		c.MaxRawTraceBytes = 8 << 20
	}
	if c.MinSnapshotInterval <= 0 {
		c.MinSnapshotInterval = 2 * time.Second
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = 32
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	return c, nil
}

// resolveBase returns the collector's base URL, without a path.
func resolveBase(configured string, getenv func(string) string) (string, error) {
	raw, fromOTLP := configured, false
	if raw == "" {
		raw = getenv("THREADLINE_PROFILES_ENDPOINT")
	}
	if raw == "" {
		raw = getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
		fromOTLP = raw != ""
	}
	if raw == "" {
		raw = "http://localhost:4318"
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("profiling: bad endpoint %q: want http(s)://host:port", raw)
	}
	if fromOTLP && u.Port() == "4317" {
		u.Host = net.JoinHostPort(u.Hostname(), "4318")
	}
	u.Path, u.RawPath, u.RawQuery = strings.TrimRight(u.Path, "/"), "", ""
	return u.String(), nil
}

// resolveResource is the SDK's resource (service.name from OTEL_SERVICE_NAME, else
// unknown_service:<executable>; OTEL_RESOURCE_ATTRIBUTES; host.name), with the
// configured attributes over it, flattened to strings for the upload headers.
func resolveResource(configured map[string]string) (map[string]string, error) {
	detected, err := resource.New(context.Background(), resource.WithFromEnv(), resource.WithHost())
	if err != nil && detected == nil {
		return nil, fmt.Errorf("profiling: resource: %w", err)
	}
	merged, err := resource.Merge(resource.Default(), detected)
	if err != nil {
		return nil, fmt.Errorf("profiling: resource: %w", err)
	}
	res := map[string]string{}
	for _, kv := range merged.Attributes() {
		res[string(kv.Key)] = kv.Value.Emit()
	}
	for k, v := range configured {
		res[k] = v
	}
	return res, nil
}

// resourceHeader encodes the resource as OTEL_RESOURCE_ATTRIBUTES does
// (comma-separated key=value, values percent-encoded).
func resourceHeader(res map[string]string) string {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = url.PathEscape(k) + "=" + url.PathEscape(res[k])
	}
	return strings.Join(parts, ",")
}
