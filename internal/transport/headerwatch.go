package transport

import (
	"context"
	"net/http/httptrace"
	"sync"
	"time"
)

// headerWatch bounds how long a client's attempts wait for their response
// headers (Config.Timeout) with one ticker per client, instead of a
// runtime timer per attempt.
//
// Why not http.Transport.ResponseHeaderTimeout or a time.AfterFunc per
// attempt: each arms a runtime timer while the goroutine waits for the
// answer, and arming a timer wakes an idle processor to watch it. On a
// small GET to a nearby server that cost 5-7 % of the call (P1 in
// internal/cmd/benchreport measured the transport at 1.07-1.14x bare
// net/http with it, 0.96-1.05x without). Here an attempt only joins a list
// under a mutex; the ticker, which runs only while the client has attempts
// in flight, cancels the attempts that have waited too long.
//
// The wait starts once the attempt has a connection (traceConn): unlike
// ResponseHeaderTimeout's, it takes in sending the request, so a stalled
// upload is bounded too. On a round tripper of the caller's that is not an
// *http.Transport, which reports no connections, it starts with the
// attempt.
//
// The bound is coarse by design: an attempt is cancelled at the first tick
// after it has waited the timeout, measured on the clock, so a tick the
// ticker drops on a loaded machine delays the cancel by no more than a
// period. A period is a sixteenth of the timeout, at least 1 ms and at most
// 1 s (60 s, the default, gives up before 61 s on an idle machine).
//
// Only attempts under the client's own Timeout join the watch: a call with
// a timeout of its own (CallSettings.Timeout) arms a timer per attempt,
// which is rare enough not to matter.
type headerWatch struct {
	timeout, period time.Duration
	// startTicker starts the ticks (a time.Ticker) and now reads the
	// clock (time.Now); tests drive their own.
	startTicker func(period time.Duration) (ticks <-chan time.Time, stop func())
	now         func() time.Time

	mu      sync.Mutex
	pending []*watchedAttempt
	// joined is set when an attempt joined since the last tick: the
	// ticker keeps running through a pause between sequential calls.
	joined bool
	// quit ends the running ticker goroutine (nil: none runs).
	quit chan struct{}
}

// ConnectionTracer is a round tripper of a vendor's that sends each
// request on through an *http.Transport with the request's own context
// (mimcm's NTLM transport), so a client trace's GotConn reports its
// connections: the header wait then starts at the connection, as on the
// SDK's own transport, and a call waiting for one of its connections is
// not timed out.
type ConnectionTracer interface{ TracesConnections() }

// watchedAttempt is one attempt of a call, in the watch from the moment
// it waits for its headers until it has them. Each attempt has its own: a
// late hook of an earlier attempt (see traceConn) must not touch the
// next one's.
type watchedAttempt struct {
	cancel context.CancelCauseFunc
	// start is when the wait began (monotonic).
	start time.Time
	index int
	// listed: a is in pending. left: its attempt is over, so a late join
	// does nothing. fired: the watch cancelled it; its answer, if one
	// raced in, is dropped. All three change under the watch's lock.
	listed, left, fired bool
	// trace starts the wait once the attempt has a connection (traceConn).
	trace httptrace.ClientTrace
}

const (
	minWatchPeriod = time.Millisecond
	maxWatchPeriod = time.Second
)

func newHeaderWatch(timeout time.Duration) *headerWatch {
	period := min(max(timeout/16, minWatchPeriod), maxWatchPeriod)
	return &headerWatch{timeout: timeout, period: period, startTicker: startTimeTicker, now: time.Now}
}

func startTimeTicker(period time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(period)
	return t.C, t.Stop
}

