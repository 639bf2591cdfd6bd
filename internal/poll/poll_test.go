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
