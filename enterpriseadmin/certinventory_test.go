package enterpriseadmin_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/testcert"
	"github.com/certadmin/certadmin-go/inventory"
)

// Every field of the common record comes from the member FIELDS.md
// names: the seeded identity certificate against the vendor's sample's
// own values, an imported trust certificate against its DER.
func TestCertificateInventoryFields(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	root, _ := testcert.SelfSigned(t, x509.Certificate{Subject: pkix.Name{CommonName: "Corp Root CA", Organization: []string{"Corp"}},
		DNSNames: []string{"root.example.com"}})
	if err := c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "corp-root",
		Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw})}); err != nil {
		t.Fatal(err)
	}
	seed, err := c.GetIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID)
	if err != nil {
		t.Fatal(err)
	}
	trust, err := c.ListTrustCertificates(ctx)
	if err != nil || len(trust) != 1 {
		t.Fatalf("trust store %v, %v: want the imported certificate", trust, err)
	}
	want := []inventory.Certificate{
		{Vendor: "enterpriseadmin", ID: "identity/cc1mm3jpkfkhnkx243mp1", Subject: "CN=saml.default", Serial: "178abe43781",
			Issuer: "CN=saml.default", NotBefore: time.UnixMilli(1617791563000).UTC(), NotAfter: time.UnixMilli(1933151563000).UTC(),
			Status: "IDENTITY", Owner: inventory.Owner{Kind: inventory.OwnerSystem, Name: "samlcert"}, Record: *seed},
		{Vendor: "enterpriseadmin", ID: "trust/" + trust[0].ID, Subject: root.Subject.String(), SANs: []string{"DNSName: root.example.com"},
			Serial: root.SerialNumber.Text(16), Issuer: root.Issuer.String(),
			NotBefore: root.NotBefore.Truncate(time.Millisecond).UTC(), NotAfter: root.NotAfter.Truncate(time.Millisecond).UTC(),
			Status: "TRUST", Owner: inventory.Owner{Kind: inventory.OwnerSystem, Name: "corp-root"}, Record: trust[0]},
	}
	var got []inventory.Certificate
	for crt, err := range c.CertificateInventory(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, crt)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
}

// Nothing is sent before the loop; a loop that stops in the identity
// store never reads the trust store.
func TestCertificateInventoryIsLazy(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	if err := srv.AddGeneratedCertificates(enterpriseadmin.CertificateTypeTrust, 10, time.Hour); err != nil {
		t.Fatal(err)
	}
	identity, trust := srv.CertificatesPath()+"/identity", srv.CertificatesPath()+"/trust"
	before := srv.TotalHits()
	seq := c.CertificateInventory(context.Background())
	if got := srv.TotalHits() - before; got != 0 {
		t.Fatalf("%d requests before iterating, want 0", got)
	}
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if i, tr := srv.Hits(http.MethodGet, identity), srv.Hits(http.MethodGet, trust); i != 1 || tr != 0 {
		t.Errorf("breaking in the identity store read identity %d, trust %d times; want 1, 0", i, tr)
	}
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if i, tr := srv.Hits(http.MethodGet, identity), srv.Hits(http.MethodGet, trust); n != 11 || i != 2 || tr != 1 {
		t.Errorf("%d certificates, identity read %d, trust %d times; want 11, 2, 1", n, i, tr)
	}
}

// A 503 on the trust store (after the retries) is yielded once, as
// *Error, after the identity store's certificates, and ends the walk.
func TestCertificateInventoryErrorOnSecondStore(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	if err := srv.AddGeneratedCertificates(enterpriseadmin.CertificateTypeTrust, 10, time.Hour); err != nil {
		t.Fatal(err)
	}
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/trust", Status: http.StatusServiceUnavailable, Times: 3})
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
	var e *enterpriseadmin.Error
	if errs != 1 || !errors.As(last, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%d errors, last %v: want one *enterpriseadmin.Error with 503", errs, last)
	}
	if n != 1 {
		t.Errorf("%d certificates before the error, want the identity store's 1", n)
	}
}

// A 503 on the identity store ends the walk there: the trust store is
// not read.
func TestCertificateInventoryErrorOnFirstStore(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	if err := srv.AddGeneratedCertificates(enterpriseadmin.CertificateTypeTrust, 10, time.Hour); err != nil {
		t.Fatal(err)
	}
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/identity", Status: http.StatusServiceUnavailable, Times: 3})
	n, errs := 0, 0
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			continue
		}
		n++
	}
	if errs != 1 || n != 0 {
		t.Errorf("%d errors, %d certificates: want 1, 0", errs, n)
	}
	if got := srv.Hits(http.MethodGet, srv.CertificatesPath()+"/trust"); got != 0 {
		t.Errorf("trust store read %d times after the identity store failed, want 0", got)
	}
}

// The generated certificates are listed like imported ones, in the store
// asked for.
func TestCertificateInventoryGenerated(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	if err := srv.AddGeneratedCertificates("OTHER", 1, time.Hour); err == nil {
		t.Error("a store other than IDENTITY and TRUST was accepted")
	}
	if err := srv.AddGeneratedCertificates(enterpriseadmin.CertificateTypeIdentity, 3, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[crt.ID] {
			t.Errorf("%s listed twice", crt.ID)
		}
		seen[crt.ID] = true
		if crt.ID != "identity/"+enterpriseadmintest.SeedCertificateID && (crt.Status != "IDENTITY" || crt.Serial == "" ||
			time.Until(crt.NotAfter) > 24*time.Hour || crt.NotAfter.Sub(crt.NotBefore) < 300*24*time.Hour) {
			t.Errorf("generated certificate %+v", crt)
		}
	}
	if len(seen) != 4 {
		t.Errorf("%d certificates, want the seed and 3 generated", len(seen))
	}
}

// BenchmarkCertificateInventory lists 5000 and 25 000 generated identity
// certificates and reports what the walk holds (see measureWalk): one
// store, as the server answers it in one piece. A figure to report, not a
// threshold.
func BenchmarkCertificateInventory(b *testing.B) {
	for _, n := range []int{5000, 25000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rec := bench.NewReplay()
			srv := enterpriseadmintest.NewTestServer(b)
			c, err := srv.NewClient(fastRetry, enterpriseadmin.WithTransport(rec))
			if err != nil {
				b.Fatal(err)
			}
			if err := srv.AddGeneratedCertificates(enterpriseadmin.CertificateTypeIdentity, n, 10*24*time.Hour); err != nil {
				b.Fatal(err)
			}
			bench.MeasureWalk(b, rec, c, n+1)
		})
	}
}
