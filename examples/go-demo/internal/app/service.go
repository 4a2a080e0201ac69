package app

import (
	"context"
	"log"

	"github.com/threadline-tracing/threadline/examples/go-demo/internal/telemetry"
)

// RunService is a demo service's whole main: log lines carry the service name, tracing
// exports through newExporter, serve runs until SIGINT or SIGTERM, and the spans still
// buffered are flushed before the process exits.
func RunService(name string, newExporter telemetry.NewExporter, serve func(ctx context.Context) error) {
	log.SetPrefix(name + ": ")
	if err := runService(name, newExporter, serve); err != nil {
		log.Fatal(err)
	}
	log.Print("stopped")
}

func runService(name string, newExporter telemetry.NewExporter, serve func(ctx context.Context) error) error {
	ctx, stop := SignalContext()
	defer stop()

	shutdown, err := telemetry.Setup(ctx, name, newExporter)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		if err := shutdown(sctx); err != nil {
			log.Printf("telemetry shutdown: %v", err)
		}
	}()
	return serve(ctx)
}
