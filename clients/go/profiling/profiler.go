package profiling

import (
	"bytes"
	"context"
	"errors"
	"os"
	"runtime/pprof"
	rtrace "runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what a Profiler did; Dropped and Failed grow when the
// collector is slow or down, never the request path's latency.
type Stats struct {
	CPUProfiles     uint64 // CPU windows uploaded
	Profiles        uint64 // heap/goroutine/mutex/block profiles uploaded
	Snapshots       uint64 // flight-recorder snapshots taken
	ExecTraces      uint64 // execution-trace summaries uploaded
	SpansNotInTrace uint64 // slow spans whose end the snapshot did not hold
	Dropped         uint64 // uploads or slow spans dropped because their queue was full
	Failed          uint64 // uploads the collector refused or that did not arrive
}

// Profiler runs continuous CPU profiling, optional periodic profiles and the
// flight recorder, uploading to Threadline in the background.
type Profiler struct {
	cfg      Config
	uploads  chan upload
	slow     chan finishedSpan
	recorder *rtrace.FlightRecorder
	p99      *p99Table
	stop     chan struct{}
	stopOnce sync.Once
	workers  sync.WaitGroup
	uploader sync.WaitGroup

	cpuProfiles, profiles, snapshots, execTraces, notInTrace, dropped, failed atomic.Uint64
}

// Start starts a Profiler with cfg (defaults filled in from the environment).
// Call Shutdown to stop it and flush what is queued.
func Start(cfg Config) (*Profiler, error) {
	cfg, err := cfg.withDefaults(os.Getenv)
	if err != nil {
		return nil, err
	}
	p := &Profiler{
		cfg:     cfg,
		uploads: make(chan upload, cfg.MaxQueue),
		slow:    make(chan finishedSpan, cfg.MaxQueue),
		p99:     newP99Table(),
		stop:    make(chan struct{}),
	}
	if cfg.FlightRecorder {
		p.recorder = rtrace.NewFlightRecorder(rtrace.FlightRecorderConfig{MinAge: cfg.FlightRecorderAge, MaxBytes: cfg.FlightRecorderMaxBytes})
		if err := p.recorder.Start(); err != nil {
			return nil, err
		}
	}
	p.uploader.Add(1)
	go p.runUploads()
	if cfg.CPUWindow > 0 {
		p.goWorker(p.runCPU)
	}
	if cfg.ProfileInterval > 0 {
		p.goWorker(p.runProfiles)
	}
	if p.recorder != nil {
		p.goWorker(p.runSnapshots)
		if cfg.SlowAboveP99 {
			p.goWorker(p.runP99Refresh)
		}
	}
	return p, nil
}

func (p *Profiler) goWorker(f func()) {
	p.workers.Add(1)
	go func() {
		defer p.workers.Done()
		f()
	}()
}

// Endpoint is the collector's base URL the uploads go to.
func (p *Profiler) Endpoint() string { return p.cfg.Endpoint }

// Stats returns the counters so far.
func (p *Profiler) Stats() Stats {
	return Stats{
		CPUProfiles: p.cpuProfiles.Load(), Profiles: p.profiles.Load(), Snapshots: p.snapshots.Load(),
		ExecTraces: p.execTraces.Load(), SpansNotInTrace: p.notInTrace.Load(), Dropped: p.dropped.Load(), Failed: p.failed.Load(),
	}
}

// Shutdown ends the current CPU window (uploading it), stops the flight
// recorder and waits, until ctx is done, for queued uploads to be sent.
func (p *Profiler) Shutdown(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		p.stopOnce.Do(func() {
			close(p.stop)
			// A snapshot being summarized finishes first: its uploads are queued.
			p.workers.Wait()
			if p.recorder != nil {
				p.recorder.Stop()
			}
			close(p.uploads)
		})
		p.uploader.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Profiler) recording() bool { return p != nil && p.recorder != nil && p.recorder.Enabled() }

// spanEnded runs on the request path: it only compares and, for a slow
// span, tries a non-blocking send.
func (p *Profiler) spanEnded(s finishedSpan) {
	if p.recorder == nil || (!s.failed && s.duration <= p.threshold(s.name)) {
		return
	}
	select {
	case p.slow <- s:
	default:
		p.dropped.Add(1)
	}
}

func (p *Profiler) threshold(name string) time.Duration {
	if t, ok := p.cfg.SlowThresholds[name]; ok {
		return t
	}
	if p.cfg.SlowAboveP99 {
		if t, ok := p.p99.get(name); ok {
			return t
		}
		p.p99.remember(name)
	}
	return p.cfg.SlowThreshold
}

// runCPU profiles in back-to-back windows until stopped; the last, partial
// window is uploaded too.
func (p *Profiler) runCPU() {
	for {
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			// Someone else is profiling this process: try again next window.
			p.reportError(err)
			if p.sleep(p.cfg.CPUWindow) {
				return
			}
			continue
		}
		stopped := p.sleep(p.cfg.CPUWindow)
		pprof.StopCPUProfile()
		p.enqueue(upload{kind: "cpu", path: pprofPath, contentType: "application/octet-stream", body: buf.Bytes(), counter: &p.cpuProfiles})
		if stopped {
			return
		}
	}
}

