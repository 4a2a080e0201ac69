package profiling

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	xtrace "golang.org/x/exp/trace"
)

// Log categories the tracer wrapper writes with runtime/trace.Log at a span's
// start and end: they name the goroutine a span ran on, and bound its interval
// in trace time, without any wall-clock conversion.
const (
	logSpanStart = "threadline.span.start"
	logSpanEnd   = "threadline.span.end"
)

// State names used in a Summary. Blocked time is split by what the goroutine
// waited for, as the runtime reports it.
const (
	StateRunning  = "running"
	StateRunnable = "runnable"
	StateSyscall  = "syscall"
	StateMutex    = "mutex"
	StateChannel  = "channel"
	StateNetwork  = "network"
	StateGCAssist = "gc assist"
	StateSleep    = "sleep"
	StateOther    = "other wait"
)

// Summary is where one span's wall time went, from the execution trace: the
// span's goroutine and every goroutine it started during the span, per state.
type Summary struct {
	// DurationNano is the span's interval as the trace saw it (start log to end log).
	DurationNano int64 `json:"durationNano"`
	// Goroutines counts the span's goroutine and those it started.
	Goroutines int `json:"goroutines"`
	// States: nanoseconds per state summed over the goroutines, largest first.
	States []StateTime `json:"states"`
	// TopStacks: where the goroutines blocked the longest, largest first.
	TopStacks []BlockingStack `json:"topStacks"`
	// StartSeen is false when the span began before the flight recorder's
	// window: the interval then starts at the window's first event.
	StartSeen bool `json:"startSeen"`
}

// StateTime is the time spent in one state.
type StateTime struct {
	State        string `json:"state"`
	DurationNano int64  `json:"durationNano"`
}

// BlockingStack is a stack the span's goroutines blocked at, and for how long.
type BlockingStack struct {
	State        string   `json:"state"`
	Reason       string   `json:"reason"`
	DurationNano int64    `json:"durationNano"`
	Count        int      `json:"count"`
	Frames       []string `json:"frames"` // leaf first, "func file:line"
}

const (
	maxTopStacks   = 10
	maxStackFrames = 32
)

// ErrSpanNotInTrace means the trace holds no end log for the span: it ended
// before the window or was not wrapped by this package.
var ErrSpanNotInTrace = errors.New("profiling: span not found in the execution trace")

type goState struct {
	state   xtrace.GoState
	reason  string
	since   xtrace.Time
	stackID string
	frames  []string
}

// Summarize reads an execution trace and summarizes the span spanID: time per
// state of its goroutines between its start and end logs, and the stacks they
// blocked at. It reads the whole trace once.
func Summarize(r io.Reader, spanID string) (Summary, error) {
	rd, err := xtrace.NewReader(r)
	if err != nil {
		return Summary{}, fmt.Errorf("profiling: reading execution trace: %w", err)
	}
	s := summarizer{spanID: spanID, member: map[xtrace.GoID]bool{}, states: map[xtrace.GoID]*goState{}, byState: map[string]int64{}, stacks: map[string]*BlockingStack{}}
	for {
		ev, err := rd.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Summary{}, fmt.Errorf("profiling: reading execution trace: %w", err)
		}
		if s.observe(ev) {
			break
		}
	}
	if !s.ended {
		return Summary{}, ErrSpanNotInTrace
	}
	return s.result(), nil
}

type summarizer struct {
	spanID     string
	first      xtrace.Time
	haveFirst  bool
	start, end xtrace.Time
	started    bool
	ended      bool
	member     map[xtrace.GoID]bool
	states     map[xtrace.GoID]*goState
	byState    map[string]int64
	stacks     map[string]*BlockingStack
}

// observe takes one event; true once the span's end has been seen.
func (s *summarizer) observe(ev xtrace.Event) bool {
	if !s.haveFirst {
		s.first, s.haveFirst = ev.Time(), true
	}
	switch ev.Kind() {
	case xtrace.EventLog:
		l := ev.Log()
		if l.Message != s.spanID {
			return false
		}
		switch l.Category {
		case logSpanStart:
			s.begin(ev.Goroutine(), ev.Time())
		case logSpanEnd:
			if !s.started {
				// Started before the window: the window's start stands in.
				s.begin(ev.Goroutine(), s.first)
			}
			s.finish(ev.Time())
			return true
		}
	case xtrace.EventStateTransition:
		st := ev.StateTransition()
		if st.Resource.Kind != xtrace.ResourceGoroutine {
			return false
		}
		g := st.Resource.Goroutine()
		from, to := st.Goroutine()
		if from == xtrace.GoNotExist && to == xtrace.GoRunnable && s.started && s.member[ev.Goroutine()] {
			// Goroutines the span starts work for it.
			s.member[g] = true
		}
		s.transition(g, from, to, st.Reason, st.Stack, ev.Time())
	}
	return false
}

func (s *summarizer) begin(g xtrace.GoID, at xtrace.Time) {
	s.started, s.start = true, at
	s.member[g] = true
	// The goroutine is running: it just wrote the log.
	s.states[g] = &goState{state: xtrace.GoRunning, since: at}
}

