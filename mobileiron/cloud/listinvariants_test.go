package cloud_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// TestListInvariants registers Cloud's lists with the list invariants
// (internal/proof, ListInvariants): bad answers are errors, and a server
// that answers every page with the first stops the listing.
func TestListInvariants(t *testing.T) {
	answer := func(name string, call func(ctx context.Context, c *cloud.Client) error) proof.ListPath {
		return proof.ListPath{Name: name, Method: "GET", Path: "/api/v1/account", ErrorShapes: listErrorShapes,
			SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				srv, err := cloudtest.NewServer(cloudtest.WithGeneratedAccounts(3))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(srv.Close)
				c, err := srv.NewClient(cloud.WithRetry(cloud.RetryPolicy(proof.Retry)))
				if err != nil {
					t.Fatal(err)
				}
				return func(f fakeserver.Fault) { srv.Inject(cloudtest.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error { return call(ctx, c) }
			}}
	}
	proof.ListInvariants(t, proof.Lists{
		Answers: []proof.ListPath{
			answer("ListAccounts", func(ctx context.Context, c *cloud.Client) error {
				return proof.SeqErr(c.ListAccounts(ctx, cloud.ListOptions{PageSize: 10}))
			}),
			answer("ListAccountsPage", func(ctx context.Context, c *cloud.Client) error {
				return proof.Ignore(c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 10}))
			}),
		},
		Paged: []proof.PagedList{
			listPaged("ListAccounts", cloud.ListOptions{PageSize: 10}, 2),
			listPaged("ListAccounts prefetch", cloud.ListOptions{PageSize: 10, Prefetch: true}, 3),
			listPaged("ListAccounts parallel 4", cloud.ListOptions{PageSize: 10, Parallel: 4}, 6),
			listPaged("ListAccounts page size 1", cloud.ListOptions{PageSize: 1}, 3),
			{Name: "GetAccountByUID (pages of 100)", MaxRequests: 2, Run: func(t *testing.T) ([]string, int, error) {
				srv, c := listRepeating(t, 100)
				_, err := c.GetAccountByUID(context.Background(), "user1@example.test")
				return nil, srv.HitsMatching("GET", "/api/v1/account"), err
			}},
		},
	})
}

// listErrorShapes are Cloud's error bodies, from the shape decodeError
// reads (errors.go).
var listErrorShapes = []string{`{"errors":{"globalErrors":[{"code":"PROOF-1","message":"the tenant refused the call"}],"fieldErrors":null},"result":null}`}

// listFirstPage is a page of n accounts out of 1000, without an offset
// member (so only the repeat tells).
func listFirstPage(n int) string {
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

// listRepeating is the Cloud fake answering every account listing with
// the same first page of n accounts.
func listRepeating(t *testing.T, n int) (*cloudtest.Server, *cloud.Client) {
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
		Body: listFirstPage(n), Times: 1000})
	return srv, c
}

func listPaged(name string, opts cloud.ListOptions, maxRequests int) proof.PagedList {
	return proof.PagedList{Name: name, MaxRequests: maxRequests, Run: func(t *testing.T) ([]string, int, error) {
		srv, c := listRepeating(t, opts.PageSize)
		keys, err := proof.Drain(c.ListAccounts(context.Background(), opts), func(a cloud.Account) string { return fmt.Sprint(a.ID) })
		return keys, srv.HitsMatching("GET", "/api/v1/account"), err
	}}
}
