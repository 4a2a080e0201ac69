package nettrace

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config configures an Exporter. Zero fields take the defaults described on
// each field; the environment is read once, by NewExporter or Start.
type Config struct {
	// Endpoint is the collector's base URL; records are POSTed to
	// Endpoint + "/v1/nettrace" (a URL that already ends in /v1/nettrace is
	// used as is). Default: $THREADLINE_NETTRACE_ENDPOINT, else
	// $OTEL_EXPORTER_OTLP_ENDPOINT, else the scheme and host of
	// $OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else http://localhost:4318. A
	// :4317 port from the OTLP variables is taken to mean the OTLP/gRPC
	// listener and replaced by the OTLP/HTTP port :4318.
	Endpoint string

	// Resource describes the process (service.name, host.name, …). Keys
	// not set here are filled from $OTEL_SERVICE_NAME (service.name),
	// $OTEL_RESOURCE_ATTRIBUTES and os.Hostname (host.name).
	Resource map[string]string

	// BatchSize is the most records sent in one request. Default 256.
	BatchSize int

	// FlushInterval is how often queued records are sent, event logs
	// report their new events, and long-running traces are snapshotted.
	// Default 2s.
	FlushInterval time.Duration

	// MaxQueue bounds the records waiting to be sent; when it is full new
	// records are dropped and counted in Stats().Dropped. Default 4096.
	MaxQueue int

	// ActiveInterval: a trace that has not finished this long after it
	// started is sent as an "active" snapshot, and again every
	// ActiveInterval while it keeps changing. Default 10s; negative disables
	// active snapshots (traces are then sent only on Finish).
	ActiveInterval time.Duration

	// HTTPClient sends the requests. Default: a client with a 10s timeout.
	HTTPClient *http.Client
}

const (
	defaultEndpoint       = "http://localhost:4318"
	ingestPath            = "/v1/nettrace"
	defaultBatchSize      = 256
	defaultFlushInterval  = 2 * time.Second
	defaultMaxQueue       = 4096
	defaultActiveInterval = 10 * time.Second
	defaultHTTPTimeout    = 10 * time.Second
)

// withDefaults returns a copy of c with every zero field filled in, reading
// the environment through getenv.
func (c Config) withDefaults(getenv func(string) string) (Config, error) {
	endpoint, err := resolveEndpoint(c.Endpoint, getenv)
	if err != nil {
		return c, err
	}
	c.Endpoint = endpoint
	c.Resource = resolveResource(c.Resource, getenv)
	if c.BatchSize <= 0 {
		c.BatchSize = defaultBatchSize
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = defaultFlushInterval
	}
	if c.MaxQueue <= 0 {
		c.MaxQueue = defaultMaxQueue
	}
	if c.ActiveInterval == 0 {
		c.ActiveInterval = defaultActiveInterval
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: defaultHTTPTimeout}
	}
	return c, nil
}

func resolveEndpoint(configured string, getenv func(string) string) (string, error) {
	raw := configured
	fromOTLP := false
	if raw == "" {
		raw = getenv("THREADLINE_NETTRACE_ENDPOINT")
	}
	if raw == "" {
		raw = getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
		fromOTLP = raw != ""
	}
	tracesURL := false
	if raw == "" {
		raw = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
		fromOTLP, tracesURL = raw != "", raw != ""
	}
	if raw == "" {
		raw = defaultEndpoint
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("nettrace: bad endpoint %q: want http(s)://host:port", raw)
	}
	if fromOTLP && u.Port() == "4317" {
		// Many services point their OTLP endpoint at the gRPC listener;
		// the collector serves /v1/nettrace on its HTTP one.
		u.Host = net.JoinHostPort(u.Hostname(), "4318")
	}
	if tracesURL {
		// A signal URL (…/v1/traces): only its scheme and host apply.
		u.Path = ""
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(u.Path, ingestPath) {
		u.Path += ingestPath
	}
	u.RawPath = ""
	return u.String(), nil
}

func resolveResource(configured map[string]string, getenv func(string) string) map[string]string {
	res := make(map[string]string, len(configured)+2)
	for _, kv := range strings.Split(getenv("OTEL_RESOURCE_ATTRIBUTES"), ",") {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if dec, err := url.PathUnescape(strings.TrimSpace(v)); err == nil {
			res[k] = dec
		}
	}
	if name := getenv("OTEL_SERVICE_NAME"); name != "" {
		res["service.name"] = name
	}
	for k, v := range configured {
		res[k] = v
	}
	if res["service.name"] == "" {
		// The OpenTelemetry SDKs' fallback, so both sources agree.
		res["service.name"] = "unknown_service:" + filepath.Base(os.Args[0])
	}
	if res["host.name"] == "" {
		if h, err := os.Hostname(); err == nil {
			res["host.name"] = h
		}
	}
	return res
}
