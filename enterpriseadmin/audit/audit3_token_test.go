//go:build audit

package audit_test

// Probe of enterpriseadmin.NewRefreshingTokenSource with WithToken (the
// package doc of both): the API refuses a token with code 498 (invalid or
// expired) or 499 (missing), inside a 200 answer in either error shape
// (vendor-notes §4 Errors). A token from the refreshing source that the
// server refuses is dropped, one more is fetched and the request sent
// once more, a POST included (a refused token means the server did not
// act); a second refusal is a token error. The client never calls
// generateToken for a caller's source.

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/internal/audit"
)

func TestAudit3_EA_RefreshingTokenRenewedOnceOnRefusal(t *testing.T) {
	for _, shape := range []string{"error", "status"} {
		t.Run(shape, func(t *testing.T) {
			s := &eaServer{t: t, rejShape: shape}
			ts := httptest.NewServer(s)
			t.Cleanup(ts.Close)
			fetched := 0
			fetch := func(context.Context) (string, time.Time, error) {
				s.mu.Lock()
				defer s.mu.Unlock()
				fetched++
				s.valid = fmt.Sprintf("caller-%d", fetched) // the portal issued it elsewhere
				return s.valid, time.Now().Add(time.Hour), nil
			}
			state := func() (fetches, gets, imports int) {
				s.mu.Lock()
				defer s.mu.Unlock()
				return fetched, s.cnt.Get("GET /arcgis/admin/security/certificates/identity/x"), s.cnt.Get("POST /arcgis/admin/security/certificates/trust/import")
			}
			c, err := enterpriseadmin.NewClient(ts.URL+"/arcgis", enterpriseadmin.WithToken(enterpriseadmin.NewRefreshingTokenSource(fetch)),
				enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if _, err := c.GetIdentityCertificate(ctx, "x"); err != nil {
				t.Fatal(err)
			}
			// One refusal: the token is replaced and the GET sent again.
			s.mu.Lock()
			s.rejectN = 1
			s.mu.Unlock()
			if _, err := c.GetIdentityCertificate(ctx, "x"); err != nil {
				t.Errorf("after one refusal: %v", err)
			}
			if f, g, _ := state(); f != 2 || g != 3 {
				t.Errorf("fetches %d, GETs %d; want 2 and 3", f, g)
			}
			// A POST refused once is sent once more with a new token.
			s.mu.Lock()
			s.rejectN = 1
			s.mu.Unlock()
			ca := audit.NewCA(t)
			if err := c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "rootca",
				Certificate: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})}); err != nil {
				t.Errorf("import after one refusal: %v", err)
			}
			if f, _, i := state(); f != 3 || i != 2 {
				t.Errorf("fetches %d, imports sent %d; want 3 and 2", f, i)
			}
			// Refused every time: one renewal per call, then a token error.
			s.mu.Lock()
			s.rejectN = 5
			s.mu.Unlock()
			_, err = c.GetIdentityCertificate(ctx, "x")
			if !enterpriseadmin.IsTokenError(err) || !errors.Is(err, enterpriseadmin.ErrUnauthorized) {
				t.Errorf("persistent refusal: %v", err)
			}
			if f, g, _ := state(); f != 4 || g != 5 {
				t.Errorf("fetches %d, GETs %d; want 4 and 5", f, g)
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.tokens != 0 {
				t.Errorf("generateToken called %d times for a caller's token source", s.tokens)
			}
		})
	}
}
