package poll_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/poll"
)

func TestUntilReturnsTerminalStateAndReportsProgress(t *testing.T) {
	calls := 0
	var seen []int
	got, err := poll.Until(context.Background(), poll.Config{Interval: time.Millisecond},
		func(context.Context) (int, bool, error) { calls++; return calls, calls == 3, nil },
		func(s int) { seen = append(seen, s) })
	if err != nil || got != 3 || calls != 3 || len(seen) != 3 {
		t.Fatalf("got %d, err %v, calls %d, progress %v", got, err, calls, seen)
	}
}

func TestUntilStopsOnCheckError(t *testing.T) {
	failed := errors.New("export failed")
	calls := 0
	_, err := poll.Until(context.Background(), poll.Config{Interval: time.Millisecond},
		func(context.Context) (int, bool, error) {
			calls++
			if calls == 2 {
				return 0, false, failed
			}
			return 0, false, nil
		}, nil)
	if !errors.Is(err, failed) || calls != 2 {
		t.Fatalf("err %v after %d calls", err, calls)
	}
}

func TestUntilDeadline(t *testing.T) {
	calls := 0
	_, err := poll.Until(context.Background(), poll.Config{Interval: 10 * time.Millisecond, Timeout: 55 * time.Millisecond},
		func(context.Context) (int, bool, error) { calls++; return 0, false, nil }, nil)
	var te *poll.TimeoutError
	if !errors.Is(err, poll.ErrTimeout) || !errors.As(err, &te) || te.Checks != calls || calls < 3 || calls > 7 {
		t.Fatalf("err %v, calls %d", err, calls)
	}
}

func TestUntilCancelDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := poll.Until(ctx, poll.Config{InitialDelay: 10 * time.Second},
		func(context.Context) (int, bool, error) { t.Error("check must not run"); return 0, true, nil }, nil)
	if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

func TestUntilBacksOff(t *testing.T) {
	var stamps []time.Time
	_, err := poll.Until(context.Background(), poll.Config{Interval: 5 * time.Millisecond, Multiplier: 3, MaxInterval: 45 * time.Millisecond},
		func(context.Context) (int, bool, error) {
			stamps = append(stamps, time.Now())
			return 0, len(stamps) == 4, nil
		}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Waits: 5 ms, 15 ms, 45 ms (capped) -> the last gap is the longest.
	last := stamps[3].Sub(stamps[2])
	first := stamps[1].Sub(stamps[0])
	if last < 40*time.Millisecond || first >= last {
		t.Fatalf("gaps first %s last %s: no backoff", first, last)
	}
}

// The deadline ends a wait that would outlast it: with an hour between
// checks and a 1 ms timeout, Until gives up after the first check. (The
// context's own 10 s deadline only keeps a broken Until from hanging.)
func TestUntilTimeoutEndsALongWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls := 0
	_, err := poll.Until(ctx, poll.Config{Interval: time.Hour, Timeout: time.Millisecond},
		func(context.Context) (int, bool, error) { calls++; return 0, false, nil }, nil)
	var te *poll.TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, poll.ErrTimeout) || te.Checks != 1 || calls != 1 {
		t.Fatalf("err %v after %d calls; want a TimeoutError after 1 check", err, calls)
	}
}

// A context that has already ended stops Until before a check that has no
// wait in front of it (no InitialDelay): nothing is sent for a caller who
// has gone.
func TestUntilDoesNotCheckWithAnEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	_, err := poll.Until(ctx, poll.Config{Interval: time.Millisecond},
		func(context.Context) (int, bool, error) { calls++; return 0, true, nil }, nil)
	if !errors.Is(err, context.Canceled) || calls != 0 {
		t.Fatalf("err %v after %d checks; want context.Canceled and no check", err, calls)
	}
}

// Interval 0 means the default of a second, not checks in a busy loop: the
// second check, a second away, comes after a 1 ms timeout.
func TestUntilZeroIntervalMeansTheDefault(t *testing.T) {
	calls := 0
	_, err := poll.Until(context.Background(), poll.Config{Timeout: time.Millisecond},
		func(context.Context) (int, bool, error) { calls++; return calls, calls == 2, nil }, nil)
	var te *poll.TimeoutError
	if !errors.As(err, &te) || te.Checks != 1 || calls != 1 {
		t.Fatalf("err %v after %d checks; want a timeout after 1 check (the next was a second away)", err, calls)
	}
}

// MaxInterval caps the growth: a multiplier of a million from 1 ms would
// wait over 16 minutes before the third check, the cap keeps every wait at
// 1 ms. The 5 s timeout is far beyond the 3 ms the capped waits take; only
// an uncapped wait reaches it.
func TestUntilMaxIntervalCapsTheBackoff(t *testing.T) {
	calls := 0
	got, err := poll.Until(context.Background(), poll.Config{Interval: time.Millisecond, Multiplier: 1e6, MaxInterval: time.Millisecond, Timeout: 5 * time.Second},
		func(context.Context) (int, bool, error) { calls++; return calls, calls == 4, nil }, nil)
	if err != nil || got != 4 {
		t.Fatalf("got %d, err %v after %d checks; want the 4th check to end it", got, err, calls)
	}
}

func TestUntilReportsTheCallersCause(t *testing.T) {
	stop := errors.New("operator pressed stop")
	ctx, cancel := context.WithCancelCause(context.Background())
	checks := 0
	_, err := poll.Until(ctx, poll.Config{Interval: time.Hour}, func(context.Context) (int, bool, error) {
		checks++
		cancel(stop) // the wait that follows ends at once
		return 0, false, nil
	}, nil)
	if !errors.Is(err, stop) || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want the cause and context.Canceled", err)
	}
	if checks != 1 {
		t.Errorf("%d checks, want 1", checks)
	}
}

// A deadline with a cause already past when Until starts (no initial
// delay) reports DeadlineExceeded and the cause, and checks nothing.
func TestUntilPastDeadlineReportsTheCause(t *testing.T) {
	stop := errors.New("operator pressed stop")
	ctx, cancel := context.WithDeadlineCause(context.Background(), time.Unix(0, 0), stop)
	defer cancel()
	checks := 0
	_, err := poll.Until(ctx, poll.Config{Interval: time.Hour}, func(context.Context) (int, bool, error) {
		checks++
		return 0, false, nil
	}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, stop) || checks != 0 {
		t.Errorf("err = %v after %d checks, want DeadlineExceeded and the cause, no check", err, checks)
	}
}
