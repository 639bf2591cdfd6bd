package mimcm_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/internal/pager"
	"github.com/certadmin/certadmin-go/internal/proof"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// TestListInvariants registers MIM CM's lists with the list invariants
// (internal/proof, ListInvariants): bad answers are errors, and every
// list, answered in one call, costs one request. MIM CM pages nothing.
func TestListInvariants(t *testing.T) {
	answer := func(name, path string, call func(ctx context.Context, c *mimcm.Client) error) proof.ListPath {
		return proof.ListPath{Name: name, Method: "GET", Path: path, ErrorShapes: listErrorShapes,
			SetUp: func(t *testing.T) (func(fakeserver.Fault), func(), func(context.Context) error) {
				srv, c := listStandIn(t, mimcm.WithRetry(mimcm.RetryPolicy(proof.Retry)))
				return func(f fakeserver.Fault) { srv.Inject(mimcmtest.Fault(f)) }, srv.ClearFaults, func(ctx context.Context) error { return call(ctx, c) }
			}}
	}
	unpaged := func(name, path string, call func(ctx context.Context, c *mimcm.Client) error) proof.UnpagedList {
		return proof.UnpagedList{Name: name, Run: func(t *testing.T) (int, error) {
			srv, c := listStandIn(t)
			before := srv.HitsMatching("GET", path)
			err := call(context.Background(), c)
			return srv.HitsMatching("GET", path) - before, err
		}}
	}
	listRequests := func(ctx context.Context, c *mimcm.Client) error {
		return proof.Ignore(c.ListRequests(ctx, mimcm.RequestFilter{}))
	}
	listProfiles := func(ctx context.Context, c *mimcm.Client) error {
		return proof.Ignore(c.ListProfiles(ctx, mimcm.ProfileFilter{}))
	}
	listSmartcards := func(ctx context.Context, c *mimcm.Client) error {
		return proof.Ignore(c.ListSmartcards(ctx, mimcm.SmartcardFilter{}))
	}
	listUserCertificates := func(ctx context.Context, c *mimcm.Client) error { return proof.Ignore(c.ListUserCertificates(ctx)) }
	proof.ListInvariants(t, proof.Lists{
		Answers: []proof.ListPath{
			answer("ListRequests", "/requests", listRequests),
			answer("ListProfiles", "/profiles", listProfiles),
			answer("ListSmartcards", "/smartcards", listSmartcards),
			answer("ListUserCertificates", "/certificates", listUserCertificates),
			answer("Inventory", "/certificates", func(ctx context.Context, c *mimcm.Client) error { return proof.SeqErr(c.Inventory(ctx)) }),
			answer("CertificateInventory", "/certificates", func(ctx context.Context, c *mimcm.Client) error {
				return proof.SeqErr(c.CertificateInventory(ctx))
			}),
		},
		Unpaged: []proof.UnpagedList{
			unpaged("ListRequests", "/requests", listRequests),
			unpaged("ListProfiles", "/profiles", listProfiles),
			unpaged("ListSmartcards", "/smartcards", listSmartcards),
			unpaged("ListUserCertificates", "/certificates", listUserCertificates),
		},
	})
}

// listErrorShapes are MIM CM's error bodies, from the shapes decodeError
// reads (errors.go).
var listErrorShapes = []string{
	`{"Message":"An error has occurred."}`,
	`{"Message":"An error has occurred.","ExceptionMessage":"Access is denied.","ExceptionType":"System.UnauthorizedAccessException","StackTrace":null}`,
	`"An error has occurred."`,
}

// listStandIn is a fresh MIM CM fake and a client of it.
func listStandIn(t *testing.T, opts ...mimcm.Option) (*mimcmtest.Server, *mimcm.Client) {
	srv, err := mimcmtest.NewServer()
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

// MIM CM's inventory walks the profiles and cards the server lists, one
// call each. A server that lists one card twice (the walk's repeated page)
// must not make the walk yield that card's certificates twice.
func TestInvariantInventoryYieldsNoDuplicates(t *testing.T) {
	srv, c := listStandIn(t)
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
	keys, err := proof.Drain(c.Inventory(context.Background()), func(it mimcm.InventoryItem) string {
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
