package crossvendor_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// Invariant 4, paging: every paged list of every vendor, run against a
// stand-in that ignores the offset (or the page number) and answers every
// page with the first, stops with an error matching ErrPagingMismatch
// (pager.ErrPagingMismatch, re-exported under that name by the vendor
// packages), yields no item twice and sends a bounded number of requests.
// The stand-in is the vendor's fake with the first page injected for every
// request, so the answers keep the vendor's shapes and the requests are
// counted by the server.

// pagedList is one paged listing under proof.
type pagedList struct {
	vendor, name string
	// run lists once against a fresh stand-in and returns the keys of the
	// items yielded, the requests the stand-in served for it and the error
	// that ended the listing.
	run func(t *testing.T) (keys []string, requests int, err error)
	// maxRequests bounds the requests: the two pages that show the repeat
	// plus any fetched ahead.
	maxRequests int
}

// drain collects an iterator's keys until its first error.
func drain[T any](seq iter.Seq2[T, error], key func(T) string) ([]string, error) {
	var keys []string
	for v, err := range seq {
		if err != nil {
			return keys, err
		}
		keys = append(keys, key(v))
		if len(keys) > 100_000 { // a listing that never ends: fail, do not hang
			return keys, errors.New("the listing did not end")
		}
	}
	return keys, nil
}

// cloudFirstPage is a page of n accounts out of 1000, without an offset
// member (so only the repeat tells).
func cloudFirstPage(n int) string {
	var b strings.Builder
	b.WriteString(`{"errors":null,"result":{"totalCount":1000,"searchResults":[`)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"uid":"user%d@example.test"}`, i, i)
	}
	b.WriteString("]}}")
	return b.String()
}

func cloudPaged(name string, opts cloud.ListOptions, maxRequests int) pagedList {
	return pagedList{vendor: "cloud", name: name, maxRequests: maxRequests, run: func(t *testing.T) ([]string, int, error) {
		srv, err := cloudtest.NewServer()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
			Body: cloudFirstPage(opts.PageSize), Times: 1000})
		keys, err := drain(c.ListAccounts(context.Background(), opts), func(a cloud.Account) string { return fmt.Sprint(a.ID) })
		return keys, srv.HitsMatching("GET", "/api/v1/account"), err
	}}
}

// czertainlyStandIn is the CZERTAINLY 2.x fake answering every request
// to suffix with body.
func czertainlyStandIn(t *testing.T, method, suffix, body string) (*czertainlytest.Server, *czertainly.Client) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(czertainlytest.Fault{Method: method, PathSuffix: suffix, Status: 200, ContentType: "application/json", Body: body, Times: 1000})
	return srv, c
}

// czertainlyPage is Core's page envelope around n items made by item,
// claiming 50 pages.
func czertainlyPage(member string, n int, item func(i int) string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = item(i + 1)
	}
	return fmt.Sprintf(`{%q:[%s],"itemsPerPage":%d,"pageNumber":1,"totalPages":50,"totalItems":%d}`, member, strings.Join(items, ","), n, 50*n)
}

var pagedLists = []pagedList{
	cloudPaged("ListAccounts", cloud.ListOptions{PageSize: 10}, 2),
	cloudPaged("ListAccounts prefetch", cloud.ListOptions{PageSize: 10, Prefetch: true}, 3),
	cloudPaged("ListAccounts parallel 4", cloud.ListOptions{PageSize: 10, Parallel: 4}, 6),
	cloudPaged("ListAccounts page size 1", cloud.ListOptions{PageSize: 1}, 3),
	{vendor: "cloud", name: "GetAccountByUID (pages of 100)", maxRequests: 2, run: func(t *testing.T) ([]string, int, error) {
		srv, err := cloudtest.NewServer()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Close)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
			Body: cloudFirstPage(100), Times: 1000})
		_, err = c.GetAccountByUID(context.Background(), "user1@example.test")
		return nil, srv.HitsMatching("GET", "/api/v1/account"), err
	}},
	{vendor: "czertainly", name: "ListCertificates", maxRequests: 2, run: func(t *testing.T) ([]string, int, error) {
		srv, c := czertainlyStandIn(t, "POST", "/v1/certificates", czertainlyPage("certificates", 10, func(i int) string {
			return fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-%012d","commonName":"c%d"}`, i, i)
		}))
		keys, err := drain(c.ListCertificates(context.Background(), czertainly.CertificateQuery{PageSize: 10}), func(c czertainly.Certificate) string { return c.UUID })
		return keys, srv.HitsMatching("POST", "/v1/certificates"), err
	}},
	{vendor: "czertainly", name: "CertificateInventory", maxRequests: 2, run: func(t *testing.T) ([]string, int, error) {
		srv, c := czertainlyStandIn(t, "POST", "/v1/certificates", czertainlyPage("certificates", czertainly.MaxPageSize, func(i int) string {
			return fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-%012d","commonName":"c%d"}`, i, i)
		}))
		keys, err := drain(c.CertificateInventory(context.Background()), func(c inventory.Certificate) string { return c.ID })
		return keys, srv.HitsMatching("POST", "/v1/certificates"), err
	}},
	{vendor: "czertainly", name: "ListApprovals", maxRequests: 2, run: func(t *testing.T) ([]string, int, error) {
		srv, c := czertainlyStandIn(t, "GET", "/v1/approvals", czertainlyPage("approvals", 10, func(i int) string {
			return fmt.Sprintf(`{"approvalUuid":"00000000-0000-4000-8000-%012d","status":"PENDING"}`, i)
		}))
		keys, err := drain(c.ListApprovals(context.Background(), czertainly.ApprovalQuery{PageSize: 10}), func(a czertainly.Approval) string { return a.UUID })
		return keys, srv.HitsMatching("GET", "/v1/approvals"), err
	}},
	{vendor: "czertainly", name: "ListUserApprovals", maxRequests: 2, run: func(t *testing.T) ([]string, int, error) {
		srv, c := czertainlyStandIn(t, "GET", "/v1/approvals/user", czertainlyPage("approvals", 10, func(i int) string {
			return fmt.Sprintf(`{"approvalUuid":"00000000-0000-4000-8000-%012d","status":"PENDING"}`, i)
		}))
		keys, err := drain(c.ListUserApprovals(context.Background(), czertainly.ApprovalQuery{PageSize: 10}), func(a czertainly.Approval) string { return a.UUID })
		return keys, srv.HitsMatching("GET", "/v1/approvals/user"), err
	}},
	{vendor: "czertainly", name: "ListApprovalProfiles", maxRequests: 2, run: func(t *testing.T) ([]string, int, error) {
		srv, c := czertainlyStandIn(t, "GET", "/v1/approvalProfiles", czertainlyPage("approvalProfiles", czertainly.DefaultPageSize, func(i int) string {
			return fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-%012d","name":"p%d","version":1}`, i, i)
		}))
		keys, err := drain(c.ListApprovalProfiles(context.Background()), func(p czertainly.ApprovalProfile) string { return p.UUID })
		return keys, srv.HitsMatching("GET", "/v1/approvalProfiles"), err
	}},
}