func (s *summarizer) transition(g xtrace.GoID, from, to xtrace.GoState, reason string, stack xtrace.Stack, at xtrace.Time) {
	prev := s.states[g]
	if prev != nil && from == xtrace.GoUndetermined && to == prev.state {
		// A new trace generation restating a known state (without its reason): the same
		// wait or run goes on.
		return
	}
	if prev != nil && s.started && s.member[g] {
		s.charge(prev, at)
	}
	next := &goState{state: to, reason: reason, since: at}
	if to == xtrace.GoWaiting && s.started && s.member[g] {
		next.frames, next.stackID = stackFrames(stack)
		if next.reason == "" {
			// A wait already under way when the window began: its reason is in its stack.
			next.reason = reasonFromStack(next.frames)
		}
	}
	s.states[g] = next
}

func (s *summarizer) charge(st *goState, at xtrace.Time) {
	from := max(st.since, s.start)
	if at <= from {
		return
	}
	d := int64(at.Sub(from))
	name := stateName(st.state, st.reason)
	if name == "" {
		return
	}
	s.byState[name] += d
	if st.state == xtrace.GoWaiting && st.stackID != "" {
		key := name + "\x00" + st.stackID
		b := s.stacks[key]
		if b == nil {
			b = &BlockingStack{State: name, Reason: st.reason, Frames: st.frames}
			s.stacks[key] = b
		}
		b.DurationNano += d
		b.Count++
	}
}

func (s *summarizer) finish(at xtrace.Time) {
	s.ended, s.end = true, at
	for g, st := range s.states {
		if s.member[g] {
			s.charge(st, at)
		}
	}
}

func (s *summarizer) result() Summary {
	out := Summary{DurationNano: int64(s.end.Sub(s.start)), Goroutines: len(s.member), StartSeen: s.started && s.start != s.first}
	for name, d := range s.byState {
		out.States = append(out.States, StateTime{State: name, DurationNano: d})
	}
	sort.Slice(out.States, func(i, j int) bool {
		if out.States[i].DurationNano != out.States[j].DurationNano {
			return out.States[i].DurationNano > out.States[j].DurationNano
		}
		return out.States[i].State < out.States[j].State
	})
	for _, b := range s.stacks {
		out.TopStacks = append(out.TopStacks, *b)
	}
	sort.Slice(out.TopStacks, func(i, j int) bool { return out.TopStacks[i].DurationNano > out.TopStacks[j].DurationNano })
	if len(out.TopStacks) > maxTopStacks {
		out.TopStacks = out.TopStacks[:maxTopStacks]
	}
	return out
}

// stateName maps a goroutine state and the runtime's block reason to a
// Summary state; "" for states that are not time spent (not existing).
func stateName(state xtrace.GoState, reason string) string {
	switch state {
	case xtrace.GoRunning:
		return StateRunning
	case xtrace.GoRunnable:
		return StateRunnable
	case xtrace.GoSyscall:
		return StateSyscall
	case xtrace.GoWaiting:
		return waitName(reason)
	}
	return ""
}

// waitName groups the runtime's block reasons (runtime/traceruntime.go,
// traceBlockReasonStrings).
func waitName(reason string) string {
	switch {
	case reason == "sync" || strings.HasPrefix(reason, "sync."):
		return StateMutex
	case reason == "chan send" || reason == "chan receive" || reason == "select":
		return StateChannel
	case reason == "network":
		return StateNetwork
	case strings.HasPrefix(reason, "GC mark assist") || reason == "wait until GC ends":
		return StateGCAssist
	case reason == "sleep":
		return StateSleep
	}
	return StateOther
}

// reasonFromStack names the runtime's block reason from where a goroutine
// waits, for waits whose transition carried none.
func reasonFromStack(frames []string) string {
	for _, f := range frames {
		fn, _, _ := strings.Cut(f, " ")
		switch {
		case strings.HasPrefix(fn, "sync.") || strings.HasPrefix(fn, "internal/sync.") || strings.HasPrefix(fn, "runtime.semacquire"):
			return "sync"
		case fn == "runtime.chanrecv" || fn == "runtime.chanrecv1" || fn == "runtime.chanrecv2":
			return "chan receive"
		case fn == "runtime.chansend" || fn == "runtime.chansend1":
			return "chan send"
		case fn == "runtime.selectgo" || fn == "runtime.block":
			return "select"
		case fn == "runtime.netpollblock" || fn == "internal/poll.runtime_pollWait":
			return "network"
		case fn == "time.Sleep":
			return "sleep"
		}
	}
	return ""
}

func stackFrames(stack xtrace.Stack) ([]string, string) {
	var frames []string
	for f := range stack.Frames() {
		if len(frames) == maxStackFrames {
			break
		}
		frames = append(frames, fmt.Sprintf("%s %s:%d", f.Func, f.File, f.Line))
	}
	return frames, strings.Join(frames, "\n")
}
