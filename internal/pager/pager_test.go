package pager_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/pager"
)

// list serves items 0..total-1; totalAfter, when set, changes the reported
// total after the first page.
type list struct {
	mu         sync.Mutex
	total      int
	totalAfter int
	calls      []int
	inFlight   atomic.Int32
	maxFlight  atomic.Int32
	failAt     int
	delay      time.Duration
}

func (l *list) fetch(ctx context.Context, start, rows int) (pager.Page[int], error) {
	n := l.inFlight.Add(1)
	defer l.inFlight.Add(-1)
	for {
		m := l.maxFlight.Load()
		if n <= m || l.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if l.delay > 0 {
		select {
		case <-time.After(l.delay):
		case <-ctx.Done():
			return pager.Page[int]{}, ctx.Err()
		}
	}
	l.mu.Lock()
	l.calls = append(l.calls, start)
	total := l.total
	if l.totalAfter != 0 && len(l.calls) > 1 {
		total = l.totalAfter
	}
	l.mu.Unlock()
	if l.failAt != 0 && start == l.failAt {
		return pager.Page[int]{}, errors.New("page failed")
	}
	var items []int
	for i := start; i < min(start+rows, total); i++ {
		items = append(items, i)
	}
	return pager.Page[int]{Items: items, Total: total}, nil
}

func collect(t *testing.T, seq func(func(int, error) bool)) ([]int, error) {
	t.Helper()
	var out []int
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

func TestAllModesYieldEveryItemInOrder(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4} {
		l := &list{total: 23}
		got, err := collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 5, InFlight: inFlight}, l.fetch))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int, 23)
		for i := range want {
			want[i] = i
		}
		if !slices.Equal(got, want) {
			t.Fatalf("inFlight %d: got %v", inFlight, got)
		}
		if most := l.maxFlight.Load(); most > int32(inFlight) {
			t.Fatalf("inFlight %d: %d fetches ran at once", inFlight, most)
		}
	}
}

func TestSequentialFetchesLazilyAndStopsOnBreak(t *testing.T) {
	l := &list{total: 100}
	n := 0
	for v, err := range pager.Offset(context.Background(), pager.Options{PageSize: 10, InFlight: 1}, l.fetch) {
		if err != nil || v != n {
			t.Fatalf("item %d = %d, %v", n, v, err)
		}
		n++
		if n == 12 {
			break
		}
	}
	if !slices.Equal(l.calls, []int{0, 10}) {
		t.Fatalf("fetched pages at %v, want only [0 10]", l.calls)
	}
}

func TestParallelRunsPagesConcurrently(t *testing.T) {
	l := &list{total: 200, delay: 5 * time.Millisecond}
	got, err := collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 10, InFlight: 4}, l.fetch))
	if err != nil || len(got) != 200 {
		t.Fatalf("%d items, %v", len(got), err)
	}
	if l.maxFlight.Load() < 3 {
		t.Fatalf("at most %d fetches at once, want parallel fetches", l.maxFlight.Load())
	}
}

func TestErrorIsYieldedOnceAndStops(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4} {
		l := &list{total: 100, failAt: 20}
		got, err := collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 10, InFlight: inFlight}, l.fetch))
		if err == nil || len(got) != 20 {
			t.Fatalf("inFlight %d: %d items, err %v; want 20 items then the error", inFlight, len(got), err)
		}
	}
}

func TestShrinkingTotalAndEmptyPageEndIteration(t *testing.T) {
	l := &list{total: 50, totalAfter: 12}
	got, err := collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 10}, l.fetch))
	if err != nil || len(got) != 12 {
		t.Fatalf("got %d items, %v; want 12", len(got), err)
	}
	empty := &list{total: 0}
	got, err = collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 10, InFlight: 2}, empty.fetch))
	if err != nil || len(got) != 0 || len(empty.calls) != 1 {
		t.Fatalf("empty list: %v, %v, %d calls", got, err, len(empty.calls))
	}
}

func TestUnknownTotalStopsOnShortPage(t *testing.T) {
	calls := 0
	fetch := func(_ context.Context, start, rows int) (pager.Page[int], error) {
		calls++
		items := []int{}
		for i := start; i < min(start+rows, 25); i++ {
			items = append(items, i)
		}
		return pager.Page[int]{Items: items, Total: -1}, nil
	}
	got, err := collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 10}, fetch))
	if err != nil || len(got) != 25 || calls != 3 {
		t.Fatalf("%d items, %d calls, %v", len(got), calls, err)
	}
}

func TestPageSizeCapIsCheckedBeforeFetching(t *testing.T) {
	opts := pager.Options{PageSize: 501, MaxPageSize: 500}
	if err := opts.Validate(); err == nil {
		t.Fatal("Validate accepted 501 > 500")
	}
	called := false
	_, err := collect(t, pager.Offset(context.Background(), opts, func(context.Context, int, int) (pager.Page[int], error) {
		called = true
		return pager.Page[int]{}, nil
	}))
	if err == nil || called {
		t.Fatalf("err %v, fetched %v; want an error and no fetch", err, called)
	}
}