func TestInvariantPagingStopsOnARepeatedPage(t *testing.T) {
	for _, pl := range pagedLists {
		t.Run(pl.vendor+" "+pl.name, func(t *testing.T) {
			keys, requests, err := pl.run(t)
			if !errors.Is(err, pager.ErrPagingMismatch) {
				t.Errorf("ended with %v, want ErrPagingMismatch", err)
			}
			seen := map[string]bool{}
			for _, k := range keys {
				if seen[k] {
					t.Errorf("item %s yielded twice", k)
					break
				}
				seen[k] = true
			}
			if requests > pl.maxRequests {
				t.Errorf("%d requests, want at most %d", requests, pl.maxRequests)
			}
			t.Logf("%d items, %d requests, %v", len(keys), requests, err)
		})
	}
}

// unpagedList is a list the vendor's API answers in one call: nothing to
// page, so nothing to repeat; the proof is that it costs exactly one
// request.
type unpagedList struct {
	vendor, name string
	run          func(t *testing.T) (requests int, err error)
}

var unpagedLists = []unpagedList{
	{"core", "SearchCertificates", func(t *testing.T) (int, error) {
		srv, c := coreStandIn(t)
		_, err := c.SearchCertificates(context.Background(), core.CertificateFilter{CESettingName: coretest.CESettingName})
		return srv.TotalHits(), err
	}},
	{"core", "SearchUsersWithoutCertificates", func(t *testing.T) (int, error) {
		srv, c := coreStandIn(t)
		_, err := c.SearchUsersWithoutCertificates(context.Background(), 8)
		return srv.TotalHits(), err
	}},
	{"core", "ListUserProvidedCertificates", func(t *testing.T) (int, error) {
		srv, c := coreStandIn(t)
		_, err := c.ListUserProvidedCertificates(context.Background(), "9002")
		return srv.TotalHits(), err
	}},
	{"adminv1", "ListAdmins", func(t *testing.T) (int, error) {
		srv := adminv1test.NewTestServer(t)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		before := srv.TotalHits()
		_, err = c.ListAdmins(context.Background())
		return srv.TotalHits() - before, err
	}},
	{"enterpriseadmin", "ListIdentityCertificates", func(t *testing.T) (int, error) {
		srv, c := enterpriseStandIn(t)
		before := srv.HitsMatching("GET", "/certificates/identity")
		_, err := c.ListIdentityCertificates(context.Background())
		return srv.HitsMatching("GET", "/certificates/identity") - before, err
	}},
	{"enterpriseadmin", "ListTrustCertificates", func(t *testing.T) (int, error) {
		srv, c := enterpriseStandIn(t)
		before := srv.HitsMatching("GET", "/certificates/trust")
		_, err := c.ListTrustCertificates(context.Background())
		return srv.HitsMatching("GET", "/certificates/trust") - before, err
	}},
	{"mimcm", "ListRequests", func(t *testing.T) (int, error) {
		srv, c := mimcmStandIn(t)
		before := srv.HitsMatching("GET", "/requests")
		_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
		return srv.HitsMatching("GET", "/requests") - before, err
	}},
	{"mimcm", "ListProfiles", func(t *testing.T) (int, error) {
		srv, c := mimcmStandIn(t)
		before := srv.HitsMatching("GET", "/profiles")
		_, err := c.ListProfiles(context.Background(), mimcm.ProfileFilter{})
		return srv.HitsMatching("GET", "/profiles") - before, err
	}},
	{"mimcm", "ListSmartcards", func(t *testing.T) (int, error) {
		srv, c := mimcmStandIn(t)
		before := srv.HitsMatching("GET", "/smartcards")
		_, err := c.ListSmartcards(context.Background(), mimcm.SmartcardFilter{})
		return srv.HitsMatching("GET", "/smartcards") - before, err
	}},
	{"mimcm", "ListUserCertificates", func(t *testing.T) (int, error) {
		srv, c := mimcmStandIn(t)
		before := srv.HitsMatching("GET", "/certificates")
		_, err := c.ListUserCertificates(context.Background())
		return srv.HitsMatching("GET", "/certificates") - before, err
	}},
	{"czertainly", "ListUsers", func(t *testing.T) (int, error) {
		srv := czertainlytest.NewTestServer(t)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		before := srv.HitsMatching("GET", "/v1/users")
		_, err = c.ListUsers(context.Background())
		return srv.HitsMatching("GET", "/v1/users") - before, err
	}},
}

