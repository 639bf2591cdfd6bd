package inventory_test

import (
	"context"
	"errors"
	"iter"
	"strconv"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/certadmin/certadmin-go/inventory"
)

// lister is a stand-in system: it yields n certificates (forever when n
// is negative), fails with err after failAfter of them when err is set,
// and counts what it did. Before the first certificate it runs wait, if
// any (a barrier, or a request that never answers).
type lister struct {
	n         int
	failAfter int
	err       error
	wait      func(ctx context.Context) error

	produced atomic.Int64
	started  atomic.Bool
	returned atomic.Bool
	active   *atomic.Int64 // shared by the systems of one test, if set
	maxSeen  *atomic.Int64
}

func (l *lister) CertificateInventory(ctx context.Context) iter.Seq2[inventory.Certificate, error] {
	return func(yield func(inventory.Certificate, error) bool) {
		l.started.Store(true)
		defer l.returned.Store(true)
		if l.active != nil {
			n := l.active.Add(1)
			defer l.active.Add(-1)
			for {
				m := l.maxSeen.Load()
				if n <= m || l.maxSeen.CompareAndSwap(m, n) {
					break
				}
			}
		}
		if l.wait != nil {
			if err := l.wait(ctx); err != nil {
				yield(inventory.Certificate{}, err)
				return
			}
		}
		for i := 0; l.n < 0 || i < l.n; i++ {
			if l.err != nil && i == l.failAfter {
				yield(inventory.Certificate{}, l.err)
				return
			}
			if err := ctx.Err(); err != nil {
				yield(inventory.Certificate{}, err)
				return
			}
			l.produced.Add(1)
			if !yield(inventory.Certificate{Vendor: "test", ID: strconv.Itoa(i), System: "set by the vendor"}, nil) {
				return
			}
		}
		if l.err != nil && l.failAfter >= l.n {
			yield(inventory.Certificate{}, l.err)
		}
	}
}

func systems(ls map[string]*lister, order ...string) []inventory.System {
	var s []inventory.System
	for _, name := range order {
		s = append(s, inventory.System{Name: name, Lister: ls[name]})
	}
	return s
}

// Every system is read at once: each lister waits, before its first
// certificate, until all four have started. A walk that read them one
// after the other would wait forever (here: until the safety timeout,
// which the bubble's clock reaches as soon as everything is blocked).
func TestWalkReadsSystemsConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		var started atomic.Int64
		all := make(chan struct{})
		barrier := func(ctx context.Context) error {
			if started.Add(1) == 4 {
				close(all)
			}
			select {
			case <-all:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		ls := map[string]*lister{}
		for _, name := range []string{"a", "b", "c", "d"} {
			ls[name] = &lister{n: 3, wait: barrier}
		}
		got := map[string]int{}
		for c, err := range inventory.Walk(ctx, systems(ls, "a", "b", "c", "d")) {
			if err != nil {
				t.Fatalf("walk: %v (started %d of 4 systems)", err, started.Load())
			}
			got[c.System]++
		}
		for name := range ls {
			if got[name] != 3 {
				t.Errorf("system %s: %d certificates, want 3 (all: %v)", name, got[name], got)
			}
		}
	})
}

// WithConcurrency bounds the systems read at once: with 2, two listers
// run (both blocked on the unbuffered hand-off), never three.
func TestWalkConcurrencyBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var active, maxSeen atomic.Int64
		ls := map[string]*lister{}
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			ls[name] = &lister{n: 5, active: &active, maxSeen: &maxSeen}
		}
		n, atBound := 0, false
		for _, err := range inventory.Walk(t.Context(), systems(ls, "a", "b", "c", "d", "e"), inventory.WithConcurrency(2), inventory.WithBuffer(0)) {
			if err != nil {
				t.Fatal(err)
			}
			n++
			synctest.Wait()
			if active.Load() == 2 {
				atBound = true
			}
		}
		if n != 25 {
			t.Errorf("%d certificates, want 25", n)
		}
		if m := maxSeen.Load(); m != 2 {
			t.Errorf("at most %d systems read at once, want 2", m)
		}
		if !atBound {
			t.Error("never saw 2 systems read at once")
		}
	})
}

