package transport

// The header watch under real calls: races, retries, cancellation and
// queued calls. These began as a fresh reviewer's probes of the change
// that replaced ResponseHeaderTimeout with headerWatch; two of them found
// defects (a queued call timed out before it was sent; a caller's own
// cancel cause read as a truncated body). None asserts on wall time: they
// count requests, errors and goroutines, and their deadlines are
// backstops; a test whose answer must beat a timeout uses an hour, or
// counts a late answer as allowed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// watchRunGoroutines counts goroutines running a headerWatch's ticker.
func watchRunGoroutines() int {
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "(*headerWatch).run(")
}

// waitNoWatchGoroutine waits (backstop 10 s) for every ticker goroutine
// to exit, calling idle (e.g. CloseIdleConnections) between looks.
func waitNoWatchGoroutine(t *testing.T, idle func()) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if idle != nil {
			idle()
		}
		n := watchRunGoroutines()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d headerWatch ticker goroutines still run long after the last call", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func isAttemptTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout() && errors.Is(err, errAttemptTimeout)
}

func getCall(t *testing.T, ctx context.Context, method, url string, body io.Reader) Call {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	return Call{Op: "test.Call", Request: req, BuildErr: err}
}

// 1. The watch alone, with a real 1 ms ticker: joins and leaves from many
// goroutines race the ticks and stopIdle. An attempt whose leave says "not
// timed out" must never be cancelled; one whose leave says "timed out"
// must have been cancelled with the attempt timeout; the tickers started
// must all stop, and no ticker goroutine may be left.
func TestHeaderWatchWatchStressJoinLeaveTicksStopIdle(t *testing.T) {
	w := newHeaderWatch(2 * time.Millisecond) // period 1 ms, two periods
	var active, maxActive atomic.Int32
	w.startTicker = func(p time.Duration) (<-chan time.Time, func()) {
		n := active.Add(1)
		for {
			m := maxActive.Load()
			if n <= m || maxActive.CompareAndSwap(m, n) {
				break
			}
		}
		tk := time.NewTicker(p)
		var once sync.Once
		return tk.C, func() { once.Do(func() { tk.Stop(); active.Add(-1) }) }
	}
	stopStop := make(chan struct{})
	var idlers sync.WaitGroup
	idlers.Add(1)
	go func() {
		defer idlers.Done()
		for {
			select {
			case <-stopStop:
				return
			default:
				w.stopIdle()
				runtime.Gosched()
			}
		}
	}()
	var wg sync.WaitGroup
	var bad atomic.Int64
	var fired, answered atomic.Int64
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1500; i++ {
				var a watchedAttempt // one per attempt, as nextWatched gives
				ctx, cancel := context.WithCancelCause(context.Background())
				w.join(&a, causeFunc(cancel))
				if i%7 == 0 {
					time.Sleep(time.Duration(i%4) * time.Millisecond)
				}
				if w.leave(&a) {
					fired.Add(1)
					if !errors.Is(context.Cause(ctx), errAttemptTimeout) {
						bad.Add(1)
					}
				} else {
					answered.Add(1)
					runtime.Gosched()
					if ctx.Err() != nil {
						bad.Add(1) // an answered attempt was cancelled
					}
				}
			}
		}()
	}
	wg.Wait()
	close(stopStop)
	idlers.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d attempts whose leave disagrees with their context (answered %d, fired %d)", bad.Load(), answered.Load(), fired.Load())
	}
	w.mu.Lock()
	left := len(w.pending)
	w.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d attempts still in the watch after all left", left)
	}
	waitNoWatchGoroutine(t, w.stopIdle)
	if n := active.Load(); n != 0 {
		t.Fatalf("%d tickers never stopped", n)
	}
	t.Logf("answered %d, fired %d, most tickers at once %d", answered.Load(), fired.Load(), maxActive.Load())
}

