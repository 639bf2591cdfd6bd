package czertainly_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/bench"

	"github.com/google/go-cmp/cmp"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/inventory"
)

const listPath = "/api/v1/certificates"

// Every field of the common record comes from the field FIELDS.md names;
// the expected values are read from the certificates themselves (their
// DER, through GetCertificate), not from the list.
func TestCertificateInventoryFields(t *testing.T) {
	srv, c := newFake(t, []czertainlytest.Option{czertainlytest.WithoutSeed()})
	ctx := context.Background()
	id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "web.example.com", ExpiresIn: 60 * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID})
	if err != nil {
		t.Fatal(err)
	}
	var records []czertainly.Certificate
	for crt, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{}) {
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, crt)
	}
	if len(records) != 3 {
		t.Fatalf("%d certificates, want 3 (the added one, the admin's, the CA)", len(records))
	}
	var want []inventory.Certificate
	for _, r := range records {
		d, err := c.GetCertificate(ctx, r.UUID)
		if err != nil {
			t.Fatal(err)
		}
		x, err := d.X509()
		if err != nil {
			t.Fatal(err)
		}
		w := inventory.Certificate{Vendor: "czertainly", ID: r.UUID, Subject: x.Subject.String(), Serial: x.SerialNumber.Text(16),
			Issuer: x.Issuer.String(), NotBefore: x.NotBefore.UTC(), NotAfter: x.NotAfter.UTC(), Status: "issued/valid", Record: r}
		switch {
		case r.UUID == id:
			w.Owner = inventory.Owner{Kind: inventory.OwnerProfile, ID: czertainlytest.RAProfileUUID, Name: czertainlytest.RAProfileName}
		case x.Equal(srv.AdminCertificate.Leaf):
			w.Owner = inventory.Owner{Kind: inventory.OwnerUser, ID: czertainlytest.AdminUserUUID, Name: "admin"}
		case !x.Equal(srv.CACertificate()):
			t.Fatalf("unexpected certificate %s", x.Subject)
		}
		want = append(want, w)
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

// Archived certificates are left out, as FIELDS.md says.
func TestCertificateInventoryLeavesOutArchived(t *testing.T) {
	srv, c := newFake(t, []czertainlytest.Option{czertainlytest.WithoutSeed()})
	id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "old.example.com", ExpiresIn: time.Hour, Archived: true})
	if err != nil {
		t.Fatal(err)
	}
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if crt.ID == id {
			t.Errorf("archived certificate %s listed", id)
		}
	}
}

// Nothing is sent before the loop; breaking after the first certificate
// leaves the other pages unread; the whole walk reads pages of 1000.
func TestCertificateInventoryIsLazy(t *testing.T) {
	srv, c := newFake(t, nil)
	if err := srv.AddGeneratedCertificates(2500, 10*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	before := srv.TotalHits()
	seq := c.CertificateInventory(ctx)
	if got := srv.TotalHits() - before; got != 0 {
		t.Fatalf("%d requests before iterating, want 0", got)
	}
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if got := srv.TotalHits() - before; got != 1 {
		t.Errorf("breaking after the first certificate made %d requests, want 1", got)
	}
	n, hits := 0, srv.Hits(http.MethodPost, listPath)
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if got := srv.Hits(http.MethodPost, listPath) - hits; n != 2505 || got != 3 {
		t.Errorf("%d certificates in %d requests, want 2505 (2500 generated, admin, CA, three seeds) in 3", n, got)
	}
}

// A 503 on page 2 (after the retries) is yielded once, as *Error, and
// ends the walk after the first page's certificates.
func TestCertificateInventoryErrorMidWalk(t *testing.T) {
	srv, c := newFake(t, []czertainlytest.Option{czertainlytest.WithoutSeed()})
	if err := srv.AddGeneratedCertificates(2500, 10*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	n, errs := 0, 0
	var last error
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			last = err
			continue
		}
		if n++; n == 1 {
			srv.Inject(czertainlytest.Fault{Method: http.MethodPost, PathSuffix: listPath, Status: http.StatusServiceUnavailable, Times: 3,
				ContentType: "application/json", Body: `{"message":"down"}`})
		}
	}
	var e *czertainly.Error
	if errs != 1 || !errors.As(last, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("%d errors, last %v: want one *czertainly.Error with 503", errs, last)
	}
	if n != 1000 {
		t.Errorf("%d certificates before the error, want the first page's 1000", n)
	}
	if got := srv.Hits(http.MethodPost, listPath); got != 4 {
		t.Errorf("%d searches, want 4 (page 1, page 2 three times)", got)
	}
}

