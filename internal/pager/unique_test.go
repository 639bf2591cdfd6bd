package pager_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/certadmin/certadmin-go/internal/pager"
)

var errRepeat = errors.New("repeated page")

func repeatedErr(start, n int) error {
	return fmt.Errorf("start %d, %d items: %w", start, n, errRepeat)
}

func identity(i int) int { return i }

// A server that ignores the offset answers every request with its first
// page and an honest total: Unique stops at the second request with the
// vendor's error and yields the first page once.
func TestUniqueStopsAtAPageThatIgnoresTheOffset(t *testing.T) {
	calls := 0
	fetch := func(_ context.Context, start, rows int) (pager.Page[int], error) {
		calls++
		return pager.Page[int]{Items: []int{0, 1, 2, 3}, Total: 1000}, nil
	}
	var got []int
	var gotErr error
	for v, err := range pager.Unique(context.Background(), pager.Options{PageSize: 4}, identity, repeatedErr, fetch) {
		if err != nil {
			gotErr = err
			break
		}
		got = append(got, v)
	}
	if !errors.Is(gotErr, errRepeat) {
		t.Fatalf("error %v, want the repeated-page error", gotErr)
	}
	if !slices.Equal(got, []int{0, 1, 2, 3}) || calls != 2 {
		t.Fatalf("yielded %v in %d requests, want [0 1 2 3] in 2", got, calls)
	}
}

// A list that shifted by one item between two pages repeats that item:
// it is yielded once and the listing goes on to the end.
func TestUniqueDropsAnItemAShiftRepeats(t *testing.T) {
	pages := map[int][]int{0: {9, 8, 7}, 3: {7, 6, 5}, 6: {4}}
	fetch := func(_ context.Context, start, rows int) (pager.Page[int], error) {
		return pager.Page[int]{Items: pages[start], Total: 7}, nil
	}
	var got []int
	for v, err := range pager.Unique(context.Background(), pager.Options{PageSize: 3}, identity, repeatedErr, fetch) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{9, 8, 7, 6, 5, 4}) {
		t.Fatalf("yielded %v", got)
	}
}
