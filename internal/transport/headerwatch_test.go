package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// manualWatch is a headerWatch whose ticks the test gives by calling
// tickForTest, on a clock of its own that each tick moves on by a period;
// it counts the tickers started.
func manualWatch(t *testing.T, timeout time.Duration) (w *headerWatch, started *int) {
	t.Helper()
	w = newHeaderWatch(timeout)
	useFakeClock(w)
	started = new(int)
	w.startTicker = func(time.Duration) (<-chan time.Time, func()) {
		*started++
		return nil, func() {} // never ticks: the test calls advance
	}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.quit != nil {
			close(w.quit)
			w.quit = nil
		}
	})
	return w, started
}

// fakeClocks are the clocks useFakeClock gave, by watch.
var fakeClocks sync.Map // *headerWatch -> *atomic.Int64 (ns)

// useFakeClock gives w a clock that only tickForTest moves.
func useFakeClock(w *headerWatch) {
	clock := new(atomic.Int64)
	fakeClocks.Store(w, clock)
	w.now = func() time.Time { return time.Unix(0, clock.Load()) }
}

// tickForTest moves w's fake clock on by a period, if it has one, and
// gives w a tick.
func (w *headerWatch) tickForTest() bool {
	if clock, ok := fakeClocks.Load(w); ok {
		clock.(*atomic.Int64).Add(int64(w.period))
	}
	w.mu.Lock()
	quit := w.quit
	w.mu.Unlock()
	return w.advance(quit)
}

// ticksToTimeout is how many periods make up w's timeout.
func ticksToTimeout(w *headerWatch) int {
	return int((w.timeout + w.period - 1) / w.period)
}

func TestHeaderWatchPeriodIsASixteenthOfTheTimeoutWithinBounds(t *testing.T) {
	for _, tc := range []struct{ timeout, period time.Duration }{
		{60 * time.Second, time.Second},
		{100 * time.Millisecond, 6250 * time.Microsecond},
		{time.Millisecond, time.Millisecond},
		{1500 * time.Microsecond, time.Millisecond},
	} {
		if w := newHeaderWatch(tc.timeout); w.period != tc.period {
			t.Errorf("timeout %v: period %v, want %v", tc.timeout, w.period, tc.period)
		}
	}
}

func TestHeaderWatchCancelsAnAttemptOnlyAfterTheTimeout(t *testing.T) {
	w, _ := manualWatch(t, 100*time.Millisecond) // 16 periods
	ctx, cancel := context.WithCancelCause(context.Background())
	var a watchedAttempt
	w.join(&a, causeFunc(cancel))
	n := ticksToTimeout(w)
	for i := range n - 1 {
		w.tickForTest()
		if ctx.Err() != nil {
			t.Fatalf("cancelled after %d periods; the timeout is %d", i+1, n)
		}
	}
	w.tickForTest()
	if cause := context.Cause(ctx); !errors.Is(cause, errAttemptTimeout) {
		t.Fatalf("after %d periods the cause is %v, want the attempt timeout", n, cause)
	}
	if !w.leave(&a) {
		t.Fatal("leave after the watch cancelled the attempt reports no timeout; its answer would be used")
	}
	if len(w.pending) != 0 {
		t.Fatalf("%d attempts still watched", len(w.pending))
	}
}

func TestHeaderWatchNeverCancelsAnAnsweredAttempt(t *testing.T) {
	w, _ := manualWatch(t, 100*time.Millisecond)
	// Three attempts: the middle one answers early, so the list is
	// reordered under the others.
	var ctxs [3]context.Context
	var as [3]watchedAttempt
	for i := range as {
		var cancel context.CancelCauseFunc
		ctxs[i], cancel = context.WithCancelCause(context.Background())
		w.join(&as[i], causeFunc(cancel))
	}
	w.tickForTest()
	if w.leave(&as[1]) {
		t.Fatal("an attempt answered within its timeout reports a timeout")
	}
	for range ticksToTimeout(w) {
		w.tickForTest()
	}
	if ctxs[1].Err() != nil {
		t.Fatal("the watch cancelled an attempt that had its answer: net/http would drop its connection")
	}
	if ctxs[0].Err() == nil || ctxs[2].Err() == nil {
		t.Fatalf("waiting attempts not cancelled: %v, %v", ctxs[0].Err(), ctxs[2].Err())
	}
}

func TestHeaderWatchTickerRunsOnlyWhileAttemptsWait(t *testing.T) {
	w, started := manualWatch(t, time.Second)
	_, cancel := context.WithCancelCause(context.Background())
	var a, b watchedAttempt
	w.join(&a, causeFunc(cancel))
	w.join(&b, causeFunc(cancel))
	if *started != 1 {
		t.Fatalf("%d tickers started for two attempts, want 1", *started)
	}
	w.leave(&a)
	if !w.tickForTest() {
		t.Fatal("the ticker stopped with an attempt waiting")
	}
	w.leave(&b)
	// A call that starts and ends between two ticks, as sequential calls do.
	var c watchedAttempt
	w.join(&c, causeFunc(cancel))
	w.leave(&c)
	if !w.tickForTest() {
		t.Fatal("the ticker stopped in a period an attempt joined: sequential calls would restart it each time")
	}
	if w.tickForTest() {
		t.Fatal("the ticker still runs after a whole period with no attempt")
	}
	var d watchedAttempt
	w.join(&d, causeFunc(cancel))
	if *started != 2 {
		t.Fatalf("a join after the ticker stopped started %d tickers in all, want 2", *started)
	}
	w.stopIdle()
	if w.quit == nil {
		t.Fatal("stopIdle stopped the ticker with an attempt waiting")
	}
	w.leave(&d)
	w.stopIdle()
	if w.quit != nil {
		t.Fatal("stopIdle left the ticker of an idle client running")
	}
}

