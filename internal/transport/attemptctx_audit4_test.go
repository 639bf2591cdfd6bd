package transport

// Probes of a fourth audit of attemptCtx (the header watch's attempt
// context, headerwatch.go). Each one fails on the commit that introduced
// attemptCtx and passes on the design it replaced
// (context.WithCancelCause(context.WithoutCancel(req.Context())) per
// attempt). Nothing here is timed: the watch's own ticker ends an attempt
// (a 20 ms Timeout) or a Timeout of an hour never does, and every wait on
// a channel has a backstop of a minute only so a broken build fails
// instead of hanging.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const audit4Backstop = time.Minute

func audit4Wait(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(audit4Backstop):
		t.Fatalf("backstop: %s never happened", what)
	}
}

// causeRecorder is a caller's round tripper (not an *http.Transport, so
// the watch starts with the attempt): it tells arrived, waits for the
// attempt's context to end, and records context.Cause(req.Context()) at
// once (first) and again after the test says the caller went on (later).
type causeRecorder struct {
	arrived, ended chan struct{}
	goOn           chan struct{} // nil: record once
	first, later   error
}

func (r *causeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	close(r.arrived)
	<-req.Context().Done()
	r.first = context.Cause(req.Context())
	close(r.ended)
	if r.goOn != nil {
		<-r.goOn
		r.later = context.Cause(req.Context())
	}
	return nil, req.Context().Err()
}

// Item 2: code below the SDK (a caller's round tripper) sees the caller's
// cause through context.Cause(req.Context()). The caller's context here is
// one whose deadline passes (the expiringContext the cause tests use: a
// context of the caller's own type, as a framework's request context is),
// so its cause is context.Cause(ctx) == context.DeadlineExceeded. Without
// the header watch the round tripper sees exactly that; with it, the
// previous design gave it too (the attempt's own cancelCtx stored
// context.Cause(parent)). attemptCtx stores no cause: context.Cause looks
// the nearest *cancelCtx up through Value, which passes to the caller's
// context, finds none, and falls back to the attempt's Err, Canceled. So
// a round tripper told "deadline" without the watch is told "canceled"
// with it.
func TestAudit4CallersCauseReachesARoundTripperForAContextOfItsOwnType(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"no header timeout", WithTimeout(0)},
		{"header watch", WithTimeout(time.Hour)}, // never fires
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := &causeRecorder{arrived: make(chan struct{}), ended: make(chan struct{})}
			c, err := New(NewConfig(WithTransport(rt), tc.opt, WithMaxAttempts(1)), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := &expiringContext{Context: context.Background(), done: make(chan struct{})}
			go func() {
				<-rt.arrived
				ctx.expire()
			}()
			_ = c.JSON(ctx, getCall(t, ctx, http.MethodGet, "http://127.0.0.1:1/x", nil), nil)
			audit4Wait(t, rt.ended, "the attempt's end")
			if want := context.Cause(ctx); !errors.Is(rt.first, want) {
				t.Fatalf("context.Cause(req.Context()) below = %v, want the caller's cause %v", rt.first, want)
			}
		})
	}
}

