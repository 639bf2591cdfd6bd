package core_test

import (
	"context"
	"testing"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// TestListInvariants registers Core's lists with the list invariants
// (internal/proof, ListInvariants): bad answers are errors, and the lists
// Core answers in one call cost one request. Core pages nothing.
func TestListInvariants(t *testing.T) {
	proof.ListInvariants(t, proof.Lists{
		Answers: []proof.ListPath{
			{Name: "SearchCertificates", Method: "POST", Path: "/certificates/search", ErrorShapes: listErrorShapes,
				SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
					srv, c := listStandIn(t, core.WithRetry(core.RetryPolicy(proof.Retry)))
					return func(f fakeserver.Fault) { srv.Inject(coretest.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error {
						return proof.Ignore(c.SearchCertificates(ctx, core.CertificateFilter{CESettingName: coretest.CESettingName}))
					}
				}},
			// CertificateInventory lists the enrollments, then searches each:
			// the bad answer lands on its search.
			{Name: "CertificateInventory", Method: "POST", Path: "/certificates/search", ErrorShapes: listErrorShapes,
				SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
					srv, c := listStandIn(t, core.WithRetry(core.RetryPolicy(proof.Retry)))
					return func(f fakeserver.Fault) { srv.Inject(coretest.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error {
						return proof.SeqErr(c.CertificateInventory(ctx))
					}
				}},
		},
		Unpaged: []proof.UnpagedList{
			{Name: "SearchCertificates", Run: func(t *testing.T) (int, error) {
				srv, c := listStandIn(t)
				_, err := c.SearchCertificates(context.Background(), core.CertificateFilter{CESettingName: coretest.CESettingName})
				return srv.TotalHits(), err
			}},
			{Name: "SearchUsersWithoutCertificates", Run: func(t *testing.T) (int, error) {
				srv, c := listStandIn(t)
				_, err := c.SearchUsersWithoutCertificates(context.Background(), 8)
				return srv.TotalHits(), err
			}},
			{Name: "ListUserProvidedCertificates", Run: func(t *testing.T) (int, error) {
				srv, c := listStandIn(t)
				_, err := c.ListUserProvidedCertificates(context.Background(), "9002")
				return srv.TotalHits(), err
			}},
		},
	})
}

// listErrorShapes are Core's error bodies, from the shapes decodeError
// reads (errors.go).
var listErrorShapes = []string{`{"messages":[{"type":"Error","messageKey":"com.mobileiron.vsp.Fake.FAILED","localizedMessage":"the operation failed","messageParameters":[]}]}`}

// listStandIn is a fresh Core fake and a client of it.
func listStandIn(t *testing.T, opts ...core.Option) (*coretest.Server, *core.Client) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}