// samePage answers every search with the same full page of 1000.
type samePage struct{ hits atomic.Int32 }

func (s *samePage) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.hits.Add(1)
	certs := make([]map[string]any, czertainly.MaxPageSize)
	for i := range certs {
		certs[i] = map[string]any{"uuid": uuidN("same", i), "commonName": "c", "subjectDn": "CN=c", "publicKeyAlgorithm": "RSA",
			"hybridCertificate": false, "keySize": 2048, "state": "issued", "validationStatus": "valid", "certificateType": "X.509",
			"complianceStatus": "na", "privateKeyAvailability": false}
	}
	writeJSON(w, 200, map[string]any{"certificates": certs, "itemsPerPage": len(certs), "pageNumber": 1, "totalPages": 10, "totalItems": 10 * len(certs)})
}

// A server that ignores pageNumber ends the walk with ErrPagingMismatch
// at its second page, each certificate yielded once.
func TestCertificateInventoryRepeatedPage(t *testing.T) {
	srv := &samePage{}
	c := standIn(t, srv)
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
	if errs != 1 || !errors.Is(last, czertainly.ErrPagingMismatch) {
		t.Errorf("%d errors, last %v: want one ErrPagingMismatch", errs, last)
	}
	if n != czertainly.MaxPageSize || srv.hits.Load() != 2 {
		t.Errorf("%d certificates in %d requests, want %d in 2", n, srv.hits.Load(), czertainly.MaxPageSize)
	}
}

// BenchmarkCertificateInventory lists 5000 and 25 000 generated
// certificates and reports what the walk holds (see measureWalk): flat,
// one page of 1000 whatever the inventory's size. A figure to report, not
// a threshold.
func BenchmarkCertificateInventory(b *testing.B) {
	for _, n := range []int{5000, 25000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rec := bench.NewReplay()
			srv, c := newFake(b, []czertainlytest.Option{czertainlytest.WithoutSeed()}, czertainly.WithTransport(rec))
			if err := srv.AddGeneratedCertificates(n, 10*24*time.Hour); err != nil {
				b.Fatal(err)
			}
			bench.MeasureWalk(b, rec, c, n+2)
		})
	}
}

// Retired: state revoked, or archived (CZERTAINLY-Interfaces
// CertificateState, CertificateDto archived); the other states, expired
// validation included, are not. Status stays both words of the vendor.
func TestCertificateInventoryRetired(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var certs []map[string]any
		for i, st := range []struct {
			state, validation string
			archived          bool
		}{{"issued", "valid", false}, {"revoked", "revoked", false}, {"issued", "expired", false}, {"issued", "valid", true}, {"pending_revoke", "valid", false}} {
			certs = append(certs, map[string]any{"uuid": uuidN("ret", i), "commonName": "c", "subjectDn": "CN=c", "publicKeyAlgorithm": "RSA",
				"hybridCertificate": false, "keySize": 2048, "state": st.state, "validationStatus": st.validation, "certificateType": "X.509",
				"complianceStatus": "na", "privateKeyAvailability": false, "archived": st.archived})
		}
		writeJSON(w, 200, map[string]any{"certificates": certs, "itemsPerPage": czertainly.MaxPageSize, "pageNumber": 1, "totalPages": 1, "totalItems": len(certs)})
	})
	c := standIn(t, h)
	var got []string
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %v", crt.Status, crt.Retired))
	}
	want := []string{"issued/valid false", "revoked/revoked true", "issued/expired false", "issued/valid true", "pending_revoke/valid false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status and retired (-want +got):\n%s", diff)
	}
}
