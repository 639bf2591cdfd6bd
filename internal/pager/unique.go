package pager

import (
	"context"
	"iter"
	"sync"
)

// Repeated builds the error that ends a Unique iteration when the page at
// start brought n items, every one of them already fetched: the server is
// not paging by the offset (or page number) it was asked for. Each vendor
// gives its own typed error here (its ErrPagingMismatch).
type Repeated func(start, n int) error

// Unique is Offset for a list whose items have a key (a UUID): it yields
// each key at most once and ends with repeated(start, n) at the first
// non-empty page that holds nothing new. A server that ignores the page
// asked for therefore costs two requests and yields no duplicate, instead
// of one request per page of its total. A page that only partly repeats
// what was fetched (a list that shifted while it was read, e.g. one
// ordered newest first) yields its new items and goes on. Keys are kept
// for the whole iteration, so its memory grows with the list's length.
func Unique[T any, K comparable](ctx context.Context, opts Options, key func(T) K, repeated Repeated, fetch Fetch[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var (
			mu      sync.Mutex // pages may be fetched concurrently (InFlight > 1)
			fetched = map[K]struct{}{}
		)
		guarded := func(ctx context.Context, start, rows int) (Page[T], error) {
			page, err := fetch(ctx, start, rows)
			if err != nil || len(page.Items) == 0 {
				return page, err
			}
			mu.Lock()
			defer mu.Unlock()
			fresh := false
			for _, it := range page.Items {
				if _, ok := fetched[key(it)]; !ok {
					fresh = true
					break
				}
			}
			if !fresh {
				return Page[T]{}, repeated(start, len(page.Items))
			}
			for _, it := range page.Items {
				fetched[key(it)] = struct{}{}
			}
			return page, nil
		}
		yielded := map[K]struct{}{}
		for it, err := range Offset(ctx, opts, guarded) {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			k := key(it)
			if _, ok := yielded[k]; ok {
				continue
			}
			yielded[k] = struct{}{}
			if !yield(it, nil) {
				return
			}
		}
	}
}