// hangingRoundTripper answers nothing until the attempt's context ends.
type hangingRoundTripper struct{ calls int }

func (h *hangingRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	h.calls++
	<-req.Context().Done()
	return nil, context.Cause(req.Context())
}

func TestClientTimeoutBoundsACallersRoundTripper(t *testing.T) {
	rt := &hangingRoundTripper{}
	c, err := New(NewConfig(WithTransport(rt), WithTimeout(20*time.Millisecond), WithMaxAttempts(1)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	// A backstop far beyond the timeout, so a broken watch fails the test
	// instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:1/x", nil)
	err = c.JSON(ctx, Call{Op: "test.Get", Request: req, BuildErr: err}, nil)
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Fatalf("err = %v, want the attempt timeout", err)
	}
	if rt.calls != 1 {
		t.Fatalf("%d attempts, want 1", rt.calls)
	}
}

type answeringRoundTripper struct{}

func (answeringRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader("{}")), ContentLength: 2, Request: req}, nil
}

func TestCloseIdleConnectionsStopsTheHeaderWatch(t *testing.T) {
	// A long timeout: its ticker (a second apart) runs on after the call
	// for a period or two unless CloseIdleConnections stops it.
	c, err := New(NewConfig(WithTransport(answeringRoundTripper{}), WithTimeout(time.Hour)), Rules{})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://127.0.0.1:1/x", nil)
	if err := c.JSON(context.Background(), Call{Op: "test.Get", Request: req, BuildErr: err}, nil); err != nil {
		t.Fatal(err)
	}
	c.CloseIdleConnections()
	w := c.attempts.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.quit != nil {
		t.Fatal("the header watch still ticks after CloseIdleConnections with no call in flight")
	}
}

func TestHeaderWatchJoinAfterLeaveDoesNothing(t *testing.T) {
	// A request written after its attempt already ended (a server that
	// answers before the upload is done): the write's late hook must not
	// put the answered attempt in the watch, which would cancel it.
	w, _ := manualWatch(t, 100*time.Millisecond)
	ctx, cancel := context.WithCancelCause(context.Background())
	var a watchedAttempt
	w.leave(&a)
	w.join(&a, causeFunc(cancel))
	for range ticksToTimeout(w) + 2 {
		w.tickForTest()
	}
	if ctx.Err() != nil || len(w.pending) != 0 {
		t.Fatalf("a join after leave put the attempt in the watch (%d waiting, ctx %v)", len(w.pending), ctx.Err())
	}
}

func TestHeaderWatchSecondWriteStartsTheWaitAgain(t *testing.T) {
	// net/http writes a request again on a new connection when the pooled
	// one was closed under it: the wait starts again from that write.
	w, _ := manualWatch(t, 100*time.Millisecond)
	ctx, cancel := context.WithCancelCause(context.Background())
	var a watchedAttempt
	n := ticksToTimeout(w)
	w.join(&a, causeFunc(cancel))
	for range n - 1 {
		w.tickForTest()
	}
	w.join(&a, causeFunc(cancel))
	for range n - 1 {
		w.tickForTest()
	}
	if ctx.Err() != nil {
		t.Fatal("the wait counted from the first write, not the second")
	}
	if len(w.pending) != 1 {
		t.Fatalf("%d entries for one attempt written twice, want 1", len(w.pending))
	}
	w.tickForTest()
	if !errors.Is(context.Cause(ctx), errAttemptTimeout) {
		t.Fatal("not cancelled after the timeout from the second write")
	}
}

func TestHeaderWatchDroppedTicksDoNotDelayTheTimeout(t *testing.T) {
	// On a loaded machine the ticker drops the ticks its goroutine was
	// too late for: the wait is measured on the clock, not in ticks, so
	// the first tick after the timeout cancels the attempt.
	w, _ := manualWatch(t, 100*time.Millisecond)
	ctx, cancel := context.WithCancelCause(context.Background())
	var a watchedAttempt
	w.join(&a, causeFunc(cancel))
	clock, _ := fakeClocks.Load(w)
	clock.(*atomic.Int64).Add(int64(w.timeout)) // 16 periods pass without a tick
	w.tickForTest()
	if !errors.Is(context.Cause(ctx), errAttemptTimeout) {
		t.Fatal("one tick after the timeout had passed did not cancel the attempt: dropped ticks delay it")
	}
}

// causeFunc lets a test's own context stand for an attempt's in the watch.
type causeFunc context.CancelCauseFunc

func (f causeFunc) cancel(cause error) { f(cause) }