func TestInvariantUnpagedListsSendOneRequest(t *testing.T) {
	for _, ul := range unpagedLists {
		t.Run(ul.vendor+" "+ul.name, func(t *testing.T) {
			n, err := ul.run(t)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// MIM CM's inventory walks the profiles and cards the server lists, one
// call each. A server that lists one card twice (the walk's repeated page)
// must not make the walk yield that card's certificates twice.
func TestInvariantInventoryYieldsNoDuplicates(t *testing.T) {
	srv, c := mimcmStandIn(t)
	profiles, err := c.ListProfiles(context.Background(), mimcm.ProfileFilter{})
	if err != nil {
		t.Fatal(err)
	}
	cards, err := c.ListSmartcards(context.Background(), mimcm.SmartcardFilter{})
	if err != nil || len(cards) == 0 {
		t.Fatalf("cards %v: %v", cards, err)
	}
	twice, err := json.Marshal(append(cards, cards...))
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(mimcmtest.Fault{Method: "GET", PathSuffix: "/smartcards", Status: 200, ContentType: "application/json", Body: string(twice), Times: 1})
	before := srv.TotalHits()
	keys, err := drain(c.Inventory(context.Background()), func(it mimcm.InventoryItem) string {
		owner := ""
		if it.Profile != nil {
			owner = "profile " + it.Profile.UUID.String()
		}
		if it.Smartcard != nil {
			owner = "card " + it.Smartcard.UUID.String()
		}
		return owner + " " + it.Certificate.Thumbprint
	})
	srv.ClearFaults()
	requests := srv.TotalHits() - before
	t.Logf("%d items, %d requests, %v", len(keys), requests, err)
	seen := map[string]bool{}
	dup := 0
	for _, k := range keys {
		if seen[k] {
			dup++
		}
		seen[k] = true
	}
	if dup > 0 && !errors.Is(err, pager.ErrPagingMismatch) {
		t.Errorf("%d items yielded twice (error %v); want none, or a stop with ErrPagingMismatch", dup, err)
	}
	// One call for the user's certificates, one for the profiles, one per
	// profile, one for the cards and one per distinct card.
	if bound := 3 + len(profiles) + len(cards); requests > bound {
		t.Errorf("%d requests, want at most %d", requests, bound)
	}
}

func coreStandIn(t *testing.T) (*coretest.Server, *core.Client) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func enterpriseStandIn(t *testing.T) (*enterpriseadmintest.Server, *enterpriseadmin.Client) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func mimcmStandIn(t *testing.T) (*mimcmtest.Server, *mimcm.Client) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}