// 2. The attempts of one call each have their own watch entry. Attempts
// that time out (one of them with an answer racing the watch) are
// followed by retries in many concurrent calls, so the watch reorders
// other calls' entries while a call re-joins with its same watchedAttempt.
// Every call must end with exactly 3 attempts and succeed; the watch must
// hold nothing afterwards. The test gives the ticks and moves the clock
// itself, once every call's attempt is waiting, so a third attempt that a
// loaded machine delays can never meet the timeout.
func TestHeaderWatchWatchedReusedAcrossRetries(t *testing.T) {
	type key struct{}
	const n = 50
	var mu sync.Mutex
	calls := map[int]int{}
	var waiting [2]atomic.Int32 // attempts 1 and 2 waiting for their cancel
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		id := r.Context().Value(key{}).(int)
		mu.Lock()
		calls[id]++
		attempt := calls[id]
		mu.Unlock()
		switch attempt {
		case 1:
			waiting[0].Add(1)
			<-r.Context().Done()
			return nil, context.Cause(r.Context())
		case 2:
			// An answer that raced the watch: it arrives once the
			// attempt is already cancelled; it must be dropped.
			waiting[1].Add(1)
			<-r.Context().Done()
			return answeringRoundTripper{}.RoundTrip(r)
		}
		return answeringRoundTripper{}.RoundTrip(r)
	})
	c, err := New(NewConfig(WithTransport(rt), WithTimeout(time.Second),
		WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second})), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	w := c.attempts.watch
	useFakeClock(w)
	w.startTicker = func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	clock, _ := fakeClocks.Load(w)
	// timeOutWaiting waits (backstop a minute) until every call's attempt
	// number k is waiting, then moves the clock past the timeout and ticks.
	timeOutWaiting := func(k int) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for waiting[k-1].Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("only %d of %d attempts %d waiting", waiting[k-1].Load(), n, k)
			}
			time.Sleep(time.Millisecond)
		}
		clock.(*atomic.Int64).Add(int64(w.timeout))
		w.tickForTest()
	}
	backstop, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.WithValue(backstop, key{}, i)
			errs[i] = c.JSON(ctx, getCall(t, ctx, http.MethodGet, "http://127.0.0.1:1/x", nil), nil)
		}()
	}
	timeOutWaiting(1)
	timeOutWaiting(2)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
		if calls[i] != 3 {
			t.Errorf("call %d: %d attempts, want 3", i, calls[i])
		}
	}
	w.mu.Lock()
	left := len(w.pending)
	w.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d attempts still watched after every call ended", left)
	}
	waitNoWatchGoroutine(t, c.CloseIdleConnections)
}

// 3a. The caller's context ends while the attempt waits for headers: the
// attempt must end promptly with the caller's cause (not the attempt
// timeout), and the call with a context error.
func TestHeaderWatchCallerCancelWhileWaitingForHeaders(t *testing.T) {
	cause := errors.New("caller gave up")
	var seen atomic.Value
	entered := make(chan struct{})
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		close(entered)
		<-r.Context().Done()
		seen.Store(context.Cause(r.Context()))
		return nil, context.Cause(r.Context())
	})
	c, err := New(NewConfig(WithTransport(rt), WithTimeout(time.Hour), WithMaxAttempts(3)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.JSON(ctx, getCall(t, ctx, http.MethodGet, "http://127.0.0.1:1/x", nil), nil) }()
	<-entered
	cancel(cause)
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not end after its context was cancelled")
	}
	if got, _ := seen.Load().(error); !errors.Is(got, cause) {
		t.Errorf("the attempt ended with cause %v, want the caller's %v", got, cause)
	}
	if isAttemptTimeout(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("call error %v, want context.Canceled", err)
	}
	if !errors.Is(err, cause) {
		t.Logf("note: the call's error %v does not carry the caller's cause (judgeAttempt returns ctx.Err(); pre-existing)", err)
	}
	waitNoWatchGoroutine(t, c.CloseIdleConnections)
}

// slowBodyServer answers at once with headers and a first chunk, then
// waits for release (or the client going away) before the rest.
var firstChunk = strings.Repeat("x", 1024)

func slowBodyServer(t *testing.T, release <-chan struct{}) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = io.WriteString(w, firstChunk) // more than the sniffer reads
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "rest")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// slowBodyClient is a client with an hour's header timeout and one
// attempt, and the URL of a slowBodyServer that the end of the test
// releases (after the client's idle connections close, before the server
// does).
func slowBodyClient(t *testing.T) (*Client, string) {
	t.Helper()
	release := make(chan struct{})
	srv := slowBodyServer(t, release)
	t.Cleanup(func() { close(release) })
	c, err := New(NewConfig(WithTimeout(time.Hour), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, srv.URL
}

// 3b. The caller's context ends while the body is read: the read must
// fail with a context error.
func TestHeaderWatchCallerCancelWhileReadingBody(t *testing.T) {
	c, srvURL := slowBodyClient(t)
	var err error
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := readPastFirstChunk(t, c, ctx, srvURL+"/f", func() { cancel(errGaveUp) })
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("reading the body did not end after the call's context was cancelled")
	}
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errGaveUp) || isAttemptTimeout(err) || errors.Is(err, apierror.ErrTruncated) {
		t.Fatalf("err = %v, want context.Canceled with the caller's cause (not a truncated answer)", err)
	}
}