// WithConcurrency(1) reads the systems one after the other, in order.
func TestWalkSequentialKeepsOrder(t *testing.T) {
	ls := map[string]*lister{"x": {n: 3}, "y": {n: 2}, "z": {n: 1}}
	var order []string
	for c, err := range inventory.Walk(t.Context(), systems(ls, "z", "x", "y"), inventory.WithConcurrency(1)) {
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, c.System+c.ID)
	}
	want := "[z0 x0 x1 x2 y0 y1]"
	if got := sprint(order); got != want {
		t.Errorf("order %s, want %s", got, want)
	}
}

func sprint(s []string) string {
	out := "["
	for i, v := range s {
		if i > 0 {
			out += " "
		}
		out += v
	}
	return out + "]"
}

var errDown = errors.New("connection refused")

// A failing system is one *SystemError naming it; the others are read to
// the end, and the certificates the failing one gave before failing are
// kept.
func TestWalkIsolatesFailures(t *testing.T) {
	ls := map[string]*lister{
		"ok1":     {n: 40},
		"down":    {n: 10, failAfter: 0, err: errDown},
		"halfway": {n: 10, failAfter: 4, err: errDown},
		"ok2":     {n: 7},
	}
	got := map[string]int{}
	failed := map[string]error{}
	for c, err := range inventory.Walk(t.Context(), systems(ls, "ok1", "down", "halfway", "ok2")) {
		if err != nil {
			var se *inventory.SystemError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *SystemError", err, err)
			}
			if !errors.Is(err, errDown) {
				t.Errorf("%v does not unwrap to the lister's error", err)
			}
			if _, dup := failed[se.System]; dup {
				t.Errorf("system %s reported twice", se.System)
			}
			failed[se.System] = err
			continue
		}
		got[c.System]++
	}
	want := map[string]int{"ok1": 40, "halfway": 4, "ok2": 7}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("system %s: %d certificates, want %d", name, got[name], n)
		}
	}
	if got["down"] != 0 {
		t.Errorf("system down yielded %d certificates", got["down"])
	}
	if len(failed) != 2 || failed["down"] == nil || failed["halfway"] == nil {
		t.Errorf("failed systems %v, want down and halfway", failed)
	}
	if msg := failed["down"].Error(); msg != `inventory: system "down": connection refused` {
		t.Errorf("message %q", msg)
	}
}

// A consumer that stops early stops every system: when the loop ends,
// every lister (the endless ones and one stuck in a request) has
// returned, nothing more is produced, and no goroutine is left.
func TestWalkEarlyBreakStopsEverySystem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stuck := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		ls := map[string]*lister{"a": {n: -1}, "b": {n: -1}, "c": {n: -1}, "stuck": {n: 1, wait: stuck}}
		consumed := 0
		for _, err := range inventory.Walk(t.Context(), systems(ls, "a", "b", "c", "stuck"), inventory.WithBuffer(4)) {
			if err != nil {
				t.Fatal(err)
			}
			consumed++
			if consumed == 5 {
				synctest.Wait() // every system started, and blocked
				break
			}
		}
		for name, l := range ls {
			if !l.started.Load() {
				t.Errorf("system %s never started", name)
			}
			if !l.returned.Load() {
				t.Errorf("system %s still running after the loop ended", name)
			}
		}
		var produced int64
		for _, l := range ls {
			produced += l.produced.Load()
		}
		synctest.Wait()
		var later int64
		for _, l := range ls {
			later += l.produced.Load()
		}
		if later != produced {
			t.Errorf("%d certificates produced after the loop ended", later-produced)
		}
		// At most the buffer and one certificate per system beyond what
		// the loop took.
		if max := int64(consumed + 4 + 3); produced > max {
			t.Errorf("%d produced for %d consumed, want at most %d", produced, consumed, max)
		}
	})
	// synctest.Test itself fails if a goroutine of the bubble outlives it.
}

