package pager

import "testing"

// A Guard remembers a bounded number of pages, whatever the length of the
// listing: the first page and the last maxRemembered. Failed before the
// bound: one entry per page, 100,000 after 100,000 pages.
func TestGuardRemembersABoundedNumberOfPages(t *testing.T) {
	var g Guard[int]
	const pages = 100_000
	for p := range pages {
		if _, err := g.Check("x.List", 2*p, 2, []int{2 * p, 2*p + 1}); err != nil {
			t.Fatalf("page %d: %v", p, err)
		}
	}
	if n := len(g.seen); n > maxRemembered+1 {
		t.Errorf("%d pages remembered after %d, want at most %d", n, pages, maxRemembered+1)
	}
	// A server that starts over answers the first page again, however
	// long ago it came: still a mismatch.
	if _, err := g.Check("x.List", 2*pages, 2, []int{0, 1}); err == nil {
		t.Error("the first page again after 100,000 pages passed")
	}
}

// marshalCounted counts how often the Guard fingerprints it.
type marshalCounted struct {
	id    int
	calls *int
}

func (m marshalCounted) MarshalJSON() ([]byte, error) {
	*m.calls++
	return []byte{'0' + byte(m.id%10)}, nil
}

// The first page's fingerprint is taken only when a second page comes, so
// a one-page listing (a lookup) fingerprints nothing, and a page of one
// item is fingerprinted once. Failed before: 2 for the one-page listing,
// 2 for each page of one.
func TestGuardFingerprintsOnlyWhatItCompares(t *testing.T) {
	calls := 0
	page := func(ids ...int) []marshalCounted {
		out := make([]marshalCounted, len(ids))
		for i, id := range ids {
			out[i] = marshalCounted{id: id, calls: &calls}
		}
		return out
	}
	var g Guard[marshalCounted]
	if _, err := g.Check("x.List", 0, 3, page(1, 2, 3)); err != nil {
		t.Fatal(err)
	}
	if calls != 0 {
		t.Errorf("one page: %d fingerprints, want 0", calls)
	}
	if _, err := g.Check("x.List", 3, 3, page(4, 5, 6)); err != nil {
		t.Fatal(err)
	}
	if calls != 4 {
		t.Errorf("two pages: %d fingerprints, want 4 (first and last of each)", calls)
	}
	// The first page again is still caught, though its key was taken late.
	if _, err := g.Check("x.List", 6, 3, page(1, 2, 3)); err == nil {
		t.Error("the first page again passed")
	}

	calls = 0
	var one Guard[marshalCounted]
	for i, id := range []int{7, 8} {
		if _, err := one.Check("x.List", i, 1, page(id)); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Errorf("two pages of one item: %d fingerprints, want 2", calls)
	}
}
