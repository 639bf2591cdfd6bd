package mimcm_test

import (
	"context"
	"crypto/sha1" // #nosec G505 -- CM's thumbprint is SHA-1; not used for security
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/inventory"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// An enrolled software certificate and a smart card certificate of the
// samples map as FIELDS.md says; the expected values come from the
// certificate itself, the user's list and the samples, not the mapping.
func TestCertificateInventoryFields(t *testing.T) {
	_, c := setup(t)
	ctx := context.Background()
	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(e.Certificate.Raw) // #nosec G401 -- thumbprint
	thumb := strings.ToUpper(hex.EncodeToString(sum[:]))
	serial := strings.ToUpper(e.Certificate.SerialNumber.Text(16))
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	user, err := c.ListUserCertificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	issuer := ""
	for _, u := range user {
		if u.Thumbprint == thumb {
			issuer = u.Issuer
		}
	}
	const cardCert = "C52B0C5FB8AAD31A5B239FF2712ED14122D67D30"
	records := map[string]mimcm.InventoryItem{}
	for item, err := range c.Inventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		records[item.Certificate.Thumbprint] = item
	}
	want := []inventory.Certificate{
		{Vendor: "mimcm", ID: thumb, Serial: serial, Issuer: issuer, NotBefore: e.Certificate.NotBefore.UTC(), NotAfter: e.Certificate.NotAfter.UTC(),
			Status: "Active", Owner: inventory.Owner{Kind: inventory.OwnerProfile, ID: e.Request.NewProfileUUID.String()}, Record: records[thumb]},
		{Vendor: "mimcm", ID: cardCert, Serial: "1B0000B01052AFA01313FB77AC00010000B010", Status: "2",
			Owner:  inventory.Owner{Kind: inventory.OwnerDevice, ID: mimcmtest.SampleCertificatesCard.String(), Name: "9b5e51a2-4c1d-4e0b-a3f6-7d2c8e9f1a30"},
			Record: records[cardCert]},
	}
	if issuer == "" || records[thumb].Profile == nil || records[cardCert].Smartcard == nil {
		t.Fatalf("issuer %q, records %+v: want the enrolled and the card's certificate", issuer, records)
	}
	var got []inventory.Certificate
	for crt, err := range c.CertificateInventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if crt.ID == thumb || crt.ID == cardCert {
			got = append(got, crt)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
}

// Nothing is sent before the loop; a loop that stops in the first
// generated profile reads no smart card and no later profile.
func TestCertificateInventoryIsLazy(t *testing.T) {
	srv, c := setup(t)
	srv.AddGeneratedProfiles(3, 2, 24*time.Hour)
	ctx := context.Background()
	profiles, err := c.ListProfiles(ctx, mimcm.ProfileFilter{})
	if err != nil {
		t.Fatal(err)
	}
	before := srv.TotalHits()
	seq := c.CertificateInventory(ctx)
	if got := srv.TotalHits() - before; got != 0 {
		t.Fatalf("%d requests before iterating, want 0", got)
	}
	var first inventory.Certificate
	for crt, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		first = crt
		break
	}
	// The user's certificates, the profiles, then each profile's
	// certificates up to the first generated one (the samples' have none).
	if got, want := srv.TotalHits()-before, 2+len(profiles)-2; got != want || first.Owner.ID != profiles[len(profiles)-3].UUID.String() {
		t.Errorf("breaking at the first certificate (of %s) made %d requests, want %d ending at the first generated profile", first.Owner.ID, got, want)
	}
	if n := srv.HitsMatching(http.MethodGet, "/smartcards"); n != 0 {
		t.Errorf("%d smart card lists, want 0", n)
	}
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if want := 6 + 4 + len(userOnly(t, c)); n != want {
		t.Errorf("%d certificates, want %d (3 profiles of 2, 4 on the sample card, the user's others)", n, want)
	}
}

// A 503 on the second generated profile's certificates (after the
// retries) is yielded once, as *Error, and nothing more is read.
func TestCertificateInventoryErrorMidWalk(t *testing.T) {
	srv, c := setup(t)
	srv.AddGeneratedProfiles(3, 2, 24*time.Hour)
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/profiles/6e000000-0000-4000-8000-000000000001/certificates",
		Status: http.StatusServiceUnavailable, Times: 3})
	n, errs := 0, 0
	var last error
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			last = err
			continue
		}
		n++
	}
	var e *mimcm.Error
	if errs != 1 || !errors.As(last, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%d errors, last %v: want one *mimcm.Error with 503", errs, last)
	}
	if n != 2 || srv.HitsMatching(http.MethodGet, "/smartcards") != 0 ||
		srv.HitsMatching(http.MethodGet, "/profiles/6e000000-0000-4000-8000-000000000002/certificates") != 0 {
		t.Errorf("%d certificates before the error, want the first profile's 2, and nothing read after it", n)
	}
}

