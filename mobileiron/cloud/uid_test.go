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

// searchAnswer is a UID search answer holding accounts with the given
// UIDs (IDs from firstID on) and the given total.
func searchAnswer(total, offset int, firstID int64, uids ...string) string {
	var parts []string
	for i, u := range uids {
		parts = append(parts, fmt.Sprintf(`{"id":%d,"uid":%q,"emailAddress":%q}`, firstID+int64(i), u, u))
	}
	return fmt.Sprintf(`{"errors":null,"result":{"totalCount":%d,"searchResults":[%s],"offset":%d}}`, total, strings.Join(parts, ","), offset)
}

func injectSearch(srv *cloudtest.Server, body string) {
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json", Body: body})
}

// The search's hits are checked: a server that answers a UID search with
// another account (a fuzzy match, a filter it ignores) must not make
// GetAccountByUID return that account.
func TestGetAccountByUIDChecksTheHit(t *testing.T) {
	srv, c, _ := newFake(t)
	ctx := context.Background()

	injectSearch(srv, searchAnswer(1, 0, 10022, "john.doe@example.test"))
	a, err := c.GetAccountByUID(ctx, "nomatch@example.test")
	if !errors.Is(err, cloud.ErrNotFound) || a != nil {
		t.Errorf("the only hit has another UID: got %+v, %v; want ErrNotFound", a, err)
	}

	// UIDs are e-mail addresses: case does not matter...
	a, err = c.GetAccountByUID(ctx, "John.Doe@EXAMPLE.test")
	if err != nil || a.ID != 10022 {
		t.Errorf("another case: %+v, %v", a, err)
	}
	// ...but an exact spelling wins over one that differs in case,
	injectSearch(srv, searchAnswer(2, 0, 1, "Case@example.test", "case@example.test"))
	if a, err = c.GetAccountByUID(ctx, "case@example.test"); err != nil || a.ID != 2 {
		t.Errorf("exact spelling: %+v, %v", a, err)
	}
	// and two that differ only in case, neither exact, are ambiguous.
	injectSearch(srv, searchAnswer(2, 0, 1, "Case@example.test", "case@example.test"))
	if _, err = c.GetAccountByUID(ctx, "CASE@example.test"); !errors.Is(err, cloud.ErrUnexpectedResponse) || !strings.Contains(err.Error(), "2 accounts have UID") {
		t.Errorf("ambiguous: %v", err)
	}

	// A masked UID cannot be confirmed.
	injectSearch(srv, searchAnswer(1, 0, 10022, "*****"))
	_, err = c.GetAccountByUID(ctx, "john.doe@example.test")
	var mf *cloud.MaskedFieldError
	if !errors.Is(err, cloud.ErrMaskedField) || !errors.As(err, &mf) || len(mf.Fields) != 1 || mf.Fields[0] != "uid" {
		t.Errorf("masked UID: %v", err)
	}

	// The hit is on the second page of a loose search.
	others := make([]string, 100)
	for j := range others {
		others[j] = fmt.Sprintf("near%03d@example.test", j)
	}
	injectSearch(srv, searchAnswer(101, 0, 1, others...))
	injectSearch(srv, searchAnswer(101, 100, 500, "far@example.test"))
	if a, err = c.GetAccountByUID(ctx, "far@example.test"); err != nil || a.ID != 500 {
		t.Errorf("second page: %+v, %v", a, err)
	}

	// A server that ignores the filter: the hits are read page by page and
	// the search gives up after 1000 of them.
	for i := range 10 {
		uids := make([]string, 100)
		for j := range uids {
			uids[j] = fmt.Sprintf("other%04d@example.test", i*100+j)
		}
		injectSearch(srv, searchAnswer(5000, i*100, int64(1+i*100), uids...))
	}
	before := srv.TotalHits()
	_, err = c.GetAccountByUID(ctx, "nobody@example.test")
	if !errors.Is(err, cloud.ErrUnexpectedResponse) || !strings.Contains(err.Error(), "does not filter by UID") || srv.TotalHits()-before != 10 {
		t.Errorf("filter ignored: %d requests, %v", srv.TotalHits()-before, err)
	}
}
