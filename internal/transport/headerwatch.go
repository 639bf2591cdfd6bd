package transport

import (
	"context"
	"errors"
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
// The wait starts once the attempt has a connection (attemptCtx.gotConn): unlike
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
// late hook of an earlier attempt (see attemptCtx.gotConn) must not touch the
// next one's.
type watchedAttempt struct {
	// cancel ends the attempt's context (its attemptCtx).
	cancel attemptCanceler
	// start is when the wait began (monotonic).
	start time.Time
	index int
	// listed: a is in pending. left: its attempt is over, so a late join
	// does nothing. fired: the watch cancelled it; its answer, if one
	// raced in, is dropped. All three change under the watch's lock.
	listed, left, fired bool
}

// attemptCanceler ends an attempt's context with a cause: an attemptCtx,
// or in tests a context.CancelCauseFunc.
type attemptCanceler interface{ cancel(cause error) }

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
func (w *headerWatch) join(a *watchedAttempt, cancel attemptCanceler) {
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
		a.cancel.cancel(errAttemptTimeout)
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

// attemptCtx is the context of one attempt under a header timeout: the
// call's values, ended by the timeout (the watch's or the attempt's own
// timer) or by the end of the call's context, and never by the answer:
// net/http drops a connection whose request context ends while it returns
// the connection to the pool (the race made clients open more connections
// than their pool under load).
//
// Why not context.WithCancelCause (what this replaced): net/http derives
// a context of its own from every request's, and a *context.cancelCtx
// parent then keeps it in a map it allocates for the purpose. With that
// map, the cancelCtx, the client trace's context.WithValue and the
// request copy, the watch cost 9 allocations and about 3 % of a small
// call. Here net/http registers through AfterFunc (the hook package
// context offers custom contexts), the first attempt's context and
// request copy live in the call's state, and the client trace is answered
// by Value itself (a caller's own trace is composed below the attempt's
// context, so the registration stays); see TestAttemptContextAllocations.
//
// Its cause is its own, and set once: errAttemptTimeout when a timeout
// ended it, the call's cause when the call's context did (context.Cause
// asks Value for the nearest cancelCtx, which here is a private one ended
// with that cause, and none while the attempt runs: the call's own would
// tell a later cause of the caller's). It carries no deadline (Deadline
// reports none, as context.WithoutCancel would), since the call's end
// reaches it through callEnded.
type attemptCtx struct {
	// call is the context of the request the attempt sends (the call's
	// state, or what the Authenticator made of it, with the watch's trace
	// when the caller has a trace of its own): Value asks it.
	call    context.Context
	watch   *headerWatch
	watched watchedAttempt
	// trace starts the header wait once the attempt has a connection
	// (see gotConn); traced says Value answers the trace's key with it.
	trace  httptrace.ClientTrace
	traced bool
	// stopCall ends the watch on the call's context (context.AfterFunc);
	// nil when that context cannot end. The attempt's body calls it when
	// closed (release), so the attempt does not stay registered on a
	// long-lived context.
	stopCall func() bool

	mu sync.Mutex
	// done is made by the first Done; err is set once the context ends,
	// and ended then holds the cause (see the type's doc).
	done  chan struct{}
	err   error
	ended context.Context
	// afters are the functions AfterFunc registered, by registration
	// number; a stopped one is nil.
	afters []func()
	inline [1]func()
}

// closedDone is the Done of an attempt context that ended before anyone
// asked for its channel.
var closedDone = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// start readies a (zero, or a fresh one) for an attempt of the call whose
// context is call, on watch w (nil: the caller arms its own timer).
func (a *attemptCtx) start(call context.Context, w *headerWatch) {
	a.call, a.watch = call, w
	a.afters = a.inline[:0]
	if call.Done() != nil {
		a.stopCall = context.AfterFunc(call, a.callEnded)
	}
}

func (a *attemptCtx) callEnded() { a.cancel(context.Cause(a.call)) }

// timerFired is the attempt's own timer (a call's own timeout).
func (a *attemptCtx) timerFired() { a.cancel(errAttemptTimeout) }

// release stops watching the call's context once the attempt's body is
// closed: the attempt stays registered on a long-lived context otherwise.
// The context itself does not end (see the type's doc).
func (a *attemptCtx) release() {
	if a.stopCall != nil {
		a.stopCall()
	}
}

// end ends an attempt that failed: nothing reads a body, and anything
// still waiting on its context (a caller's round tripper) is let go.
func (a *attemptCtx) end() {
	a.release()
	a.cancel(context.Canceled)
}

// Deadline reports none: the call's end reaches the attempt through
// callEnded (see the type's doc).
func (a *attemptCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Value answers the client trace's key with the attempt's trace when it
// is in use, and anything else from the call's context.
func (a *attemptCtx) Value(key any) any {
	if a.traced && key == clientTraceKey {
		return &a.trace
	}
	if cancelCtxKey != nil && key == cancelCtxKey {
		a.mu.Lock()
		ended := a.ended
		a.mu.Unlock()
		if ended == nil {
			return nil // running: no cause yet, whatever the call's says
		}
		return ended.Value(key)
	}
	return a.call.Value(key)
}

func (a *attemptCtx) Done() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done == nil {
		if a.err != nil {
			return closedDone
		}
		a.done = make(chan struct{})
	}
	return a.done
}

func (a *attemptCtx) Err() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// AfterFunc runs f in its own goroutine once the context ends, as
// context.AfterFunc does for its own contexts: package context calls it
// for a context derived from this one (net/http's, per attempt), instead
// of starting a goroutine to wait on Done.
func (a *attemptCtx) AfterFunc(f func()) (stop func() bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		go f()
		return func() bool { return false }
	}
	i := len(a.afters)
	a.afters = append(a.afters, f)
	return func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		if i >= len(a.afters) || a.afters[i] == nil {
			return false // ended already (f runs), or stopped before
		}
		a.afters[i] = nil
		return true
	}
}

