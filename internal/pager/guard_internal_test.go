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
