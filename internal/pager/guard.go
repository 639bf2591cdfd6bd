package pager

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"

	"github.com/certadmin/certadmin-go/internal/apierror"
)

// ErrPagingMismatch is the Kind of the error that ends a listing when the
// server's pages do not follow the paging asked for: a page that repeats
// one already seen (a server that ignores the offset or the page number),
// a page longer than the page size asked for, or a page whose own offset
// is not the start asked for. Every vendor package re-exports it under
// this name. Going on would yield the same items again and send requests
// without end, so the listing stops before yielding anything of that page.
var ErrPagingMismatch = errors.New("the server's pages do not follow the paging asked for")

// Mismatch is the typed error for a paging mismatch met by op.
func Mismatch(op, format string, args ...any) error {
	return &apierror.Error{Op: op, Kind: ErrPagingMismatch, Message: fmt.Sprintf(format, args...)}
}

// Guard checks the pages of one listing in the order they are consumed.
// The zero value is ready; a Guard is not safe for concurrent use. A page
// is known by its length and a hash of its first and last items, so it
// costs a few words whatever the items hold, and a Guard remembers the
// first page and the last maxRemembered pages only: its memory is bounded
// whatever the listing's length. A server that ignores the offset answers
// the first page again, and one that cycles through a few pages repeats
// one of the last; a cycle longer than that is ended by the total, as any
// listing is. KeyedGuard adds a check by item key against the previous
// page.
type Guard[T any] struct {
	seed  maphash.Seed
	seen  map[pageKey]int // → start of the page first seen with this key
	order []pageKey       // the pages in seen but the first, oldest first
	last  pageKey         // the previous page of one item
	run   int             // how many pages in a row were that one item
	// overlap, set by KeyedGuard, drops the items of a page that the
	// previous page held and returns the rest.
	overlap func(items []T) []T
	// The first page's key is needed only once a second page comes: its
	// first and last items wait here (two items, whatever the page
	// holds) and are fingerprinted then, so a listing of one page, such
	// as a lookup, hashes nothing.
	firstItem, lastItem T
	firstN              int // the first page's length; 0 once it is accounted for
	firstStart          int
}

type pageKey struct {
	first, last uint64
	n           int
}

// maxRemembered is how many pages besides the first a Guard remembers.
const maxRemembered = 64

// KeyedGuard is a Guard for a list whose items have a key (a UUID). Beyond
// Guard's checks, an item the previous page held is dropped (a list that
// shifted between two requests, e.g. one ordered newest first that got an
// item in front, repeats the end of the previous page at the start of the
// next), and a page that holds nothing but such items is a mismatch (a
// server that ignores the offset while the list changes, so that no two
// pages are the same). It keeps the keys of the previous page only, so its
// memory stays within one page's keys whatever the list's length; an item
// that moved further than one page between two requests may therefore be
// yielded twice, as a list that changes while it is read allows.
func KeyedGuard[T any, K comparable](key func(T) K) *Guard[T] {
	var prev, cur map[K]struct{}
	return &Guard[T]{overlap: func(items []T) []T {
		if cur == nil {
			cur = make(map[K]struct{}, len(items))
		}
		clear(cur)
		// Filtered in place: the page is the listing's own.
		n := 0
		for _, it := range items {
			k := key(it)
			_, before := prev[k]
			_, twice := cur[k]
			cur[k] = struct{}{}
			if before || twice {
				continue
			}
			items[n] = it
			n++
		}
		clear(items[n:]) // what was dropped is not held
		prev, cur = cur, prev
		return items[:n]
	}}
}

// Check returns the items of the page at start (asked for with rows) that
// the listing should yield, or an ErrPagingMismatch error. A page longer
// than rows, or one of several items identical to a page seen before, is a
// mismatch. A page of one item that repeats the previous page is what one
// item inserted in front does, so it is dropped (nothing yielded twice)
// once; a third such page in a row is a mismatch. A KeyedGuard then drops
// what the previous page held, and a page left with nothing is a mismatch.
func (g *Guard[T]) Check(op string, start, rows int, items []T) ([]T, error) {
	if rows > 0 && len(items) > rows {
		return nil, Mismatch(op, "asked for %d items at start %d, the page holds %d", rows, start, len(items))
	}
	if len(items) == 0 {
		return items, nil
	}
	if g.seen == nil {
		// The first page: nothing to compare it with yet.
		g.seen = map[pageKey]int{}
		g.seed = maphash.MakeSeed()
		g.firstItem, g.lastItem, g.firstN, g.firstStart = items[0], items[len(items)-1], len(items), start
		return g.keyed(op, start, items)
	}
	if g.firstN > 0 {
		g.note(g.key(g.firstItem, g.lastItem, g.firstN), g.firstStart)
		var zero T
		g.firstItem, g.lastItem, g.firstN = zero, zero, 0
	}
	k := g.key(items[0], items[len(items)-1], len(items))
	if len(items) == 1 {
		if g.run > 0 && k == g.last {
			g.run++
			if g.run > 2 {
				return nil, Mismatch(op, "the page at start %d repeats the previous page's only item for the %d. time", start, g.run-1)
			}
			return nil, nil
		}
		g.last, g.run = k, 1
		return g.keyed(op, start, items)
	}
	g.run = 0
	if other, ok := g.seen[k]; ok && other != start {
		return nil, Mismatch(op, "the page at start %d holds the same %d items as the page at start %d", start, len(items), other)
	}
	if _, ok := g.seen[k]; !ok {
		g.remember(k, start)
	}
	return g.keyed(op, start, items)
}

// key is the fingerprint of a page of n items from first to last.
func (g *Guard[T]) key(first, last T, n int) pageKey {
	h := g.hash(first)
	if n == 1 {
		return pageKey{first: h, last: h, n: 1}
	}
	return pageKey{first: h, last: g.hash(last), n: n}
}

// note records the first page, which Check let through without its key:
// what Check records of a page that passed.
func (g *Guard[T]) note(k pageKey, start int) {
	if k.n == 1 {
		g.last, g.run = k, 1
		return
	}
	g.run = 0
	g.remember(k, start)
}

// remember adds the page k at start, forgetting the oldest page but the
// first once more than maxRemembered others are held.
func (g *Guard[T]) remember(k pageKey, start int) {
	g.seen[k] = start
	if len(g.seen) == 1 {
		return // the first page is never forgotten
	}
	g.order = append(g.order, k)
	if len(g.order) > maxRemembered {
		delete(g.seen, g.order[0])
		g.order = g.order[1:]
	}
}

// keyed applies a KeyedGuard's check by key.
func (g *Guard[T]) keyed(op string, start int, items []T) ([]T, error) {
	if g.overlap == nil {
		return items, nil
	}
	fresh := g.overlap(items)
	if len(fresh) == 0 {
		return nil, Mismatch(op, "the page at start %d holds %d items, all of them on the previous page", start, len(items))
	}
	return fresh, nil
}

// hash fingerprints one item by its JSON form (every result type of the
// SDK has JSON tags), or by its Go syntax when it has none.
func (g *Guard[T]) hash(v T) uint64 {
	var h maphash.Hash
	h.SetSeed(g.seed)
	if b, err := json.Marshal(v); err == nil {
		_, _ = h.Write(b)
	} else {
		_, _ = fmt.Fprintf(&h, "%#v", v)
	}
	return h.Sum64()
}
