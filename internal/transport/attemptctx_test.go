package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"
	"time"
)

// The trace key learnt at start-up is the one net/http/httptrace asks
// for: an attempt's Value answers it with the attempt's own trace, so no
// context.WithValue is made per attempt. If the lookup changed in a later
// Go, clientTraceKey would be nil and attempts fall back to
// httptrace.WithClientTrace (which this test would report).
func TestClientTraceKey(t *testing.T) {
	if clientTraceKey == nil {
		t.Fatal("the client trace's context key could not be learnt: every attempt pays a context.WithValue")
	}
	if cancelCtxKey == nil {
		t.Fatal("package context's cancelCtx key could not be learnt: an attempt's cause would be the call's")
	}
	var a attemptCtx
	a.start(context.Background(), nil)
	if got := httptrace.ContextClientTrace(&a); got != nil {
		t.Fatalf("an attempt without a trace answered %p", got)
	}
	a.traced = true
	if got := httptrace.ContextClientTrace(&a); got != &a.trace {
		t.Fatalf("ContextClientTrace = %p, want the attempt's trace %p", got, &a.trace)
	}
}

type ctxKey struct{}

// An attempt's context behaves as the context package's own would: it
// ends once, a context derived from it (net/http derives one per attempt)
// registers through AfterFunc and ends with it, a stopped registration
// does not run, and it carries the call's values but not its deadline.
func TestAttemptContext(t *testing.T) {
	call, endCall := context.WithCancelCause(context.WithValue(context.Background(), ctxKey{}, "v"))
	defer endCall(nil)
	var a attemptCtx
	a.start(call, nil)
	if a.Value(ctxKey{}) != "v" {
		t.Error("the call's value is not seen through the attempt")
	}
	if _, ok := a.Deadline(); ok {
		t.Error("an attempt reports a deadline")
	}
	child, cancelChild := context.WithCancel(&a)
	defer cancelChild()
	stopped, stopChild := context.WithCancel(&a)
	if len(a.afters) != 2 {
		t.Fatalf("%d functions registered by derived contexts, want 2 (package context starts a goroutine per child otherwise)", len(a.afters))
	}
	stopChild() // removes its registration
	if a.afters[1] != nil {
		t.Error("a derived context that ended kept its registration")
	}
	if a.Err() != nil {
		t.Fatal("ended before cancel")
	}
	done := a.Done()
	if context.Cause(&a) != nil {
		t.Fatal("a running attempt has a cause")
	}
	a.cancel(errAttemptTimeout)
	a.cancel(errors.New("second"))
	<-done
	<-child.Done() // through the registered function, in its own goroutine
	if !errors.Is(a.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Fatalf("Err: attempt %v, derived %v", a.Err(), child.Err())
	}
	// The cause is the first one, and stays: the caller cancelling its
	// context later does not blame it for an attempt the watch ended.
	endCall(errors.New("the caller, later"))
	if !errors.Is(context.Cause(&a), errAttemptTimeout) || !errors.Is(context.Cause(child), errAttemptTimeout) {
		t.Fatalf("Cause: attempt %v, derived %v; want the attempt timeout", context.Cause(&a), context.Cause(child))
	}
	if stopped.Err() == nil {
		t.Fatal("the stopped child's own cancel did not end it")
	}
	late, cancelLate := context.WithCancel(&a)
	defer cancelLate()
	<-late.Done() // a context derived after the end ends at once
	var ended attemptCtx
	ended.start(context.Background(), nil)
	ended.cancel(nil)
	<-ended.Done() // a Done asked for after the end is closed
}

// The call's end reaches the attempt, with the call's cause, and the
// attempt stops watching the call once released.
func TestAttemptContextFollowsTheCall(t *testing.T) {
	cause := errors.New("caller gave up")
	call, endCall := context.WithCancelCause(context.Background())
	var a attemptCtx
	a.start(call, nil)
	endCall(cause)
	<-a.Done()
	if !errors.Is(context.Cause(&a), cause) {
		t.Fatalf("cause %v, want the caller's", context.Cause(&a))
	}

	call2, endCall2 := context.WithCancel(context.Background())
	var b attemptCtx
	b.start(call2, nil)
	b.release()
	endCall2()
	if b.stopCall() {
		t.Fatal("the watch on the call was still registered after release")
	}
	if b.Err() != nil {
		t.Fatal("a released attempt ended with the call: its answer's body would be cut")
	}
}

// The header watch costs few allocations per call: the attempt's context
// and request copy live in the call's state, net/http's context registers
// through AfterFunc instead of a map, and the trace needs no WithValue.
// What remains is the Done channel, the trace's hook and the registration
// (two in package context, one here): 5, and 6 in some runs under the race
// detector, so the bound is 7. The design this replaced,
// context.WithCancelCause and httptrace.WithClientTrace per attempt, cost
// 9 with or without the race detector, and fails it.
func TestAttemptContextAllocations(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"a":1}`))
	}))
	defer srv.Close()
	perCall := func(opts ...Option) float64 {
		c, err := New(NewConfig(opts...), Rules{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		call := func() {
			req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
			var out struct{ A int }
			if err := c.JSON(context.Background(), Call{Op: "test.Get", Request: req, BuildErr: err}, &out); err != nil || out.A != 1 {
				t.Fatal(out, err)
			}
		}
		call() // the connection, the watch's ticker
		return testing.AllocsPerRun(200, call)
	}
	without := perCall(WithTimeout(0))
	with := perCall(WithTimeout(time.Minute))
	t.Logf("%.2f allocations per call with the watch, %.2f without", with, without)
	if added := with - without; added > 7 {
		t.Fatalf("the header watch adds %.1f allocations per call (%.1f with, %.1f without), want at most 7", added, with, without)
	}
}
