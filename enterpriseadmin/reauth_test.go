package enterpriseadmin_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// TestNewClientRefusesUnusableOptions: every option given something it
// cannot use makes NewClient fail with ErrInvalidInput naming it, as the
// other vendors' NewClient do.
func TestNewClientRefusesUnusableOptions(t *testing.T) {
	srv := startFake(t)
	creds := enterpriseadmin.WithCredentials(srv.Username, srv.Password)
	for _, tc := range []struct {
		name   string
		opt    enterpriseadmin.Option
		want   string
		signIn bool // a sign-in option, given instead of creds
	}{
		{"nil token source", enterpriseadmin.WithToken(nil), "TokenSource", true},
		{"nil pointer token source", enterpriseadmin.WithToken((*nilTokenSource)(nil)), "TokenSource", true},
		{"empty static token", enterpriseadmin.WithToken(enterpriseadmin.StaticToken("")), "empty token", true},
		{"no user name", enterpriseadmin.WithCredentials("", "pw"), "user name", true},
		{"no password", enterpriseadmin.WithCredentials("admin", ""), "password", true},
		{"token with credentials", enterpriseadmin.WithToken(enterpriseadmin.StaticToken("t")), "two sign-in options", false},
		{"negative expiration", enterpriseadmin.WithTokenExpiration(-time.Minute), "expiration", false},
		{"zero expiration", enterpriseadmin.WithTokenExpiration(0), "expiration", false},
		{"empty referer", enterpriseadmin.WithReferer(""), "WithReferer", false},
		{"negative margin", enterpriseadmin.WithRefreshMargin(-time.Minute), "margin", false},
		{"nil http client", enterpriseadmin.WithHTTPClient(nil), "WithHTTPClient", false},
		{"nil transport", enterpriseadmin.WithTransport(nil), "WithTransport", false},
		{"negative timeout", enterpriseadmin.WithTimeout(-time.Second), "WithTimeout", false},
		{"negative attempts", enterpriseadmin.WithMaxAttempts(-1), "MaxAttempts", false},
		{"bad header name", enterpriseadmin.WithHeader("Bad Header", "v"), "header name", false},
		{"empty client certificate", enterpriseadmin.WithClientCertificate(tls.Certificate{}), "WithClientCertificate", false},
	} {
		opts := []enterpriseadmin.Option{creds, tc.opt}
		if tc.signIn {
			opts = opts[1:]
		}
		c, err := enterpriseadmin.NewClient(srv.URL, opts...)
		if !errors.Is(err, enterpriseadmin.ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) || c != nil {
			t.Errorf("%s: NewClient = %v, %v; want ErrInvalidInput mentioning %q", tc.name, c, err, tc.want)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

type nilTokenSource struct{}

func (*nilTokenSource) Token(context.Context) (string, error) { return "", nil }

// TestDoRenewsARejectedToken: re-authentication lives in the transport,
// so the escape hatch gets it too. Before, only the wrapper methods went
// through the client's second retry loop; Do failed with the 498.
func TestDoRenewsARejectedToken(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	if _, err := c.ListIdentityCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/admin/security/certificates/identity?f=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := c.Do(ctx, req, &out); err != nil {
		t.Fatalf("Do after the token expired: %v", err)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("generateToken calls = %d, want 2", n)
	}
	if n := srv.Hits(http.MethodGet, identityPath(srv)); n != 3 {
		t.Errorf("list hits = %d, want 3 (one, then refused and repeated)", n)
	}
	if req.URL.RawQuery != "f=json" || req.Header.Get("X-Esri-Authorization") != "" {
		t.Errorf("the caller's request was changed: %s %v", req.URL, req.Header)
	}
}

// redirectOnce answers the first POST whose path ends in suffix with a 307
// to the same URL, as a proxy in front of the server may, and records the
// body of every request.
type redirectOnce struct {
	suffix string
	mu     sync.Mutex
	done   bool
	bodies []string
}

func (r *redirectOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.bodies = append(r.bodies, string(body))
	first := !r.done && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, r.suffix)
	if first {
		r.done = true
	}
	r.mu.Unlock()
	if first {
		return &http.Response{
			StatusCode: http.StatusTemporaryRedirect, Status: "307 Temporary Redirect", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Location": {req.URL.String()}}, Body: http.NoBody, Request: req,
		}, nil
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestRedirectedPostCarriesTheTokenOnce: the token goes into the body of a
// copy private to the attempt, so a redirected POST, whose body net/http
// produces again from the request, carries one token field, not two.
// Before, the token was added to the request all attempts share, and the
// body it produced again already held the token.
func TestRedirectedPostCarriesTheTokenOnce(t *testing.T) {
	srv := startFake(t)
	rt := &redirectOnce{suffix: "/delete"}
	c := newClient(t, srv, enterpriseadmin.WithTransport(rt))
	if err := c.DeleteIdentityCertificate(context.Background(), enterpriseadmintest.SeedCertificateID); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var deletes int
	for _, b := range rt.bodies {
		if strings.Contains(b, "token=") && !strings.Contains(b, "username=") {
			deletes++
			if n := strings.Count(b, "token="); n != 1 {
				t.Errorf("body %q carries %d token fields, want 1", b, n)
			}
		}
	}
	if deletes != 2 {
		t.Errorf("saw %d delete bodies, want 2 (redirected, then followed): %q", deletes, rt.bodies)
	}
}

// TestRejectedTokenOfANeverRepeatedCallIsRenewedWithRetriesOff: the repeat
// after a refused token is not a retry: a create (Repeat Never) on a
// client with retries off still gets its one repeat with a new token.
func TestRejectedTokenOfANeverRepeatedCallIsRenewedWithRetriesOff(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv, enterpriseadmin.WithMaxAttempts(1))
	ctx := context.Background()
	if _, err := c.ListTrustCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	if err := c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "renewed-ca", Certificate: testPEM(t, "Renewed CA")}); err != nil {
		t.Fatalf("import after the token expired: %v", err)
	}
	if n := srv.HitsMatching(http.MethodPost, "/import"); n != 2 {
		t.Errorf("import hits = %d, want 2 (refused, then repeated)", n)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("generateToken calls = %d, want 2", n)
	}
}
