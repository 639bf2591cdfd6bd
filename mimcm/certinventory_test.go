package mimcm_test

import (
	"context"
	"crypto/sha1" // #nosec G505 -- CM's thumbprint is SHA-1; not used for security
	"encoding/hex"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

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
	if n != 6+4 {
		t.Errorf("%d certificates, want 10 (3 profiles of 2, 4 on the sample card)", n)
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

// BenchmarkCertificateInventory lists 25 000 generated certificates (2500
// profiles of 10) and reports what the walk holds: the largest live heap
// (after a collection, sampled every 1000 certificates) above the live
// heap before the walk. The user's certificate list (all 25 000) is held
// for the walk, as Inventory needs it for the dates. Fake and client share
// the process. A figure to report, not a threshold.
func BenchmarkCertificateInventory(b *testing.B) {
	srv := mimcmtest.NewTestServer(b)
	c, err := srv.NewClient(fastRetry)
	if err != nil {
		b.Fatal(err)
	}
	srv.AddGeneratedProfiles(2500, 10, 10*24*time.Hour)
	var held uint64
	for b.Loop() {
		base := liveHeap()
		n := 0
		for _, err := range c.CertificateInventory(context.Background()) {
			if err != nil {
				b.Fatal(err)
			}
			if n++; n%1000 == 0 {
				if cur := liveHeap(); cur > base {
					held = max(held, cur-base)
				}
			}
		}
		if n < 25000 {
			b.Fatalf("%d certificates, want at least 25000", n)
		}
	}
	b.ReportMetric(float64(held)/(1<<10), "held-KiB")
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