func TestCancelledContextStopsIteration(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := &list{total: 1000, delay: time.Millisecond}
	n := 0
	var lastErr error
	for _, err := range pager.Offset(ctx, pager.Options{PageSize: 10, InFlight: 2}, l.fetch) {
		if err != nil {
			lastErr = err
			break
		}
		n++
		if n == 15 {
			cancel()
		}
	}
	if !errors.Is(lastErr, context.Canceled) || n >= 1000 {
		t.Fatalf("after cancel: %d items, err %v", n, lastErr)
	}
}

func TestYieldedItemsAreReleasedFromThePage(t *testing.T) {
	var pages [][]*int
	fetch := func(_ context.Context, start, rows int) (pager.Page[*int], error) {
		items := make([]*int, 0, rows)
		for i := start; i < min(start+rows, 6); i++ {
			items = append(items, &i)
		}
		pages = append(pages, items)
		return pager.Page[*int]{Items: items, Total: 6}, nil
	}
	n := 0
	for v, err := range pager.Offset(context.Background(), pager.Options{PageSize: 3}, fetch) {
		if err != nil || v == nil {
			t.Fatalf("item %d: %v, %v", n, v, err)
		}
		n++
	}
	for p, items := range pages {
		for i, it := range items {
			if it != nil {
				t.Fatalf("page %d item %d is still referenced after it was yielded", p, i)
			}
		}
	}
	if n != 6 || len(pages) != 2 {
		t.Fatalf("%d items from %d pages", n, len(pages))
	}
}

// A caller that does not break on the error (it logs it and reads on)
// still sees the error once and nothing after it.
func TestErrorEndsIterationEvenWhenTheCallerReadsOn(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4} {
		l := &list{total: 100, failAt: 20}
		var items, errs, afterErr int
		for _, err := range pager.Offset(context.Background(), pager.Options{PageSize: 10, InFlight: inFlight}, l.fetch) {
			switch {
			case err != nil:
				errs++
			case errs > 0:
				afterErr++
			default:
				items++
			}
		}
		if items != 20 || errs != 1 || afterErr != 0 {
			t.Fatalf("inFlight %d: %d items, %d errors, %d values after the error; want 20, 1, 0", inFlight, items, errs, afterErr)
		}
	}
}

func TestStartOffsetIsWhereIterationBegins(t *testing.T) {
	for _, inFlight := range []int{1, 2, 4} {
		l := &list{total: 23}
		got, err := collect(t, pager.Offset(context.Background(), pager.Options{PageSize: 5, Start: 7, InFlight: inFlight}, l.fetch))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int, 0, 16)
		for i := 7; i < 23; i++ {
			want = append(want, i)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("inFlight %d: got %v, want %v", inFlight, got, want)
		}
		l.mu.Lock()
		calls := slices.Sorted(slices.Values(l.calls))
		l.mu.Unlock()
		if !slices.Equal(calls, []int{7, 12, 17, 22}) {
			t.Fatalf("inFlight %d: fetched at %v, want [7 12 17 22]", inFlight, calls)
		}
	}
}

func TestValidateBounds(t *testing.T) {
	for _, tc := range []struct {
		opts pager.Options
		ok   bool
	}{
		{pager.Options{PageSize: 500, MaxPageSize: 500}, true}, // the vendor's maximum itself is allowed
		{pager.Options{PageSize: 501, MaxPageSize: 500}, false},
		{pager.Options{PageSize: 1}, true},
		{pager.Options{PageSize: 0}, false},
		{pager.Options{PageSize: 10, Start: 0}, true},
		{pager.Options{PageSize: 10, Start: -1}, false},
	} {
		err := tc.opts.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("Validate(%+v) = %v, want ok %v", tc.opts, err, tc.ok)
		}
		var fetched []int
		_, err = collect(t, pager.Offset(context.Background(), tc.opts, func(_ context.Context, start, rows int) (pager.Page[int], error) {
			fetched = append(fetched, start, rows)
			return pager.Page[int]{Total: 0}, nil
		}))
		switch {
		case tc.ok && (err != nil || len(fetched) != 2 || fetched[1] != tc.opts.PageSize):
			t.Errorf("Offset(%+v): err %v, fetched (start, rows) %v; want one fetch of %d rows", tc.opts, err, fetched, tc.opts.PageSize)
		case !tc.ok && (err == nil || len(fetched) != 0):
			t.Errorf("Offset(%+v): err %v, fetched %v; want the validation error and no fetch", tc.opts, err, fetched)
		}
	}
}