// cancel ends the context (once): Err is context.Canceled whatever the
// reason (the watch, the attempt's timer, the call's end), as a
// cancelCtx's is, and context.Cause is cause.
func (a *attemptCtx) cancel(cause error) {
	if cause == nil {
		cause = context.Canceled
	}
	// Made only when an attempt ends early (a timeout, the call's end, a
	// failed attempt): an answered attempt never ends.
	ended, end := context.WithCancelCause(context.Background())
	end(cause)
	a.mu.Lock()
	if a.err != nil {
		a.mu.Unlock()
		return
	}
	a.err, a.ended = context.Canceled, ended
	if a.done != nil {
		close(a.done)
	}
	afters := a.afters
	a.afters = nil
	a.mu.Unlock()
	for _, f := range afters {
		if f != nil {
			go f()
		}
	}
}

// gotConn is the client trace's GotConn: the attempt has a connection,
// and its wait for headers starts. On the SDK's own *http.Transport the
// wait starts there, so a call queued for a pooled connection or still
// dialling (bounded by the dialer's and the TLS handshake's own timeouts)
// is not yet waiting on the server and does not time out as if it might
// have reached it. Sending the request counts: an upload the server stops
// reading is given up like a missing answer.
func (a *attemptCtx) gotConn(httptrace.GotConnInfo) { a.watch.join(&a.watched, a) }

// clientTraceKey is the key under which net/http/httptrace looks a
// client trace up, learnt by asking a context that records the key it is
// asked for. It is nil (and attempts add their trace with
// httptrace.WithClientTrace) if that lookup ever stops being one Value
// call that a context can answer; TestClientTraceKey checks it is not.
var clientTraceKey = func() any {
	var probe keyProbe
	httptrace.ContextClientTrace(&probe)
	if len(probe.keys) != 1 {
		return nil
	}
	answer := &httptrace.ClientTrace{}
	if httptrace.ContextClientTrace(&keyAnswer{key: probe.keys[0], value: answer}) != answer {
		return nil
	}
	return probe.keys[0]
}()

// cancelCtxKey is the key under which package context looks up the
// nearest cancelCtx for context.Cause, learnt the same way; nil (and an
// attempt's Cause is then the call's) if that ever stops working.
// TestClientTraceKey checks it is not.
var cancelCtxKey = func() any {
	var probe keyProbe
	_ = context.Cause(&probe)
	if len(probe.keys) != 1 {
		return nil
	}
	cause := errors.New("probe")
	ended, end := context.WithCancelCause(context.Background())
	end(cause)
	if !errors.Is(context.Cause(&keyAnswer{key: probe.keys[0], value: ended.Value(probe.keys[0])}), cause) {
		return nil
	}
	return probe.keys[0]
}()

type keyProbe struct {
	context.Context
	keys []any
}

func (p *keyProbe) Value(key any) any { p.keys = append(p.keys, key); return nil }

// Err reports an ended context, so that context.Cause goes on to ask for
// the cancelCtx.
func (p *keyProbe) Err() error { return context.Canceled }

type keyAnswer struct {
	context.Context
	key, value any
}

func (k *keyAnswer) Err() error { return context.Canceled }

func (k *keyAnswer) Value(key any) any {
	if key == k.key {
		return k.value
	}
	return nil
}
