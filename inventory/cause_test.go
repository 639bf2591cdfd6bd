package inventory_test

// A walk ended by the caller's context keeps the caller's cause, first
// written as a fresh review's probes. Channels decide; nothing is timed.

import (
	"context"
	"errors"
	"iter"
	"testing"

	"github.com/certadmin/certadmin-go/inventory"
)

var errWalkStopped = errors.New("operator pressed stop")

// endless yields certificates until its context ends.
type endless struct{}

func (endless) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		for ctx.Err() == nil {
			if !yield(inventory.Certificate{}, nil) {
				return
			}
		}
		yield(inventory.Certificate{}, ctx.Err())
	}
}

func walkErrors(ctx context.Context, cancelAfterFirst func()) []error {
	var errs []error
	first := true
	for _, err := range inventory.Walk(ctx, []inventory.System{{Name: "a", Lister: endless{}}, {Name: "b", Lister: endless{}}}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if first && cancelAfterFirst != nil {
			first = false
			cancelAfterFirst()
		}
	}
	return errs
}

// Cancelled before the walk and during it: one error, matching both.
func TestWalkKeepsTheCause(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errWalkStopped)
	errs := walkErrors(ctx, nil)
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || !errors.Is(errs[0], errWalkStopped) {
		t.Errorf("before: errors %v, want one matching context.Canceled and the cause", errs)
	}
	ctx, cancel = context.WithCancelCause(context.Background())
	errs = walkErrors(ctx, func() { cancel(errWalkStopped) })
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || !errors.Is(errs[0], errWalkStopped) {
		t.Errorf("during: errors %v, want one matching context.Canceled and the cause", errs)
	}
}

// Without a cause, the error is ctx.Err() itself, as Walk's doc says.
func TestWalkWithoutACauseYieldsCtxErrItself(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs := walkErrors(ctx, nil)
	if len(errs) != 1 || errs[0] != ctx.Err() { //nolint:errorlint // the doc promises the very error
		t.Errorf("errors %v, want ctx.Err() itself", errs)
	}
}
