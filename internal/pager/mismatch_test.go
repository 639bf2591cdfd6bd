package pager_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/pager"
)

type acct struct {
	ID   int
	Name string
}

// ignoring serves the first page whatever start is asked for, as a server
// that ignores the offset (or the page number) does. It gives up after
// limit calls so a pager that never notices ends instead of spinning.
func ignoring(total, limit int, calls *atomic.Int32) pager.Fetch[acct] {
	return func(_ context.Context, _, rows int) (pager.Page[acct], error) {
		if int(calls.Add(1)) > limit {
			return pager.Page[acct]{}, errors.New("the pager kept asking")
		}
		n := rows
		if total >= 0 {
			n = min(rows, total)
		}
		items := make([]acct, 0, n)
		for i := range n {
			items = append(items, acct{ID: i, Name: fmt.Sprint("a", i)})
		}
		return pager.Page[acct]{Items: items, Total: total}, nil
	}
}

// A server that ignores the offset answers every page with the first. The
// pager stops at the second page with ErrPagingMismatch, yields none of the
// repeated items and sends a bounded number of requests, whether it told
// the total, lied about it or said nothing, and in every fetch mode.
func TestOffsetIgnoredStopsWithPagingMismatch(t *testing.T) {
	for _, total := range []int{1000, -1} {
		for _, rows := range []int{1, 2, 10} {
			for _, inFlight := range []int{1, 2, 4} {
				name := fmt.Sprintf("total %d rows %d inFlight %d", total, rows, inFlight)
				var calls atomic.Int32
				seen := map[int]int{}
				var last error
				for a, err := range pager.Offset(context.Background(), pager.Options{Op: "x.List", PageSize: rows, InFlight: inFlight}, ignoring(total, 100, &calls)) {
					if err != nil {
						last = err
						break
					}
					seen[a.ID]++
				}
				if !errors.Is(last, pager.ErrPagingMismatch) {
					t.Errorf("%s: ended with %v, want ErrPagingMismatch", name, last)
				}
				var ae *apierror.Error
				if !errors.As(last, &ae) || ae.Op != "x.List" {
					t.Errorf("%s: error %#v does not name the operation", name, last)
				}
				for id, n := range seen {
					if n > 1 {
						t.Errorf("%s: item %d yielded %d times", name, id, n)
					}
				}
				// Two pages tell a repeat of a page of several items; a page
				// of one item may repeat once when one item was inserted
				// before it, so a third identical page is the proof. Pages
				// fetched ahead add at most inFlight.
				bound := 2
				if rows == 1 {
					bound = 3
				}
				if n := int(calls.Load()); n > bound+inFlight {
					t.Errorf("%s: %d requests, want at most %d", name, n, bound+inFlight)
				}
			}
		}
	}
}

// A page that repeats one seen earlier (not just the previous one) is a
// mismatch too: A, B, A.
func TestRepeatOfAnEarlierPageIsAMismatch(t *testing.T) {
	fetch := func(_ context.Context, start, rows int) (pager.Page[acct], error) {
		first := start
		if start == 2*rows {
			first = 0
		}
		items := []acct{}
		for i := first; i < first+rows; i++ {
			items = append(items, acct{ID: i})
		}
		return pager.Page[acct]{Items: items, Total: 10 * rows}, nil
	}
	var got []int
	var last error
	for a, err := range pager.Offset(context.Background(), pager.Options{PageSize: 3}, fetch) {
		if err != nil {
			last = err
			break
		}
		got = append(got, a.ID)
	}
	if !errors.Is(last, pager.ErrPagingMismatch) || len(got) != 6 {
		t.Errorf("got %v then %v, want 6 items then ErrPagingMismatch", got, last)
	}
}