// join adds a, whose attempt cancel ends, to the attempts waiting for
// headers, and starts the ticker if none runs. A join after leave does
// nothing; a second join (net/http sends a request again on a fresh
// connection when a pooled one was closed under it) starts the wait anew,
// as ResponseHeaderTimeout's timer does.
func (w *headerWatch) join(a *watchedAttempt, cancel context.CancelCauseFunc) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if a.left || a.fired {
		return
	}
	a.start = w.now()
	w.joined = true
	if a.listed {
		return
	}
	a.cancel, a.index, a.listed = cancel, len(w.pending), true
	w.pending = append(w.pending, a)
	if w.quit == nil {
		w.quit = make(chan struct{})
		ticks, stop := w.startTicker(w.period)
		go w.run(ticks, stop, w.quit)
	}
}

// traceConn returns ctx with a client trace that joins a to the watch
// once net/http has a connection for the request: on the SDK's own
// *http.Transport the wait starts there, so a call queued for a pooled
// connection or still dialling (bounded by the dialer's and the TLS
// handshake's own timeouts) is not yet waiting on the server and does not
// time out as if it might have reached it. Sending the request counts: an
// upload the server stops reading is given up like a missing answer.
func (w *headerWatch) traceConn(ctx context.Context, a *watchedAttempt, cancel context.CancelCauseFunc) context.Context {
	a.trace.GotConn = func(httptrace.GotConnInfo) { w.join(a, cancel) }
	return httptrace.WithClientTrace(ctx, &a.trace)
}

// leave ends a's wait once its attempt has an answer or an error, and
// reports whether the watch had already cancelled it (the answer must
// then be dropped, as the attempt's context is done).
func (w *headerWatch) leave(a *watchedAttempt) (timedOut bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a.left = true
	if a.fired {
		return true
	}
	if a.listed {
		w.removeLocked(a)
	}
	return false
}

func (w *headerWatch) removeLocked(a *watchedAttempt) {
	a.listed = false
	last := len(w.pending) - 1
	moved := w.pending[last]
	w.pending[a.index], moved.index = moved, a.index
	w.pending[last] = nil
	w.pending = w.pending[:last]
}

func (w *headerWatch) run(ticks <-chan time.Time, stop func(), quit chan struct{}) {
	defer stop()
	for {
		select {
		case <-ticks:
			if !w.advance(quit) {
				return
			}
		case <-quit:
			return
		}
	}
}

// advance is one tick: it cancels the attempts that have waited the
// timeout, and reports whether the ticker goes on. It stops once a whole
// period passed with no attempt waiting and none joining.
func (w *headerWatch) advance(quit chan struct{}) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if quit == nil || w.quit != quit {
		return false // stopped already; a newer goroutine may run
	}
	now := w.now()
	for i := 0; i < len(w.pending); {
		a := w.pending[i]
		if now.Sub(a.start) < w.timeout {
			i++
			continue
		}
		a.fired = true
		w.removeLocked(a) // moves the last one to i
		a.cancel(errAttemptTimeout)
	}
	if len(w.pending) == 0 && !w.joined {
		close(quit)
		w.quit = nil
		return false
	}
	w.joined = false
	return true
}

// stopIdle stops the ticker when no attempt waits (Client.CloseIdleConnections).
func (w *headerWatch) stopIdle() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.quit != nil && len(w.pending) == 0 {
		close(w.quit)
		w.quit = nil
	}
}

// attemptContext is the context of one attempt: parent's values, ended by
// cancel (a timeout) or by parent's end. It is never ended by the answer:
// net/http drops a connection whose request context ends while it returns
// the connection to the pool (the race made clients open more connections
// than their pool under load). A cancellable parent is followed through
// context.AfterFunc, whose stop the body's Close calls, so the attempt
// does not stay registered on a long-lived parent; stop is nil when parent
// cannot end.
func attemptContext(parent context.Context) (ctx context.Context, cancel context.CancelCauseFunc, stop func() bool) {
	if parent.Done() == nil {
		ctx, cancel = context.WithCancelCause(parent)
		return ctx, cancel, nil
	}
	ctx, cancel = context.WithCancelCause(context.WithoutCancel(parent))
	stop = context.AfterFunc(parent, func() { cancel(context.Cause(parent)) })
	return ctx, cancel, stop
}
