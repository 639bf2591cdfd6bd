// Package poll waits for a long-running server job (an export, an import)
// to reach a terminal state: an initial delay, an interval that may back
// off, an overall deadline, a progress callback, and prompt return when the
// context ends.
package poll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// ErrTimeout is matched (errors.Is) by the error Until returns when the
// overall deadline passes before the job ends.
var ErrTimeout = errors.New("gave up waiting for the job to finish")

// TimeoutError says how long Until waited and how many checks it made.
type TimeoutError struct {
	Waited time.Duration
	Checks int
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%v after %s (%d checks)", ErrTimeout, e.Waited.Round(time.Millisecond), e.Checks)
}

// Is matches ErrTimeout.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Config sets the rhythm of the checks.
type Config struct {
	// InitialDelay before the first check.
	InitialDelay time.Duration
	// Interval between checks; Multiplier (>1) grows it up to MaxInterval.
	Interval    time.Duration
	Multiplier  float64
	MaxInterval time.Duration
	// Timeout is the overall deadline, counted from the call; 0 means only the context bounds it.
	Timeout time.Duration
}

// Check reports the job's state: done when it reached a terminal state; a
// non-nil error (a failed job, a failed call) ends the wait at once.
type Check[T any] func(ctx context.Context) (state T, done bool, err error)

// Until calls check on cfg's rhythm until it reports done or an error, the
// deadline passes, or ctx ends. progress, when non-nil, sees every state.
func Until[T any](ctx context.Context, cfg Config, check Check[T], progress func(T)) (T, error) {
	var zero T
	start := time.Now()
	var deadline <-chan time.Time
	if cfg.Timeout > 0 {
		t := time.NewTimer(cfg.Timeout)
		defer t.Stop()
		deadline = t.C
	}
	interval := cfg.Interval
	if interval <= 0 {
		interval = time.Second
	}
	wait := cfg.InitialDelay
	for checks := 0; ; checks++ {
		if wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return zero, apierror.WithCause(ctx, ctx.Err())
			case <-deadline:
				timer.Stop()
				return zero, &TimeoutError{Waited: time.Since(start), Checks: checks}
			case <-timer.C:
			}
		} else if err := ctx.Err(); err != nil {
			return zero, apierror.WithCause(ctx, err)
		}
		state, done, err := check(ctx)
		if err != nil {
			return state, err
		}
		if progress != nil {
			progress(state)
		}
		if done {
			return state, nil
		}
		wait = interval
		if cfg.Multiplier > 1 {
			next := time.Duration(float64(interval) * cfg.Multiplier)
			if cfg.MaxInterval > 0 {
				next = min(next, cfg.MaxInterval)
			}
			interval = next
		}
	}
}