// Item 3 (the context contract): package context documents that "the
// first cancellation of c or one of its parents sets the cause", and
// Cause, like Err, does not change once set. Here the watch ends the
// attempt (a 20 ms client Timeout on a round tripper that never answers);
// the round tripper reads context.Cause(req.Context()), then the caller
// cancels its own context with a cause of its own, and the round tripper
// reads the cause again. The previous design answered errAttemptTimeout
// both times. attemptCtx.Value hands &cancelCtxKey to the caller's
// context, so Cause is read live from the caller's cancelCtx: Canceled
// first, then the caller's later cause, which blames the caller for an
// attempt the watch ended.
func TestAudit4AttemptCauseDoesNotChangeAfterTheAttemptEnded(t *testing.T) {
	rt := &causeRecorder{arrived: make(chan struct{}), ended: make(chan struct{}), goOn: make(chan struct{})}
	c, err := New(NewConfig(WithTransport(rt), WithTimeout(20*time.Millisecond), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	later := errors.New("the caller gave up afterwards, for its own reason")
	go func() {
		<-rt.ended // the watch ended the attempt
		cancel(later)
		close(rt.goOn)
	}()
	err = c.JSON(ctx, getCall(t, ctx, http.MethodGet, "http://127.0.0.1:1/x", nil), nil)
	if rt.first == nil {
		t.Fatalf("the attempt ended without a cause (call error %v)", err)
	}
	if rt.later != rt.first { //nolint:errorlint // the same value is the point
		t.Fatalf("context.Cause(req.Context()) changed after the attempt ended: %v first, then %v", rt.first, rt.later)
	}
}

type audit4Key struct{}

// Items 3 and 6: the attempt's context is the request's context as the
// attempt was given it, values included. An Authenticator (or a
// TokenAuth's Place, which returns the request to send) may hand on a
// request whose context carries more: here a value and a client trace.
// Without the header watch, and with the previous design (attemptContext
// of req.Context(), after authentication), both reach the round tripper
// and net/http. attemptCtx is started on the call's state (st) instead of
// on req.Context(), so with the watch both are silently dropped: the
// value is nil below, and the trace sees no GotConn (net/http finds only
// the watch's own trace through attemptCtx.Value).
func TestAudit4AuthenticatorsRequestContextReachesTheAttempt(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"no header timeout", WithTimeout(0)},
		{"header watch", WithTimeout(time.Hour)}, // never fires
	} {
		t.Run(tc.name+"/value below", func(t *testing.T) {
			var seen atomic.Value
			rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
				seen.Store(fmt.Sprint(req.Context().Value(audit4Key{})))
				return answeringRoundTripper{}.RoundTrip(req)
			})
			auth := AuthenticatorFunc(func(req *http.Request) error {
				*req = *req.WithContext(context.WithValue(req.Context(), audit4Key{}, "from the authenticator"))
				return nil
			})
			c, err := New(NewConfig(WithTransport(rt), WithAuth(auth), WithInsecurePlainHTTP(), tc.opt, WithMaxAttempts(1)), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if err := c.JSON(ctx, getCall(t, ctx, http.MethodGet, "http://127.0.0.1:1/x", nil), nil); err != nil {
				t.Fatal(err)
			}
			if got := seen.Load(); got != "from the authenticator" {
				t.Fatalf("the round tripper saw %v under the authenticator's key, want its value", got)
			}
		})
		t.Run(tc.name+"/trace on the SDK's transport", func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, "{}")
			}))
			defer srv.Close()
			var gotConns atomic.Int32
			trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { gotConns.Add(1) }}
			auth := AuthenticatorFunc(func(req *http.Request) error {
				*req = *req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
				return nil
			})
			c, err := New(NewConfig(WithAuth(auth), WithInsecurePlainHTTP(), tc.opt, WithMaxAttempts(1)), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			ctx := context.Background()
			if err := c.JSON(ctx, getCall(t, ctx, http.MethodGet, srv.URL+"/x", nil), nil); err != nil {
				t.Fatal(err)
			}
			if n := gotConns.Load(); n != 1 {
				t.Fatalf("the authenticator's trace saw %d GotConn, want 1", n)
			}
		})
	}
}

// stateFrom's doc: "a request without [the call's state] (none is sent
// that way) gets a fresh state whose repeatable is false". RoundTrip
// handled such a request before; with a client Timeout it now starts the
// attempt on that fresh state, whose embedded Context is nil, and panics
// (attemptCtx.start calls call.Done()). Latent: every request the call
// path sends carries a state, but the fallback the doc promises is gone.
func TestAudit4RoundTripWithoutCallStateUnderATimeout(t *testing.T) {
	c, err := New(NewConfig(WithTransport(answeringRoundTripper{}), WithTimeout(time.Hour)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1:1/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("RoundTrip of a request without the call's state panicked: %v", strings.SplitN(fmt.Sprint(p), "\n", 2)[0])
		}
	}()
	resp, err := c.attempts.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
}
