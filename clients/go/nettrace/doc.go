// Package nettrace is a drop-in replacement for golang.org/x/net/trace that
// also ships every trace and event log to a Threadline collector, where they
// are joined to the OpenTelemetry spans of the same request.
//
// Swap the import and keep the code:
//
//	import trace "github.com/threadline-tracing/threadline/clients/go/nettrace"
//
//	tr := trace.New("api.Checkout", r.URL.Path)
//	defer tr.Finish()
//	tr.LazyPrintf("cart has %d items", n)
//
// Every Trace and EventLog wraps a real golang.org/x/net/trace one and
// forwards each call to it, so /debug/requests and /debug/events keep
// working (the handlers are registered on http.DefaultServeMux by
// x/net/trace; Traces and Events are re-exported for other muxes).
//
// # Exporting
//
// Start installs the package-level exporter, Shutdown flushes and removes it;
// NewExporter makes independent ones. Traces are sent when they Finish, and
// long-running ones also as "active" snapshots every Config.ActiveInterval;
// event logs send their new events every Config.FlushInterval and the rest
// on Finish. Records are POSTed as gzip'd JSON to {endpoint}/v1/nettrace in
// the format of DESIGN.md §3, from one background goroutine. The request path
// never waits on the network: the queue is bounded (Config.MaxQueue), and
// records that do not fit, or that the collector refuses after a bounded
// number of retries (429/502/503/504 and transport errors, with backoff and
// Retry-After), are counted in Stats.
//
// NewFromContext takes the trace and span ID of the OpenTelemetry span in
// the context (traceId/spanId on the wire): the collector then shows the
// events inline in that span of the waterfall. Without a span, the record
// becomes a span of its own.
//
// # Configuration
//
// Config fields left zero come from the environment: the endpoint from
// THREADLINE_NETTRACE_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT, else the
// host of OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (port 4317 is mapped to 4318),
// else http://localhost:4318; service.name from
// OTEL_SERVICE_NAME (or OTEL_RESOURCE_ATTRIBUTES); host.name from
// os.Hostname.
//
// # Differences from x/net/trace
//
// While an exporter is running, LazyLog calls String and LazyPrintf formats
// its arguments when the event is logged rather than when a page is
// rendered: the exported copy must not change afterwards, and SetRecycler
// may reuse the object. Without an exporter both stay lazy.
package nettrace
