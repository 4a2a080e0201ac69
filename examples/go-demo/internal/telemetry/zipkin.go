package telemetry

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"os"

	"github.com/openzipkin/zipkin-go/model"
	"github.com/openzipkin/zipkin-go/reporter"
	httpreporter "github.com/openzipkin/zipkin-go/reporter/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// DefaultZipkinEndpoint is where spans go without $OTEL_EXPORTER_ZIPKIN_ENDPOINT.
const DefaultZipkinEndpoint = "http://localhost:9411/api/v2/spans"

// Zipkin exports Zipkin v2 JSON to $OTEL_EXPORTER_ZIPKIN_ENDPOINT (default
// DefaultZipkinEndpoint) through zipkin-go's HTTP reporter, the maintained
// Zipkin client: OpenTelemetry's own Zipkin exporter is deprecated upstream.
// The service keeps the OpenTelemetry API and SDK; only the last hop is zipkin-go.
func Zipkin(context.Context) (sdktrace.SpanExporter, error) {
	endpoint := os.Getenv("OTEL_EXPORTER_ZIPKIN_ENDPOINT")
	if endpoint == "" {
		endpoint = DefaultZipkinEndpoint
	}
	return NewZipkinExporter(httpreporter.NewReporter(endpoint)), nil
}

// NewZipkinExporter hands every span to r (which batches and sends on its own).
func NewZipkinExporter(r reporter.Reporter) sdktrace.SpanExporter {
	return &zipkinExporter{reporter: r}
}

type zipkinExporter struct {
	reporter reporter.Reporter
}

func (e *zipkinExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	for _, s := range spans {
		e.reporter.Send(ToZipkinSpan(s))
	}
	return nil
}

// Shutdown flushes what the reporter still holds.
func (e *zipkinExporter) Shutdown(context.Context) error {
	return e.reporter.Close()
}

var zipkinKinds = map[trace.SpanKind]model.Kind{
	trace.SpanKindServer:   model.Server,
	trace.SpanKindClient:   model.Client,
	trace.SpanKindProducer: model.Producer,
	trace.SpanKindConsumer: model.Consumer,
}

// ToZipkinSpan maps an OpenTelemetry span onto Zipkin's model the way the
// OpenTelemetry specification's Zipkin mapping does: 128-bit trace ID, the
// resource's service.name as local endpoint, attributes and resource
// attributes as tags, status as otel.status_code/error, scope as
// otel.scope.*, events as annotations "name: {attributes as JSON}".
func ToZipkinSpan(s sdktrace.ReadOnlySpan) model.SpanModel {
	sc := s.SpanContext()
	traceID, spanID := sc.TraceID(), sc.SpanID()
	sampled := sc.IsSampled()
	span := model.SpanModel{
		SpanContext: model.SpanContext{
			TraceID: model.TraceID{High: binary.BigEndian.Uint64(traceID[:8]), Low: binary.BigEndian.Uint64(traceID[8:])},
			ID:      model.ID(binary.BigEndian.Uint64(spanID[:])),
			Sampled: &sampled,
		},
		Name:      s.Name(),
		Kind:      zipkinKinds[s.SpanKind()],
		Timestamp: s.StartTime(),
		Duration:  s.EndTime().Sub(s.StartTime()),
		Tags:      map[string]string{},
	}
	if parent := s.Parent(); parent.SpanID().IsValid() {
		id := parent.SpanID()
		parentID := model.ID(binary.BigEndian.Uint64(id[:]))
		span.ParentID = &parentID
	}
	for _, kv := range s.Resource().Attributes() {
		if kv.Key == "service.name" {
			span.LocalEndpoint = &model.Endpoint{ServiceName: kv.Value.AsString()}
			continue
		}
		span.Tags[string(kv.Key)] = kv.Value.Emit()
	}
	for _, kv := range s.Attributes() {
		span.Tags[string(kv.Key)] = kv.Value.Emit()
	}
	if scope := s.InstrumentationScope(); scope.Name != "" {
		span.Tags["otel.scope.name"] = scope.Name
		if scope.Version != "" {
			span.Tags["otel.scope.version"] = scope.Version
		}
	}
	switch status := s.Status(); status.Code {
	case codes.Error:
		span.Tags["otel.status_code"] = "ERROR"
		span.Tags["error"] = status.Description
	case codes.Ok:
		span.Tags["otel.status_code"] = "OK"
	}
	for _, ev := range s.Events() {
		span.Annotations = append(span.Annotations, model.Annotation{Timestamp: ev.Time, Value: annotationValue(ev.Name, ev.Attributes)})
	}
	return span
}

// annotationValue is "name" or "name: {"key":value,…}", the form Zipkin
// readers (Threadline included) split back into an event with attributes.
func annotationValue(name string, attrs []attribute.KeyValue) string {
	if len(attrs) == 0 {
		return name
	}
	fields := make(map[string]any, len(attrs))
	for _, kv := range attrs {
		fields[string(kv.Key)] = kv.Value.AsInterface()
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return name
	}
	return name + ": " + string(b)
}
