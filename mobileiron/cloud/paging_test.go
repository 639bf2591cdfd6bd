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
