//go:build audit

package audit_test

// Audit round 22: enterpriseadmin's CertificateInventory.
//
// Evidence: the vendor's identity list and certificate pages
//   https://developers.arcgis.com/rest/enterprise-administration/enterprise/identity
//   https://developers.arcgis.com/rest/enterprise-administration/enterprise/trust-certificate.htm
// write validFrom/validUntil as Java Date text ("Fri Sep 03 16:07:57 UTC 2021",
// "Tue Jun 24 19:46:06 GMT 2008": the JVM's zone abbreviation) beside
// validFromAsEpoch/validUntilAsEpoch (epoch ms). seed 004 (lines 15-36) is the
// same shape for one certificate.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
)

func a22ListServer(t *testing.T, identity, trust string) *enterpriseadmin.Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/generateToken"):
			fmt.Fprintf(w, `{"token":"tok","expires":%d,"ssl":false}`, time.Now().Add(time.Hour).UnixMilli())
		case strings.HasSuffix(r.URL.Path, "/security/certificates/identity"):
			_, _ = io.WriteString(w, identity)
		case strings.HasSuffix(r.URL.Path, "/security/certificates/trust"):
			_, _ = io.WriteString(w, trust)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(ts.Close)
	c, err := enterpriseadmin.NewClient(ts.URL+"/arcgis", enterpriseadmin.WithCredentials("admin", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Finding (timestamps/timezones): when the epoch members are absent the
// SDK falls back to the Java Date text. Java writes the JVM's zone
// abbreviation (a server in California writes "PDT"); Go's time.Parse
// gives an abbreviation it does not know a zero offset, so the instant is
// off by the zone's offset (7 hours here) instead of being left unknown.
// 16:07:57 PDT is 23:07:57 UTC.
func TestAudit22InventoryJavaDateZoneAbbreviation(t *testing.T) {
	identity := `{"certificates":[{"id":"c1","name":"ingress","type":"IDENTITY","subject":"CN=*.esri.com, OU=Dev, O=Esri",` +
		`"serialNumber":"4400","issuer":"CN=Root","validFrom":"Fri Jul 03 00:17:16 PDT 2020","validUntil":"Fri Sep 03 16:07:57 PDT 2021"}]}`
	c := a22ListServer(t, identity, `{"certificates":[]}`)
	n := 0
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		want := time.Date(2021, 9, 3, 23, 7, 57, 0, time.UTC)
		if !crt.NotAfter.IsZero() && !crt.NotAfter.Equal(want) {
			t.Errorf("NotAfter %s (= %s UTC), want %s or zero (unknown): the zone abbreviation PDT was read as UTC+0",
				crt.NotAfter, crt.NotAfter.UTC(), want)
		}
	}
	if n != 1 {
		t.Fatalf("%d certificates", n)
	}
}

// Confirmation: with the epoch members (the vendor's examples always
// carry them) NotBefore/NotAfter are the epoch instants, in UTC, and the
// trust store is walked too; the subject with commas is kept whole.
func TestAudit22InventoryEpochAndBothStores(t *testing.T) {
	identity := `{"certificates":[{"validUntilAsEpoch":1630685277000,"serialNumber":"4400043ca7ef330d89ec73620a000300043ca7",` +
		`"subject":"CN=*.esri.com, OU=Dev, O=Esri, L=Redlands, ST=CA, C=US","subjectAlternativeNames":["DNSName: *.esri.com"],` +
		`"validFrom":"Fri Jul 03 00:17:16 UTC 2020","type":"IDENTITY","issuer":"CN=ESRI Enterprise Root, DC=empty, DC=local",` +
		`"name":"ingress","validUntil":"Fri Sep 03 16:07:57 UTC 2021","id":"cwj8ud5zgli0qbm57z0x9","validFromAsEpoch":1593735436000}]}`
	trust := `{"certificates":[{"validUntilAsEpoch":1630685277000,"serialNumber":"344d","subject":"CN=ESRI Enterprise Root, DC=empty, DC=local",` +
		`"validFrom":"Tue Jun 24 19:46:06 GMT 2008","type":"TRUST","name":"esri-root","validUntil":"Fri Sep 03 16:07:57 GMT 2021",` +
		`"id":"cc4474766-b0f7-4495-af7e-12b9ce50a057","validFromAsEpoch":1214336766000}]}`
	c := a22ListServer(t, identity, trust)
	var ids []string
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, crt.ID)
		if crt.NotAfter.UnixMilli() != 1630685277000 || crt.NotAfter.Location() != time.UTC {
			t.Errorf("%s NotAfter %s", crt.ID, crt.NotAfter)
		}
	}
	if strings.Join(ids, " ") != "identity/cwj8ud5zgli0qbm57z0x9 trust/cc4474766-b0f7-4495-af7e-12b9ce50a057" {
		t.Errorf("ids %v", ids)
	}
}

// Confirmation (lists lazy; a failure is yielded once): nothing is sent
// before the loop; stopping after the first identity certificate leaves
// the trust store unread; a trust list answered with the admin error
// shape ({"status":"error",...}, vendor-notes §4 Errors) ends the walk
// with one error after the identity certificates.
func TestAudit22InventoryLazyAndTrustFailure(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/generateToken"):
			fmt.Fprintf(w, `{"token":"tok","expires":%d,"ssl":false}`, time.Now().Add(time.Hour).UnixMilli())
		case strings.HasSuffix(r.URL.Path, "/security/certificates/identity"):
			_, _ = io.WriteString(w, `{"certificates":[{"id":"a","name":"a","validUntilAsEpoch":1630685277000},{"id":"b","name":"b","validUntilAsEpoch":1630685277000}]}`)
		case strings.HasSuffix(r.URL.Path, "/security/certificates/trust"):
			_, _ = io.WriteString(w, `{"status":"error","messages":["Internal error."],"code":500}`)
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(ts.Close)
	c, err := enterpriseadmin.NewClient(ts.URL+"/arcgis", enterpriseadmin.WithCredentials("admin", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	seq := c.CertificateInventory(context.Background())
	mu.Lock()
	if len(hits) != 0 {
		t.Errorf("requests before the loop: %v", hits)
	}
	mu.Unlock()
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	mu.Lock()
	for p, n := range hits {
		if strings.HasSuffix(p, "/trust") && n > 0 {
			t.Errorf("trust store read after the loop stopped at the first identity certificate")
		}
	}
	mu.Unlock()
	n, errs := 0, 0
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			continue
		}
		n++
	}
	if n != 2 || errs != 1 {
		t.Errorf("%d certificates and %d errors, want 2 and 1", n, errs)
	}
}
