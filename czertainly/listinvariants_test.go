package czertainly_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/inventory"
)

// TestListInvariants registers CZERTAINLY 2.x's lists with the list
// invariants (internal/proof, ListInvariants): bad answers are errors, a
// server that answers every page with the first stops the listing, and
// the lists answered in one call cost one request.
func TestListInvariants(t *testing.T) {
	answer := func(name, method, path string, call func(ctx context.Context, c *czertainly.Client) error) proof.ListPath {
		return proof.ListPath{Name: name, Method: method, Path: path, ErrorShapes: listErrorShapes,
			SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				srv, err := czertainlytest.NewServer()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(srv.Close)
				c, err := srv.NewClient(czertainly.WithRetry(czertainly.RetryPolicy(proof.Retry)))
				if err != nil {
					t.Fatal(err)
				}
				return func(f fakeserver.Fault) { srv.Inject(czertainlytest.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error { return call(ctx, c) }
			}}
	}
	approval := func(i int) string {
		return fmt.Sprintf(`{"approvalUuid":"00000000-0000-4000-8000-%012d","status":"PENDING"}`, i)
	}
	approvalKey := func(a czertainly.Approval) string { return a.UUID }
	proof.ListInvariants(t, proof.Lists{
		Answers: []proof.ListPath{
			answer("ListCertificates", "POST", "/v1/certificates", func(ctx context.Context, c *czertainly.Client) error {
				return proof.SeqErr(c.ListCertificates(ctx, czertainly.CertificateQuery{}))
			}),
			answer("ListCertificatesPage", "POST", "/v1/certificates", func(ctx context.Context, c *czertainly.Client) error {
				return proof.Ignore(c.ListCertificatesPage(ctx, czertainly.CertificateQuery{}, 1))
			}),
			answer("CertificateInventory", "POST", "/v1/certificates", func(ctx context.Context, c *czertainly.Client) error {
				return proof.SeqErr(c.CertificateInventory(ctx))
			}),
			answer("ListApprovals", "GET", "/v1/approvals", func(ctx context.Context, c *czertainly.Client) error {
				return proof.SeqErr(c.ListApprovals(ctx, czertainly.ApprovalQuery{}))
			}),
			answer("ListApprovalProfiles", "GET", "/v1/approvalProfiles", func(ctx context.Context, c *czertainly.Client) error {
				return proof.SeqErr(c.ListApprovalProfiles(ctx))
			}),
			answer("ListUsers", "GET", "/v1/users", func(ctx context.Context, c *czertainly.Client) error { return proof.Ignore(c.ListUsers(ctx)) }),
			answer("ListRoles", "GET", "/v1/roles", func(ctx context.Context, c *czertainly.Client) error { return proof.Ignore(c.ListRoles(ctx)) }),
			answer("ListRAProfiles", "GET", "/v1/raProfiles", func(ctx context.Context, c *czertainly.Client) error {
				return proof.Ignore(c.ListRAProfiles(ctx, nil))
			}),
		},
		Paged: []proof.PagedList{
			{Name: "ListCertificates", MaxRequests: 2, Run: func(t *testing.T) ([]string, int, error) {
				srv, c := listRepeating(t, "POST", "/v1/certificates", listPage("certificates", 10, func(i int) string {
					return fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-%012d","commonName":"c%d"}`, i, i)
				}))
				keys, err := proof.Drain(c.ListCertificates(context.Background(), czertainly.CertificateQuery{PageSize: 10}), func(c czertainly.Certificate) string { return c.UUID })
				return keys, srv.HitsMatching("POST", "/v1/certificates"), err
			}},
			{Name: "CertificateInventory", MaxRequests: 2, Run: func(t *testing.T) ([]string, int, error) {
				srv, c := listRepeating(t, "POST", "/v1/certificates", listPage("certificates", czertainly.MaxPageSize, func(i int) string {
					return fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-%012d","commonName":"c%d"}`, i, i)
				}))
				keys, err := proof.Drain(c.CertificateInventory(context.Background()), func(c inventory.Certificate) string { return c.ID })
				return keys, srv.HitsMatching("POST", "/v1/certificates"), err
			}},
			{Name: "ListApprovals", MaxRequests: 2, Run: func(t *testing.T) ([]string, int, error) {
				srv, c := listRepeating(t, "GET", "/v1/approvals", listPage("approvals", 10, approval))
				keys, err := proof.Drain(c.ListApprovals(context.Background(), czertainly.ApprovalQuery{PageSize: 10}), approvalKey)
				return keys, srv.HitsMatching("GET", "/v1/approvals"), err
			}},
			{Name: "ListUserApprovals", MaxRequests: 2, Run: func(t *testing.T) ([]string, int, error) {
				srv, c := listRepeating(t, "GET", "/v1/approvals/user", listPage("approvals", 10, approval))
				keys, err := proof.Drain(c.ListUserApprovals(context.Background(), czertainly.ApprovalQuery{PageSize: 10}), approvalKey)
				return keys, srv.HitsMatching("GET", "/v1/approvals/user"), err
			}},
			{Name: "ListApprovalProfiles", MaxRequests: 2, Run: func(t *testing.T) ([]string, int, error) {
				srv, c := listRepeating(t, "GET", "/v1/approvalProfiles", listPage("approvalProfiles", czertainly.DefaultPageSize, func(i int) string {
					return fmt.Sprintf(`{"uuid":"00000000-0000-4000-8000-%012d","name":"p%d","version":1}`, i, i)
				}))
				keys, err := proof.Drain(c.ListApprovalProfiles(context.Background()), func(p czertainly.ApprovalProfile) string { return p.UUID })
				return keys, srv.HitsMatching("GET", "/v1/approvalProfiles"), err
			}},
		},
		Unpaged: []proof.UnpagedList{
			{Name: "ListUsers", Run: func(t *testing.T) (int, error) {
				srv := czertainlytest.NewTestServer(t)
				c, err := srv.NewClient()
				if err != nil {
					t.Fatal(err)
				}
				before := srv.HitsMatching("GET", "/v1/users")
				_, err = c.ListUsers(context.Background())
				return srv.HitsMatching("GET", "/v1/users") - before, err
			}},
		},
	})
}

// listErrorShapes are CZERTAINLY's error bodies, from the shapes
// decodeError reads (errors.go).
var listErrorShapes = []string{
	`{"message":"Internal error"}`,
	`["the request is not valid"]`,
	`{"statusCode":403,"code":"ACCESS_DENIED","message":"access denied"}`,
	`{"type":"about:blank","title":"Bad Request","status":400,"detail":"name already exists","code":"ENTITY_NOT_UNIQUE"}`,
	`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,"error":"Internal Server Error","path":"/api/v1/certificates"}`,
}

// listRepeating is the CZERTAINLY 2.x fake answering every request to
// suffix with body.
func listRepeating(t *testing.T, method, suffix, body string) (*czertainlytest.Server, *czertainly.Client) {
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

// listPage is Core's page envelope around n items made by item, claiming
// 50 pages.
func listPage(member string, n int, item func(i int) string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = item(i + 1)
	}
	return fmt.Sprintf(`{%q:[%s],"itemsPerPage":%d,"pageNumber":1,"totalPages":50,"totalItems":%d}`, member, strings.Join(items, ","), n, 50*n)
}
