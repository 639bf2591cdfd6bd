//go:build audit

package audit_test

// Audit round 22: inventory.Walk against its public contract (go doc
// ./inventory Walk) and the house invariants: a failing system never hides
// others; lists lazy and bounded; nothing runs after the loop.

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"testing"

	"github.com/certadmin/certadmin-go/inventory"
)

type a22Lister struct {
	n        int   // certificates before failing (<0: endless)
	err      error // failure after n
	started  atomic.Int32
	produced atomic.Int64
	running  atomic.Int32
}

func (l *a22Lister) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		l.started.Add(1)
		l.running.Add(1)
		defer l.running.Add(-1)
		for i := 0; l.n < 0 || i < l.n; i++ {
			if ctx.Err() != nil {
				yield(inventory.Certificate{}, ctx.Err())
				return
			}
			l.produced.Add(1)
			if !yield(inventory.Certificate{Vendor: "t", ID: fmt.Sprint(i)}, nil) {
				return
			}
		}
		if l.err != nil {
			yield(inventory.Certificate{}, l.err)
		}
	}
}

// Confirmation: a system failing at once and one failing half-way are
// each reported once as a *SystemError naming it; every certificate of the
// healthy system and those read before the half-way failure arrive.
func TestAudit22WalkFailuresDoNotHideOthers(t *testing.T) {
	errA, errB := errors.New("refused"), errors.New("reset")
	sys := []inventory.System{
		{Name: "down", Lister: &a22Lister{n: 0, err: errA}},
		{Name: "half", Lister: &a22Lister{n: 7, err: errB}},
		{Name: "ok", Lister: &a22Lister{n: 500}},
	}
	got := map[string]int{}
	failed := map[string]error{}
	for c, err := range inventory.Walk(context.Background(), sys, inventory.WithBuffer(1), inventory.WithConcurrency(1)) {
		if err != nil {
			var se *inventory.SystemError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SystemError", err)
			}
			if failed[se.System] != nil {
				t.Errorf("%s reported twice", se.System)
			}
			failed[se.System] = se.Err
			continue
		}
		got[c.System]++
	}
	if got["ok"] != 500 || got["half"] != 7 || got["down"] != 0 {
		t.Errorf("certificates per system %v", got)
	}
	if !errors.Is(failed["down"], errA) || !errors.Is(failed["half"], errB) || failed["ok"] != nil {
		t.Errorf("failures %v", failed)
	}
}

// Confirmation (lazy and bounded, nothing after the loop): nothing is
// listed before the loop starts; with WithBuffer(4) an endless system
// has produced at most the one consumed, the buffer and one waiting to be
// sent when the consumer stops; once the loop is left no lister runs.
func TestAudit22WalkLazyBoundedAndStops(t *testing.T) {
	l := &a22Lister{n: -1}
	seq := inventory.Walk(context.Background(), []inventory.System{{Name: "endless", Lister: l}}, inventory.WithBuffer(4))
	if l.started.Load() != 0 {
		t.Fatal("listed before the loop")
	}
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if p := l.produced.Load(); p > 1+4+1 {
		t.Errorf("produced %d certificates for a consumer that took 1 with a buffer of 4", p)
	}
	if l.running.Load() != 0 {
		t.Error("a lister still runs after the loop ended")
	}
}