// BenchmarkCertificateInventory lists 5000 and 25 000 generated
// certificates (500 and 2500 profiles of 10) and reports what the walk
// holds (see measureWalk): the user's certificate list, which Inventory
// keeps for the dates, plus one profile's list. A figure to report, not a
// threshold.
func BenchmarkCertificateInventory(b *testing.B) {
	for _, profiles := range []int{500, 2500} {
		b.Run(fmt.Sprint(profiles*10), func(b *testing.B) {
			rec := bench.NewReplay()
			srv := mimcmtest.NewTestServer(b)
			c, err := srv.NewClient(fastRetry, mimcm.WithTransport(rec))
			if err != nil {
				b.Fatal(err)
			}
			srv.AddGeneratedProfiles(profiles, 10, 10*24*time.Hour)
			bench.MeasureWalk(b, rec, c, profiles*10+4+sampleUserOnly)
		})
	}
}

// sampleUserOnly is how many certificates of the sample user's list no
// profile or card of the samples lists (checked by
// TestCertificateInventoryUserCertificates).
const sampleUserOnly = 16

// userOnly is the user's certificates (by thumbprint, once each) that no
// profile or card lists, read with the calls themselves.
func userOnly(t *testing.T, c *mimcm.Client) map[string]mimcm.Certificate {
	t.Helper()
	user, err := c.ListUserCertificates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]mimcm.Certificate{}
	for _, u := range user {
		out[u.Thumbprint] = u
	}
	for item, err := range c.Inventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		delete(out, item.Certificate.Thumbprint)
	}
	return out
}

// Every certificate of the user's list (get-user-certificates.md: the
// certificates associated with the user, with NotBefore, NotAfter,
// Issuer) is in the inventory, once, also when no profile or card lists
// it: then owned by the user, dated from that list, no holder status, not
// retired. The user's list is read once for the whole walk.
func TestCertificateInventoryUserCertificates(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	only := userOnly(t, c)
	if len(only) != sampleUserOnly {
		t.Fatalf("the fake's user has %d certificates outside its profiles and cards, want the vendor's sample's %d", len(only), sampleUserOnly)
	}
	before := srv.HitsMatching(http.MethodGet, "/api/v1.0/certificates")
	seen := map[string]int{}
	for crt, err := range c.CertificateInventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen[crt.ID]++
		u, ok := only[crt.ID]
		if !ok {
			continue
		}
		want := inventory.Certificate{Vendor: "mimcm", ID: u.Thumbprint, Serial: u.SerialNumber, Issuer: u.Issuer, NotBefore: u.NotBefore,
			NotAfter: u.NotAfter, Owner: inventory.Owner{Kind: inventory.OwnerUser}, Record: mimcm.InventoryItem{Certificate: u}}
		if diff := cmp.Diff(want, crt); diff != "" {
			t.Errorf("user's certificate %s (-want +got):\n%s", crt.ID, diff)
		}
		if crt.NotAfter.IsZero() {
			t.Errorf("user's certificate %s without NotAfter", crt.ID)
		}
	}
	for id := range only {
		if seen[id] != 1 {
			t.Errorf("user's certificate %s yielded %d times, want once", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("certificate %s yielded %d times", id, n)
		}
	}
	if got := srv.HitsMatching(http.MethodGet, "/api/v1.0/certificates") - before; got != 1 {
		t.Errorf("%d reads of the user's list, want 1", got)
	}
}

// A thumbprint the user's list repeats (in another case) and that no
// profile or card lists is yielded once.
func TestCertificateInventoryUserCertificateRepeated(t *testing.T) {
	srv, c := setup(t)
	const thumb = "00112233445566778899AABBCCDDEEFF00112233"
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/api/v1.0/certificates", Status: http.StatusOK,
		ContentType: "application/json; charset=utf-8",
		Body: `[{"SerialNumber":"0A","Thumbprint":"` + thumb + `","NotAfter":"2030-01-01T00:00:00Z","Issuer":"cm\\CA"},` +
			`{"SerialNumber":"0A","Thumbprint":"` + strings.ToLower(thumb) + `","NotAfter":"2030-01-01T00:00:00Z","Issuer":"cm\\CA"}]`})
	n := 0
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.EqualFold(crt.ID, thumb) {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the repeated user certificate yielded %d times, want once", n)
	}
}
