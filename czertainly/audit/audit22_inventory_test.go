//go:build audit

package audit_test

// Audit round 22: czertainly.Client.CertificateInventory.
//
// Evidence: /work/shared/reference/czertainly/2.17.0/doc-openapi-core-certificate.yaml
//   POST /v1/certificates (line 25), CertificateSearchRequestDto (line 1305:
//   itemsPerPage max 1000, pageNumber default 1), CertificateResponseDto
//   (line 1759: certificates, itemsPerPage, pageNumber, totalPages,
//   totalItems), CertificateDto (line 1650: uuid, subjectDn, issuerDn,
//   serialNumber, notBefore/notAfter date-time, state, validationStatus,
//   owner, ownerUuid, raProfile).
//   CZERTAINLY-Interfaces 804df03882e891adc55bf6b334c7e2b7653d3c5d
//   src/main/java/com/czertainly/api/model/core/certificate/CertificateDto.java.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
)

type a22Page struct {
	mu       sync.Mutex
	requests []map[string]any
	ignore   bool // answer page 1 whatever pageNumber says
	total    int
}

func (p *a22Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != "POST" || !strings.HasSuffix(r.URL.Path, "/v1/certificates") {
		w.WriteHeader(404)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var req map[string]any
	_ = json.Unmarshal(b, &req)
	p.mu.Lock()
	p.requests = append(p.requests, req)
	p.mu.Unlock()
	size, _ := req["itemsPerPage"].(float64)
	page, _ := req["pageNumber"].(float64)
	if size == 0 {
		size = 10
	}
	if page == 0 || p.ignore {
		page = 1
	}
	var certs []string
	for i := int(size) * (int(page) - 1); i < min(p.total, int(size)*int(page)); i++ {
		certs = append(certs, fmt.Sprintf(`{"uuid":"u%04d","commonName":"c%d","subjectDn":"CN=c%d, O=\"A, B\"","issuerDn":"CN=CA","serialNumber":"%x",`+
			`"notBefore":"2025-01-01T00:00:00.000+00:00","notAfter":"2026-06-30T12:00:00.000+02:00","state":"issued","validationStatus":"valid",`+
			`"certificateType":"X.509","complianceStatus":"ok","hybridCertificate":false,"keySize":2048,"privateKeyAvailability":false,"publicKeyAlgorithm":"RSA"}`, i, i, i, i))
	}
	pages := (p.total + int(size) - 1) / int(size)
	fmt.Fprintf(w, `{"certificates":[%s],"itemsPerPage":%d,"pageNumber":%d,"totalPages":%d,"totalItems":%d}`,
		strings.Join(certs, ","), int(size), int(page), pages, p.total)
}

func a22CZ(t *testing.T, p *a22Page) *czertainly.Client {
	ts := httptest.NewServer(p)
	t.Cleanup(ts.Close)
	c, err := czertainly.NewClient(ts.URL, czertainly.WithBearerToken("tok"), czertainly.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Confirmation (paging detects a server ignoring offsets; an error is
// yielded once; no certificate twice): 2500 certificates, the server
// answers page 1 to every request.
func TestAudit22CZInventoryServerIgnoresPageNumber(t *testing.T) {
	p := &a22Page{total: 2500, ignore: true}
	c := a22CZ(t, p)
	seen := map[string]int{}
	errs := 0
	for crt, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			errs++
			if !errors.Is(err, czertainly.ErrPagingMismatch) {
				t.Errorf("error %v, want ErrPagingMismatch", err)
			}
			continue
		}
		seen[crt.ID]++
	}
	if errs != 1 {
		t.Errorf("%d errors, want 1", errs)
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("%s yielded %d times", id, n)
		}
	}
	if len(p.requests) > 2 {
		t.Errorf("%d requests to a server ignoring pageNumber, want at most 2", len(p.requests))
	}
}

// Confirmation (lists lazy and bounded): nothing is sent before the loop,
// the pages ask for the vendor's maximum (1000), stopping after the first
// certificate sends no second request; dates keep their instant (the
// +02:00 offset) in UTC terms.
func TestAudit22CZInventoryLazyAndDates(t *testing.T) {
	p := &a22Page{total: 2500}
	c := a22CZ(t, p)
	seq := c.CertificateInventory(context.Background())
	if len(p.requests) != 0 {
		t.Fatalf("%d requests before the loop", len(p.requests))
	}
	for crt, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		if !crt.NotAfter.Equal(time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("NotAfter %s", crt.NotAfter)
		}
		if crt.Subject != `CN=c0, O="A, B"` || crt.Status != "issued/valid" {
			t.Errorf("mapped %+v", crt)
		}
		break
	}
	if len(p.requests) != 1 {
		t.Errorf("%d requests after stopping at the first certificate, want 1", len(p.requests))
	}
	if n, _ := p.requests[0]["itemsPerPage"].(float64); n != 1000 {
		t.Errorf("itemsPerPage %v, want 1000 (the documented maximum)", p.requests[0]["itemsPerPage"])
	}
	n := 0
	for _, err := range c.CertificateInventory(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2500 {
		t.Errorf("walked %d of 2500", n)
	}
}
