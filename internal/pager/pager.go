// Package pager turns an offset-addressed list API (start + rows) into a
// lazy Go iterator. Pages are fetched only as the caller consumes them;
// optionally the next page is fetched while the caller works on the current
// one (prefetch), or several pages are fetched at once and yielded in order
// (parallel). Nothing more is fetched once the caller stops.
package pager

import (
	"context"
	"fmt"
	"iter"
)

// Page is one answer of the list API.
type Page[T any] struct {
	Items []T
	// Total is the server's count of all items, or -1 when it did not say.
	Total int
}

// Fetch asks for rows items starting at start.
type Fetch[T any] func(ctx context.Context, start, rows int) (Page[T], error)

// Options shape the iteration.
type Options struct {
	// Op names the operation in a paging mismatch error.
	Op string
	// PageSize is the rows asked for per page; MaxPageSize caps it (the
	// vendor's limit), and a larger PageSize is an error before any fetch.
	PageSize    int
	MaxPageSize int
	// Start is the offset of the first item.
	Start int
	// InFlight is how many pages may be fetched at once: 1 (or 0) fetches
	// each page when the caller reaches it; 2 prefetches the next page; more
	// fetches pages in parallel once the first page has told the total.
	InFlight int
}

// Validate checks the page size against the cap.
func (o Options) Validate() error {
	if o.PageSize < 1 {
		return fmt.Errorf("page size %d: must be at least 1", o.PageSize)
	}
	if o.MaxPageSize > 0 && o.PageSize > o.MaxPageSize {
		return fmt.Errorf("page size %d exceeds the API's maximum of %d", o.PageSize, o.MaxPageSize)
	}
	if o.Start < 0 {
		return fmt.Errorf("start %d: must not be negative", o.Start)
	}
	return nil
}

type result[T any] struct {
	page Page[T]
	err  error
}

type pending[T any] struct {
	start int
	done  chan result[T]
}

// Offset returns an iterator over every item. It yields (zero, err) once
// and stops on the first error. Iteration ends on an empty page, a short
// page, or when the offset reaches the newest total the server reported, so
// a total that changes while iterating cannot make it loop forever. Call
// opts.Validate first to reject bad options before any request; an invalid
// opts makes the iterator yield the validation error.
//
// Every page passes a Guard in the order pages are consumed: a page that
// repeats an earlier one or holds more than the page size ends the
// iteration with an ErrPagingMismatch error before any of its items is
// yielded, so a server that ignores the offset costs two requests (three
// with a page size of 1), plus the pages fetched ahead. A short page whose
// answer counts more items past it (a server that caps the page size
// below the one asked for) yields its items and then ErrPagingMismatch,
// instead of ending the list early without a word.
func Offset[T any](ctx context.Context, opts Options, fetch Fetch[T]) iter.Seq2[T, error] {
	return offset(ctx, opts, fetch, func() *Guard[T] { return &Guard[T]{} })
}

// Keyed is Offset for a list whose items have a key (a UUID), with a
// KeyedGuard in place of the Guard: an item the previous page held is not
// yielded again (a list that shifted while it was read), and a page of
// nothing but such items ends the iteration with an ErrPagingMismatch
// error, so a server that ignores the offset is caught at its second page
// even when that page is not the first one over again (the same items in
// another order, or fewer of them). Its memory holds two pages' keys at
// most.
func Keyed[T any, K comparable](ctx context.Context, opts Options, key func(T) K, fetch Fetch[T]) iter.Seq2[T, error] {
	return offset(ctx, opts, fetch, func() *Guard[T] { return KeyedGuard(key) })
}

// offset is the iteration of Offset and Keyed; each run of the iterator
// checks its pages with a guard of its own.
func offset[T any](ctx context.Context, opts Options, fetch Fetch[T], newGuard func() *Guard[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := opts.Validate(); err != nil {
			yield(zero, err)
			return
		}
		rows := opts.PageSize
		depth := max(opts.InFlight, 1)

		ctx, cancel := context.WithCancel(ctx)
		var queue []*pending[T]
		defer func() {
			cancel()
			for _, p := range queue { // wait for in-flight fetches so none outlives the loop
				<-p.done
			}
		}()

		launch := func(start int) {
			p := &pending[T]{start: start, done: make(chan result[T], 1)}
			queue = append(queue, p)
			go func() {
				page, err := fetch(ctx, start, rows)
				p.done <- result[T]{page, err}
			}()
		}

		guard := newGuard()
		next := opts.Start
		total := -1
		seen := false // the first page tells the total; nothing is fetched ahead before it
		fill := func(target int) {
			for len(queue) < target && (total < 0 || next < total) {
				launch(next)
				next += rows
			}
		}
		for {
			// The page being consumed holds one of the InFlight slots, so at
			// most depth pages are fetched or held at any moment.
			if seen {
				fill(depth)
			}
			if len(queue) == 0 {
				launch(next)
				next += rows
			}
			head := queue[0]
			r := <-head.done
			queue = queue[1:]
			if r.err != nil {
				yield(zero, r.err)
				return
			}
			items, err := guard.Check(opts.Op, head.start, rows, r.page.Items)
			if err != nil {
				yield(zero, err)
				return
			}
			seen = true
			total = r.page.Total
			// A short page ends the list (an empty one always), unless
			// the same answer counts more items past it: then the server
			// caps its pages below the size asked for, and stopping would
			// lose the rest silently. Its items are yielded, then the
			// mismatch.
			var capped error
			if n := len(r.page.Items); n > 0 && n < rows && total >= 0 && head.start+n < total {
				capped = Mismatch(opts.Op, "the page at %d held %d items of the %d asked for, yet the server counts %d: it caps its pages below the size asked for (ask for at most %d per page)",
					head.start, len(r.page.Items), rows, total, len(r.page.Items))
			}
			last := len(r.page.Items) < rows || (total >= 0 && head.start+len(r.page.Items) >= total)
			if last {
				cancel() // pages fetched past the end are not needed
			} else {
				fill(depth - 1)
			}
			for i, it := range items {
				// Drop the page's reference to each item as it is handed
				// over, so what the caller has finished with can be
				// collected while the rest of the page (and the page
				// fetched ahead) is still held.
				items[i] = zero
				if !yield(it, nil) {
					return
				}
			}
			if capped != nil {
				yield(zero, capped)
				return
			}
			if last {
				return
			}
		}
	}
}