// runProfiles uploads the heap and goroutine profiles, and mutex and block
// when their rates are on, every ProfileInterval.
func (p *Profiler) runProfiles() {
	for !p.sleep(p.cfg.ProfileInterval) {
		for _, name := range []string{"heap", "goroutine", "mutex", "block"} {
			prof := pprof.Lookup(name)
			if prof == nil || ((name == "mutex" || name == "block") && prof.Count() == 0) {
				continue
			}
			var buf bytes.Buffer
			if err := prof.WriteTo(&buf, 0); err != nil {
				p.reportError(err)
				continue
			}
			p.enqueue(upload{kind: name, path: pprofPath, contentType: "application/octet-stream", body: buf.Bytes(), counter: &p.profiles})
		}
	}
}

// sleep waits d; true when the Profiler is stopping.
func (p *Profiler) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case <-p.stop:
		return true
	}
}

// runSnapshots takes a flight-recorder snapshot for the slow spans waiting
// (at most one per MinSnapshotInterval; spans that end meanwhile share it),
// summarizes each span from it, and queues the uploads.
func (p *Profiler) runSnapshots() {
	var last time.Time
	for {
		var first finishedSpan
		select {
		case first = <-p.slow:
		case <-p.stop:
			return
		}
		if wait := time.Until(last.Add(p.cfg.MinSnapshotInterval)); wait > 0 && p.sleep(wait) {
			return
		}
		spans := append([]finishedSpan{first}, p.drainSlow()...)
		var buf bytes.Buffer
		if _, err := p.recorder.WriteTo(&buf); err != nil {
			p.reportError(err)
			continue
		}
		last = time.Now()
		p.snapshots.Add(1)
		for _, s := range spans {
			p.uploadExecTrace(s, buf.Bytes())
		}
	}
}

func (p *Profiler) drainSlow() []finishedSpan {
	var more []finishedSpan
	for {
		select {
		case s := <-p.slow:
			more = append(more, s)
		default:
			return more
		}
	}
}

func (p *Profiler) uploadExecTrace(s finishedSpan, raw []byte) {
	summary, err := Summarize(bytes.NewReader(raw), s.spanID)
	if errors.Is(err, ErrSpanNotInTrace) {
		p.notInTrace.Add(1)
		return
	}
	if err != nil {
		p.reportError(err)
		return
	}
	body, err := encodeExecTrace(p.cfg.Resource, s, summary, raw, p.cfg.MaxRawTraceBytes)
	if err != nil {
		p.reportError(err)
		return
	}
	p.enqueue(upload{kind: "exectrace", path: exectracePath, contentType: "application/json", body: body, gzip: true, counter: &p.execTraces})
}

func (p *Profiler) reportError(err error) {
	if p.cfg.ErrorHandler != nil {
		p.cfg.ErrorHandler(err)
	}
}
