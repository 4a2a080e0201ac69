// Package app holds what the demo's services share: environment lookup,
// signal handling, the /debug pages and graceful HTTP serving.
package app

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/threadline-tracing/threadline/clients/go/nettrace"
)

// ShutdownTimeout bounds a service's graceful stop, flushes included.
const ShutdownTimeout = 5 * time.Second

// Env returns $key, or def when it is unset or empty.
func Env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// SignalContext is cancelled by SIGINT or SIGTERM.
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// AddDebugHandlers serves golang.org/x/net/trace's /debug/requests and
// /debug/events on mux (x/net/trace only allows requests from localhost).
func AddDebugHandlers(mux *http.ServeMux) {
	mux.HandleFunc("/debug/requests", nettrace.Traces)
	mux.HandleFunc("/debug/events", nettrace.Events)
}

// IsDebugPath reports whether r is for a /debug page or the health check,
// which the services do not trace.
func IsDebugPath(r *http.Request) bool {
	p := r.URL.Path
	return p == "/healthz" || len(p) >= 7 && p[:7] == "/debug/"
}

// Healthz answers health checks.
func Healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// Listen opens addr and logs the bound address.
func Listen(name, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	log.Printf("%s listening on %s", name, ln.Addr())
	return ln, nil
}

// ServeHTTP serves h on ln until ctx is done, then shuts the server down
// gracefully.
func ServeHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Every calls tick every interval until ctx is done; the services' periodic
// event-log reports run on it.
func Every(ctx context.Context, interval time.Duration, tick func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			tick()
		}
	}
}