var errGaveUp = errors.New("caller gave up")

// A call its caller cancels with a cause fails with an error that matches
// both context.Canceled and the cause, wherever the call was: not yet
// sent, waiting for its answer (under the header watch or with no header
// timeout), or waiting to retry. The server says when the call has
// reached it; nothing is timed.
func TestCallErrorCarriesTheCallersCause(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default: // a later attempt: the first one's arrival was told
		}
		if r.URL.Path == "/busy" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	policy := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Hour, MaxDelay: time.Hour, MaxRetryAfter: time.Second}
	for _, tc := range []struct {
		name   string
		opts   []Option
		path   string
		before bool // cancelled before the call
	}{
		{name: "not yet sent", before: true},
		{name: "waiting for the answer", path: "/hang"},
		{name: "waiting for the answer, no header timeout", opts: []Option{WithTimeout(0)}, path: "/hang"},
		{name: "waiting to retry", opts: []Option{WithRetry(policy)}, path: "/busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(NewConfig(tc.opts...), Rules{})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseIdleConnections()
			ctx, cancel := context.WithCancelCause(context.Background())
			if tc.before {
				cancel(errGaveUp)
			} else {
				go func() {
					<-arrived
					cancel(errGaveUp)
				}()
			}
			err = c.JSON(ctx, getCall(t, ctx, http.MethodGet, srv.URL+tc.path, nil), nil)
			if !errors.Is(err, context.Canceled) || !errors.Is(err, errGaveUp) {
				t.Fatalf("err = %v, want context.Canceled with the caller's cause", err)
			}
		})
	}
}

