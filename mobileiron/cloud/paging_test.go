package cloud_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// page100 is a listing answer of 100 accounts (IDs 1 to 100) out of 1000,
// with the given offset member ("" for none).
func page100(offset string) string {
	var b strings.Builder
	b.WriteString(`{"errors":null,"result":{"totalCount":1000,"searchResults":[`)
	for i := 1; i <= 100; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"uid":"u%d@example.test"}`, i, i)
	}
	b.WriteString("]")
	if offset != "" {
		b.WriteString(`,"offset":` + offset)
	}
	b.WriteString("}}")
	return b.String()
}

// A server that ignores start answers every page with the first one. The
// iterator must notice (the page's offset is not the start asked for, or
// the page repeats one already seen) and stop with ErrPagingMismatch
// instead of yielding 1000 accounts of which 100 are distinct.
func TestListAccountsStopsWhenTheServerIgnoresStart(t *testing.T) {
	for _, offset := range []string{"0", ""} {
		for _, mode := range []cloud.ListOptions{{PageSize: 100}, {PageSize: 100, Prefetch: true}, {PageSize: 100, Parallel: 4}} {
			name := fmt.Sprintf("offset %q, prefetch %v, parallel %d", offset, mode.Prefetch, mode.Parallel)
			srv, c, _ := newFake(t)
			srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
				Body: page100(offset), Times: 10})
			seen := map[int64]int{}
			var last error
			yielded := 0
			for a, err := range c.ListAccounts(context.Background(), mode) {
				if err != nil {
					last = err
					break
				}
				yielded++
				seen[a.ID]++
			}
			srv.ClearFaults()
			if !errors.Is(last, cloud.ErrPagingMismatch) {
				t.Errorf("%s: ended with %v, want ErrPagingMismatch", name, last)
			}
			if yielded != len(seen) || yielded > 100 {
				t.Errorf("%s: yielded %d accounts, %d distinct", name, yielded, len(seen))
			}
			var ae *cloud.Error
			if !errors.As(last, &ae) || !strings.HasPrefix(last.Error(), "cloud.ListAccounts: ") || ae.Message == "" {
				t.Errorf("%s: error %v", name, last)
			}
		}
	}
}

// A page whose offset is not the start asked for is a mismatch, also for
// the UID lookup; a server that pages properly passes.
func TestPagesMustSayTheStartAskedFor(t *testing.T) {
	srv, c, _ := newFake(t, cloudtest.WithGeneratedAccounts(250))
	n := 0
	for _, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 100, Parallel: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != srv.AccountCount() {
		t.Errorf("listed %d of %d", n, srv.AccountCount())
	}
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: `{"errors":null,"result":{"totalCount":1,"searchResults":[{"id":10022,"uid":"john.doe@example.test"}],"offset":40}}`})
	if _, err := c.GetAccountByUID(context.Background(), "john.doe@example.test"); !errors.Is(err, cloud.ErrPagingMismatch) {
		t.Errorf("lookup with offset 40: %v", err)
	}
}

// tinyAccounts is a listing answer of n accounts of a few bytes each: a
// server that ignores rows can put millions of them in one capped body.
func tinyAccounts(n int) string {
	var b strings.Builder
	b.WriteString(`{"errors":null,"result":{"totalCount":` + fmt.Sprint(n) + `,"offset":0,"searchResults":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d}`, i+1)
	}
	b.WriteString("]}}")
	return b.String()
}

// A page holds at most the rows asked for: one account more is a server
// that ignores rows, and the decoder stops there with ErrPagingMismatch
// instead of converting every account the body holds (a capped body of
// tiny accounts would otherwise become millions of Account values).
func TestListAccountsPageRefusesMoreAccountsThanAsked(t *testing.T) {
	srv, c, _ := newFake(t)
	for _, tc := range []struct {
		rows, served int
		ok           bool
	}{{10, 10, true}, {10, 11, false}, {1, 2, false}, {10, 5000, false}} {
		srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
			Body: tinyAccounts(tc.served)})
		page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: tc.rows})
		srv.ClearFaults()
		if tc.ok {
			if err != nil || len(page.Accounts) != tc.served {
				t.Errorf("rows %d, %d served: %v", tc.rows, tc.served, err)
			}
			continue
		}
		if !errors.Is(err, cloud.ErrPagingMismatch) || page != nil || !strings.HasPrefix(err.Error(), "cloud.ListAccountsPage: ") {
			t.Errorf("rows %d, %d served: page of %d, error %v; want ErrPagingMismatch", tc.rows, tc.served, pageLen(page), err)
		}
	}
	// The iterator refuses such a page too, before yielding any of it.
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: tinyAccounts(101)})
	n := 0
	var last error
	for _, err := range c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 100}) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 0 || !errors.Is(last, cloud.ErrPagingMismatch) {
		t.Errorf("ListAccounts yielded %d then %v", n, last)
	}
}

// A UID lookup whose filter the server ignores, and whose pages all repeat
// the first (no offset member to tell), stops at the second page with
// ErrPagingMismatch instead of reading ten pages of the same accounts.
func TestUIDLookupStopsOnARepeatedPage(t *testing.T) {
	srv, c, rec := newFake(t)
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: page100(""), Times: 20})
	before := rec.sent()
	_, err := c.GetAccountByUID(context.Background(), "u1@example.test")
	srv.ClearFaults()
	if !errors.Is(err, cloud.ErrPagingMismatch) {
		t.Errorf("lookup: %v, want ErrPagingMismatch", err)
	}
	if n := rec.sent() - before; n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func pageLen(p *cloud.AccountPage) int {
	if p == nil {
		return -1
	}
	return len(p.Accounts)
}