// A page holding more items than asked for is a server that ignores the
// page size: refused before any of its items is yielded.
func TestPageLargerThanAskedIsAMismatch(t *testing.T) {
	fetch := func(_ context.Context, start, rows int) (pager.Page[acct], error) {
		items := make([]acct, rows+1)
		for i := range items {
			items[i].ID = start + i
		}
		return pager.Page[acct]{Items: items, Total: 100}, nil
	}
	n := 0
	var last error
	for _, err := range pager.Offset(context.Background(), pager.Options{PageSize: 5}, fetch) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if !errors.Is(last, pager.ErrPagingMismatch) || n != 0 {
		t.Errorf("yielded %d then %v, want nothing then ErrPagingMismatch", n, last)
	}
}

// One item inserted at the front between two requests shifts the list by
// one: the second page of single items repeats the first once. That is not
// a mismatch: the pager goes on without yielding the item again (the item
// pushed past the end by the insertion is the listing's own loss).
func TestSingleShiftIsNotAMismatch(t *testing.T) {
	var calls atomic.Int32
	fetch := func(_ context.Context, start, rows int) (pager.Page[acct], error) {
		n := int(calls.Add(1))
		first := start
		if n >= 2 {
			first = start - 1 // one item inserted in front after the first call
		}
		if first >= 5 {
			return pager.Page[acct]{Items: nil, Total: 6}, nil
		}
		return pager.Page[acct]{Items: []acct{{ID: first}}, Total: 6}, nil
	}
	var got []int
	for a, err := range pager.Offset(context.Background(), pager.Options{PageSize: 1}, fetch) {
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		got = append(got, a.ID)
	}
	if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("got %v, want 0 to 4 once each", got)
	}
}

// Guard is what a list that pages by hand uses: the same verdicts.
func TestGuardRefusesARepeatedPage(t *testing.T) {
	var g pager.Guard[acct]
	p := []acct{{ID: 1}, {ID: 2}}
	if _, err := g.Check("x.Find", 0, 2, p); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Check("x.Find", 2, 2, []acct{{ID: 3}, {ID: 4}}); err != nil {
		t.Fatal(err)
	}
	_, err := g.Check("x.Find", 4, 2, p)
	var ae *apierror.Error
	if !errors.Is(err, pager.ErrPagingMismatch) || !errors.As(err, &ae) || ae.Op != "x.Find" {
		t.Errorf("repeat: %v", err)
	}
	if _, err := g.Check("x.Find", 6, 2, []acct{{ID: 7}, {ID: 8}, {ID: 9}}); !errors.Is(err, pager.ErrPagingMismatch) {
		t.Errorf("too long: %v", err)
	}
}

// A server that caps its pages below the size asked for answers a short
// page while its total says more remain: the list must not end there as
// if complete (audit probe TestCloud_ListAccounts_ShortPagesNotTruncated).
func TestShortPageWithMoreCountedIsAMismatch(t *testing.T) {
	const total, capAt = 250, 100
	requests := 0
	fetch := func(_ context.Context, start, rows int) (pager.Page[int], error) {
		requests++
		n := min(rows, capAt, max(total-start, 0))
		items := make([]int, n)
		for i := range items {
			items[i] = start + i
		}
		return pager.Page[int]{Items: items, Total: total}, nil
	}
	got := 0
	var err error
	for _, e := range pager.Offset(context.Background(), pager.Options{PageSize: 500, Op: "test.List"}, fetch) {
		if e != nil {
			err = e
			break
		}
		got++
	}
	if !errors.Is(err, pager.ErrPagingMismatch) || got != capAt || requests != 1 {
		t.Fatalf("got %d items in %d requests, err %v; want the %d of the first page, then ErrPagingMismatch", got, requests, err, capAt)
	}
	// A short last page is the end, not a mismatch.
	got, err = 0, nil
	for _, e := range pager.Offset(context.Background(), pager.Options{PageSize: 100, Op: "test.List"}, fetch) {
		if e != nil {
			err = e
			break
		}
		got++
	}
	if err != nil || got != total {
		t.Fatalf("page size within the cap: %d items, err %v; want all %d", got, err, total)
	}
}
