package enterpriseadmin_test

import (
	"context"
	"testing"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/proof"
)

// TestListInvariants registers ArcGIS Enterprise's lists with the list
// invariants (internal/proof, ListInvariants): bad answers are errors, and
// every list, answered in one call, costs one request. The Administrator
// API pages none of them.
func TestListInvariants(t *testing.T) {
	answer := func(name, path string, call func(ctx context.Context, c *enterpriseadmin.Client) error) proof.ListPath {
		return proof.ListPath{Name: name, Method: "GET", Path: path, ErrorShapes: listErrorShapes,
			SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				srv, c := listStandIn(t, enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy(proof.Retry)))
				return func(f fakeserver.Fault) { srv.Inject(enterpriseadmintest.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error { return call(ctx, c) }
			}}
	}
	unpaged := func(name, path string, call func(ctx context.Context, c *enterpriseadmin.Client) error) proof.UnpagedList {
		return proof.UnpagedList{Name: name, Run: func(t *testing.T) (int, error) {
			srv, c := listStandIn(t)
			before := srv.HitsMatching("GET", path)
			err := call(context.Background(), c)
			return srv.HitsMatching("GET", path) - before, err
		}}
	}
	identity := func(ctx context.Context, c *enterpriseadmin.Client) error {
		return proof.Ignore(c.ListIdentityCertificates(ctx))
	}
	trust := func(ctx context.Context, c *enterpriseadmin.Client) error {
		return proof.Ignore(c.ListTrustCertificates(ctx))
	}
	proof.ListInvariants(t, proof.Lists{
		Answers: []proof.ListPath{
			answer("ListIdentityCertificates", "/certificates/identity", identity),
			answer("ListTrustCertificates", "/certificates/trust", trust),
			// CertificateInventory reads the identity store, then the trust
			// store: the bad answer lands on its second request.
			answer("CertificateInventory", "/certificates/trust", func(ctx context.Context, c *enterpriseadmin.Client) error {
				return proof.SeqErr(c.CertificateInventory(ctx))
			}),
		},
		Unpaged: []proof.UnpagedList{
			unpaged("ListIdentityCertificates", "/certificates/identity", identity),
			unpaged("ListTrustCertificates", "/certificates/trust", trust),
		},
	})
}

// listErrorShapes are ArcGIS's error bodies, from the shape decodeError
// reads (errors.go).
var listErrorShapes = []string{`{"error":{"code":500,"message":"Unable to complete the operation.","details":["the server failed"]}}`}

// listStandIn is a fresh ArcGIS fake and a client of it.
func listStandIn(t *testing.T, opts ...enterpriseadmin.Option) (*enterpriseadmintest.Server, *enterpriseadmin.Client) {
	srv, err := enterpriseadmintest.NewServer()
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
