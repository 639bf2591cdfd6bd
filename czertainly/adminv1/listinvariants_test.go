package adminv1_test

import (
	"context"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
)

// TestListInvariants registers the 1.x Administrator API's list with the
// list invariants (internal/proof, ListInvariants): bad answers are
// errors, and the list, answered in one call, costs one request.
func TestListInvariants(t *testing.T) {
	proof.ListInvariants(t, proof.Lists{
		Answers: []proof.ListPath{
			{Name: "ListAdmins", Method: "GET", Path: "/v1/admins", ErrorShapes: listErrorShapes,
				SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
					srv, err := adminv1test.NewServer()
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(srv.Close)
					c, err := srv.NewClient(adminv1.WithRetry(adminv1.RetryPolicy(proof.Retry)))
					if err != nil {
						t.Fatal(err)
					}
					return func(f fakeserver.Fault) { srv.Inject(adminv1test.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error {
						return proof.Ignore(c.ListAdmins(ctx))
					}
				}},
		},
		Unpaged: []proof.UnpagedList{
			{Name: "ListAdmins", Run: func(t *testing.T) (int, error) {
				srv := adminv1test.NewTestServer(t)
				c, err := srv.NewClient()
				if err != nil {
					t.Fatal(err)
				}
				before := srv.TotalHits()
				_, err = c.ListAdmins(context.Background())
				return srv.TotalHits() - before, err
			}},
		},
	})
}

// listErrorShapes are the 1.x server's error bodies, from the shapes
// decodeError reads (errors.go).
var listErrorShapes = []string{
	`{"message":"Internal error"}`,
	`["the request is not valid"]`,
	`{"timestamp":"2026-01-01T00:00:00.000+00:00","status":500,"error":"Internal Server Error","path":"/api/v1/admins"}`,
}