// 3c. A body read long after the header timeout is not cut off (bounded
// only by the caller's context).
func TestHeaderWatchBodyReadIsNotBoundedByTheHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := slowBodyServer(t, release)
	c, err := New(NewConfig(WithTimeout(20*time.Millisecond), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	// The test gives the ticks: none before the headers, so a slow machine
	// cannot time the attempt out; many while the body is read.
	w := c.attempts.watch
	w.startTicker = func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	useFakeClock(w)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var got string
	err = c.Decode(ctx, getCall(t, ctx, http.MethodGet, srv.URL+"/f", nil), func(_ *http.Response, body io.Reader) error {
		buf := make([]byte, len(firstChunk))
		if _, err := io.ReadFull(body, buf); err != nil {
			return err
		}
		for range 10 * ticksToTimeout(w) {
			w.tickForTest()
		}
		close(release)
		rest, err := io.ReadAll(body)
		got = string(buf) + string(rest)
		return err
	})
	if err != nil || got != firstChunk+"rest" {
		t.Fatalf("body %q, err %v: the body read was cut off", got, err)
	}
}

// hangOrAnswerServer hangs /hang until the client goes away and answers
// /ok at once; it counts both.
type hangOrAnswerServer struct {
	*httptest.Server
	hang, ok atomic.Int64
}

func newHangOrAnswerServer(t *testing.T) *hangOrAnswerServer {
	s := &hangOrAnswerServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasPrefix(r.URL.Path, "/hang") {
			s.hang.Add(1)
			<-r.Context().Done()
			return
		}
		s.ok.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"a":1}`)
	}))
	t.Cleanup(s.Close)
	return s
}

// 4. 200 concurrent calls on one client, half against a hanging path,
// half against an answering one. Every hanging call times out; every call
// to the answering path succeeds; no ticker goroutine is left.
func concurrentHangAndAnswer(t *testing.T, opts ...Option) {
	s := newHangOrAnswerServer(t)
	opts = append([]Option{WithTimeout(50 * time.Millisecond), WithMaxAttempts(1)}, opts...)
	c, err := New(NewConfig(opts...), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const n = 200
	errs := make([]error, n)
	gotConn := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := "/ok"
			if i%2 == 0 {
				path = "/hang"
			}
			var v struct{ A int }
			callCtx, connected := withConnFlag(ctx)
			errs[i] = c.JSON(callCtx, getCall(t, callCtx, http.MethodGet, s.URL+path, nil), &v)
			gotConn[i] = connected.Load()
			if errs[i] == nil && v.A != 1 {
				errs[i] = fmt.Errorf("decoded %+v", v)
			}
		}()
	}
	wg.Wait()
	// An answering call may time out once it has a connection (on a
	// loaded machine its answer can be late), never while it queues for
	// one: that wait is not the server's.
	var okTimedOutQueued, okOther, hangNotTimedOut int
	for i, err := range errs {
		switch {
		case i%2 == 0:
			if !isAttemptTimeout(err) {
				hangNotTimedOut++
				t.Logf("hanging call %d: %v", i, err)
			}
		case err == nil:
		case isAttemptTimeout(err):
			if !gotConn[i] {
				okTimedOutQueued++
			}
		default:
			okOther++
			t.Logf("answering call %d: %v", i, err)
		}
	}
	if hangNotTimedOut != 0 || okOther != 0 || okTimedOutQueued != 0 {
		t.Errorf("%d of %d hanging calls did not time out; of %d answering calls %d failed otherwise and %d timed out before they had a connection",
			hangNotTimedOut, n/2, n/2, okOther, okTimedOutQueued)
	}
	waitNoWatchGoroutine(t, c.CloseIdleConnections)
}

// 4a. With the SDK's default transport (MaxConnsPerHost 64).
func TestHeaderWatchConcurrentHangAndAnswerDefaultTransport(t *testing.T) {
	concurrentHangAndAnswer(t)
}

// 4b. With a transport that has no per-host connection cap, so no call
// queues for a connection: this isolates the watch itself.
func TestHeaderWatchConcurrentHangAndAnswerUncapped(t *testing.T) {
	concurrentHangAndAnswer(t, WithTransport(&http.Transport{}))
}

// 5. A repeatable GET that keeps timing out is sent MaxAttempts times and
// no more; a POST that times out is sent once. (A timeout followed by an
// answer is TestPerAttemptTimeoutRetriesSlowServer.)
func TestHeaderWatchRetryAfterTimeoutCountsExactly(t *testing.T) {
	var reqs atomic.Int64
	var hangFirst atomic.Int64
	hangFirst.Store(1 << 40)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // else the server never sees the client go
		if reqs.Add(1) <= hangFirst.Load() {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	}))
	defer srv.Close()
	policy := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, MaxRetryAfter: time.Second}
	c, err := New(NewConfig(WithTimeout(30*time.Millisecond), WithRetry(policy)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// All attempts hang: exactly MaxAttempts requests, a timeout error.
	err = c.JSON(ctx, getCall(t, ctx, http.MethodGet, srv.URL+"/x", nil), nil)
	if !isAttemptTimeout(err) {
		t.Fatalf("err = %v, want the attempt timeout", err)
	}
	// The handler counts on entry; the last one may still be arriving.
	if got := waitForCount(&reqs, 3); got != 3 {
		t.Fatalf("server saw %d requests, want 3", got)
	}
	// A POST (not repeatable) that times out is not retried.
	reqs.Store(0)
	err = c.JSON(ctx, getCall(t, ctx, http.MethodPost, srv.URL+"/x", strings.NewReader("{}")), nil)
	if !isAttemptTimeout(err) {
		t.Fatalf("POST err = %v, want the attempt timeout", err)
	}
	if got := waitForCount(&reqs, 1); got != 1 {
		t.Fatalf("server saw %d POSTs, want 1", got)
	}
}

// 6. A call that never reached the server, because it queued for a
// connection behind a slow call, must not fail as "no response within the
// per-request timeout": the header timeout (formerly
// ResponseHeaderTimeout) starts once the request is written. Here a
// non-repeatable POST queues behind a hanging GET on a one-connection
// transport; the server never sees the POST, yet it fails as a timeout
// that "may have reached the server", so it is not even retried.
func TestHeaderWatchQueuedCallIsNotTimedOutBeforeItIsSent(t *testing.T) {
	s := newHangOrAnswerServer(t)
	c, err := New(NewConfig(WithTransport(&http.Transport{MaxConnsPerHost: 1}), WithTimeout(50*time.Millisecond), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hangDone := make(chan error, 1)
	go func() { hangDone <- c.JSON(ctx, getCall(t, ctx, http.MethodGet, s.URL+"/hang", nil), nil) }()
	for s.hang.Load() == 0 { // the GET holds the only connection
		time.Sleep(time.Millisecond)
	}
	postCtx, connected := withConnFlag(ctx)
	err = c.JSON(postCtx, getCall(t, postCtx, http.MethodPost, s.URL+"/ok", strings.NewReader("{}")), nil)
	if hangErr := <-hangDone; !isAttemptTimeout(hangErr) {
		t.Errorf("the hanging GET ended with %v, want the attempt timeout", hangErr)
	}
	// On a loaded machine the POST's answer may come late and time out;
	// what must not happen is a timeout while it waited for the connection.
	if isAttemptTimeout(err) && !connected.Load() {
		t.Fatalf("a POST that never had a connection (it queued behind the GET) failed with %v", err)
	}
	if err != nil && !isAttemptTimeout(err) {
		t.Fatalf("the POST failed with %v", err)
	}
}

// withConnFlag returns ctx with a client trace that records whether the
// request got a connection (the SDK's own trace composes with it).
func withConnFlag(ctx context.Context) (context.Context, *atomic.Bool) {
	var got atomic.Bool
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { got.Store(true) }}), &got
}

// waitForCount waits (backstop 10 s) until n reaches at least want, and
// returns it: a server counts a request when its handler starts, which
// may come after the client has given up on it.
func waitForCount(n *atomic.Int64, want int64) int64 {
	for deadline := time.Now().Add(10 * time.Second); n.Load() < want && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	return n.Load()
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// 7. An upload the server stops reading, with no answer, is given up like
// a missing answer: the wait starts when the attempt has its connection,
// not when the request is fully written (which never happens here).
func TestHeaderWatchBoundsAStalledUpload(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		// Reads nothing and answers nothing. The server notices the client
		// leaving only once the body is read, so the test ends the handler.
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c, err := New(NewConfig(WithTimeout(50*time.Millisecond), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	// A backstop far beyond the timeout, so an unbounded upload fails the
	// test instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Far more than the loopback socket buffers hold, so the upload stalls
	// once they are full (the retry engine needs a body it can rewind, so
	// it cannot be endless).
	body := bytes.NewReader(make([]byte, 64<<20))
	err = c.JSON(ctx, getCall(t, ctx, http.MethodPost, srv.URL+"/upload", body), nil)
	if !isAttemptTimeout(err) {
		t.Fatalf("err = %v, want the attempt timeout", err)
	}
	select {
	case <-entered:
	case <-time.After(10 * time.Second): // a backstop: the server may start late
		t.Fatal("the server never saw the upload")
	}
}

// laneTransport holds each request until the test lets it through, as a
// vendor's transport waiting for a free connection of its own does, then
// sends it through an *http.Transport with the request's context.
type laneTransport struct {
	entered, release chan struct{}
	next             *http.Transport
}

func (l *laneTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.entered <- struct{}{}
	<-l.release
	return l.next.RoundTrip(r)
}

func (*laneTransport) TracesConnections() {}

// 8. A ConnectionTracer's wait for a connection of its own is not timed
// out: the header wait starts at the connection its *http.Transport
// reports (mimcm's NTLM transport waits for a free lane this way).
func TestHeaderWatchConnectionTracerWaitIsNotTimedOut(t *testing.T) {
	s := newHangOrAnswerServer(t)
	lane := &laneTransport{entered: make(chan struct{}, 1), release: make(chan struct{}), next: &http.Transport{}}
	defer lane.next.CloseIdleConnections()
	c, err := New(NewConfig(WithTransport(lane), WithTimeout(50*time.Millisecond), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	// The test gives the ticks and the clock: the timeout passes many
	// times over while the request waits for its lane, and never after.
	w := c.attempts.watch
	w.startTicker = func(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }
	useFakeClock(w)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.JSON(ctx, getCall(t, ctx, http.MethodGet, s.URL+"/ok", nil), nil) }()
	<-lane.entered
	for range 4 * ticksToTimeout(w) {
		w.tickForTest()
	}
	close(lane.release)
	if err := <-done; err != nil {
		t.Fatalf("a call that waited for its lane failed with %v", err)
	}
	// Its ticker goroutine waits on a channel that never ticks: stop it,
	// or the next test counting the watch's goroutines sees it.
	waitNoWatchGoroutine(t, c.CloseIdleConnections)
}
