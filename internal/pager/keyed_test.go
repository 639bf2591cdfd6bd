package pager_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
)

func identity(i int) int { return i }

// keyedRun runs a Keyed listing to its end: the items, the number of
// requests and the error.
func keyedRun(t *testing.T, rows int, fetch pager.Fetch[int]) ([]int, int, error) {
	t.Helper()
	calls := 0
	counted := func(ctx context.Context, start, n int) (pager.Page[int], error) {
		calls++
		if calls > 50 {
			t.Fatal("the listing kept asking")
		}
		return fetch(ctx, start, n)
	}
	var got []int
	for v, err := range pager.Keyed(context.Background(), pager.Options{Op: "x.List", PageSize: rows}, identity, counted) {
		if err != nil {
			return got, calls, err
		}
		got = append(got, v)
	}
	return got, calls, nil
}

// A server that ignores the offset answers every request with its first
// page and an honest total: the listing stops at the second request with
// ErrPagingMismatch naming the operation, having yielded the first page
// once.
func TestKeyedStopsAtAPageThatIgnoresTheOffset(t *testing.T) {
	got, calls, err := keyedRun(t, 4, func(context.Context, int, int) (pager.Page[int], error) {
		return pager.Page[int]{Items: []int{0, 1, 2, 3}, Total: 1000}, nil
	})
	var ae *apierror.Error
	if !errors.Is(err, pager.ErrPagingMismatch) || !errors.As(err, &ae) || ae.Op != "x.List" {
		t.Fatalf("error %v, want ErrPagingMismatch naming x.List", err)
	}
	if !slices.Equal(got, []int{0, 1, 2, 3}) || calls != 2 {
		t.Fatalf("yielded %v in %d requests, want [0 1 2 3] in 2", got, calls)
	}
}

// A server that ignores the offset but does not answer the same page
// twice (its order is not stable, or an item left the list between two
// requests): no page equals an earlier one, so only the keys tell. The
// listing stops at the second request and yields nothing twice.
func TestKeyedStopsAtAReorderedOrShrunkRepeat(t *testing.T) {
	for name, second := range map[string][]int{
		"reordered": {3, 2, 1, 0},
		"shrunk":    {0, 1, 3},
		"doubled":   {0, 0, 1, 1},
	} {
		got, calls, err := keyedRun(t, 4, func(_ context.Context, start, _ int) (pager.Page[int], error) {
			if start == 0 {
				return pager.Page[int]{Items: []int{0, 1, 2, 3}, Total: 1000}, nil
			}
			return pager.Page[int]{Items: slices.Clone(second), Total: 1000}, nil
		})
		if !errors.Is(err, pager.ErrPagingMismatch) || !slices.Equal(got, []int{0, 1, 2, 3}) || calls != 2 {
			t.Errorf("%s: yielded %v in %d requests, then %v; want [0 1 2 3] in 2, then ErrPagingMismatch", name, got, calls, err)
		}
	}
}

// A list that shifted by one item between two pages (one added in front
// of a list ordered newest first) repeats that item: it is yielded once
// and the listing goes on to the end.
func TestKeyedDropsAnItemAShiftRepeats(t *testing.T) {
	pages := map[int][]int{0: {9, 8, 7}, 3: {7, 6, 5}, 6: {4}}
	got, _, err := keyedRun(t, 3, func(_ context.Context, start, _ int) (pager.Page[int], error) {
		return pager.Page[int]{Items: slices.Clone(pages[start]), Total: 7}, nil
	})
	if err != nil || !slices.Equal(got, []int{9, 8, 7, 6, 5, 4}) {
		t.Fatalf("yielded %v, %v", got, err)
	}
}

// Each run of the iterator checks its own pages: ranging over it again
// lists everything again, with no page taken for a repeat of the first
// run's.
func TestKeyedAndOffsetRunTwice(t *testing.T) {
	fetch := func(_ context.Context, start, rows int) (pager.Page[int], error) {
		var items []int
		for i := start; i < min(start+rows, 7); i++ {
			items = append(items, i)
		}
		return pager.Page[int]{Items: items, Total: 7}, nil
	}
	for name, seq := range map[string]func(func(int, error) bool){
		"Offset": pager.Offset(context.Background(), pager.Options{PageSize: 3}, fetch),
		"Keyed":  pager.Keyed(context.Background(), pager.Options{PageSize: 3}, identity, fetch),
	} {
		for run := range 2 {
			got, err := collect(t, seq)
			if err != nil || len(got) != 7 {
				t.Errorf("%s, run %d: %v, %v", name, run+1, got, err)
			}
		}
	}
}