// Whatever the consumer's speed, the systems run ahead of it by at most
// the buffer plus one certificate each: the walk never accumulates.
func TestWalkBoundsWhatIsReadAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const buffer, nsys, each = 8, 3, 2000
		ls := map[string]*lister{"a": {n: each}, "b": {n: each}, "c": {n: each}}
		produced := func() int64 {
			var n int64
			for _, l := range ls {
				n += l.produced.Load()
			}
			return n
		}
		consumed, reached := 0, 0
		for _, err := range inventory.Walk(t.Context(), systems(ls, "a", "b", "c"), inventory.WithBuffer(buffer)) {
			if err != nil {
				t.Fatal(err)
			}
			consumed++
			synctest.Wait() // every system blocked: as far ahead as it gets
			ahead := produced() - int64(consumed)
			if ahead > buffer+nsys {
				t.Fatalf("after %d consumed, %d produced ahead, want at most %d", consumed, ahead, buffer+nsys)
			}
			if ahead == buffer+nsys {
				reached++
			}
		}
		if consumed != nsys*each {
			t.Errorf("%d consumed, want %d", consumed, nsys*each)
		}
		if reached == 0 {
			t.Error("the systems never ran ahead as far as the bound: the test proves nothing")
		}
	})
}

// Cancelling ctx ends the walk with ctx's error, once (ctx.Err() itself:
// no cause was given), and stops every system.
func TestWalkCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ls := map[string]*lister{"a": {n: -1}, "b": {n: -1}}
		var errs []error
		n := 0
		for _, err := range inventory.Walk(ctx, systems(ls, "a", "b")) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if n++; n == 10 {
				synctest.Wait() // both systems started
				cancel()
			}
		}
		var se *inventory.SystemError
		if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) || errors.As(errs[0], &se) {
			t.Errorf("errors %v, want exactly context.Canceled, not a system's failure", errs)
		}
		for name, l := range ls {
			if !l.returned.Load() {
				t.Errorf("system %s still running", name)
			}
		}
	})
}

// Progress counts each system's certificates every ProgressEvery and at
// its end, with the failure.
func TestWalkProgress(t *testing.T) {
	ls := map[string]*lister{"big": {n: 2500}, "small": {n: 10, failAfter: 10, err: errDown}}
	var got []inventory.Progress
	for _, err := range inventory.Walk(t.Context(), systems(ls, "big", "small"), inventory.WithProgress(func(p inventory.Progress) {
		got = append(got, p)
	})) {
		if err != nil && !errors.Is(err, errDown) {
			t.Fatal(err)
		}
	}
	var big, small []inventory.Progress
	for _, p := range got {
		if p.System == "big" {
			big = append(big, p)
		} else {
			small = append(small, p)
		}
	}
	wantBig := []inventory.Progress{{System: "big", Listed: 1000}, {System: "big", Listed: 2000}, {System: "big", Listed: 2500, Done: true}}
	if len(big) != len(wantBig) {
		t.Fatalf("progress of big: %+v, want %+v", big, wantBig)
	}
	for i := range big {
		if big[i] != wantBig[i] {
			t.Errorf("progress of big [%d]: %+v, want %+v", i, big[i], wantBig[i])
		}
	}
	if len(small) != 1 || small[0].Listed != 10 || !small[0].Done || !errors.Is(small[0].Err, errDown) {
		t.Errorf("progress of small: %+v", small)
	}
}

// Systems it cannot tell apart or read are refused before anything runs.
func TestWalkRefusesBadSystems(t *testing.T) {
	l := &lister{n: 1}
	for name, s := range map[string][]inventory.System{
		"no name":   {{Lister: l}},
		"twice":     {{Name: "a", Lister: l}, {Name: "a", Lister: &lister{n: 1}}},
		"no lister": {{Name: "a"}},
	} {
		var errs []error
		for c, err := range inventory.Walk(t.Context(), s) {
			if err == nil {
				t.Errorf("%s: got certificate %+v", name, c)
			}
			errs = append(errs, err)
		}
		if len(errs) != 1 || !errors.Is(errs[0], inventory.ErrInvalidInput) {
			t.Errorf("%s: errors %v, want one ErrInvalidInput", name, errs)
		}
	}
	if l.produced.Load() != 0 {
		t.Error("a system was read although the input was refused")
	}
}
