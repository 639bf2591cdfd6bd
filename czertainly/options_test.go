package czertainly_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

type ptrSource struct{ tok string }

func (s *ptrSource) Token(context.Context) (string, error) { return s.tok, nil }

// TestNewClientRefusesUnusableOptions: every option given something it
// cannot use makes NewClient fail with ErrInvalidInput naming it. Before,
// WithToken(nil) built a client whose first call panicked with a
// nil-pointer dereference.
func TestNewClientRefusesUnusableOptions(t *testing.T) {
	srv := czertainlytest.NewTestServer(t)
	for _, tc := range []struct {
		name string
		opt  czertainly.Option
		want string
	}{
		{"nil token source", czertainly.WithToken(nil), "WithToken: nil TokenSource"},
		{"nil pointer token source", czertainly.WithToken((*ptrSource)(nil)), "WithToken: nil TokenSource"},
		{"empty bearer token", czertainly.WithBearerToken(""), "WithToken: empty token"},
		{"refreshing source without fetch", czertainly.WithToken(czertainly.NewRefreshingTokenSource(nil)), "no fetch function"},
		{"empty session cookie", czertainly.WithSessionCookie(""), "WithSessionCookie"},
		{"nil certificate", czertainly.WithCertificateHeader(nil), "no certificate"},
		{"empty certificate header name", czertainly.WithCertificateHeaderName(""), "WithCertificateHeaderName"},
		{"nil http client", czertainly.WithHTTPClient(nil), "WithHTTPClient"},
		{"nil transport", czertainly.WithTransport(nil), "WithTransport"},
		{"negative timeout", czertainly.WithTimeout(-time.Second), "WithTimeout"},
		{"negative attempts", czertainly.WithMaxAttempts(-1), "MaxAttempts"},
		{"negative retry delay", czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 2, MaxRetryAfter: -time.Second}), "negative delay"},
		{"bad header name", czertainly.WithHeader("X:Bad", "v"), "header name"},
		{"negative poll interval", czertainly.WithPollInterval(-time.Second), "poll"},
		{"negative wait timeout", czertainly.WithWaitTimeout(-time.Second), "wait timeout"},
		{"negative approval wait", czertainly.WithApprovalWait(-time.Second), "approval wait"},
	} {
		c, err := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()), tc.opt)
		if !errors.Is(err, czertainly.ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) || c != nil {
			t.Errorf("%s: NewClient = %v, %v; want ErrInvalidInput mentioning %q", tc.name, c, err, tc.want)
		}
	}
	// Two sign-in options: which one was meant would be a guess.
	c, err := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()),
		czertainly.WithCertificateHeader(srv.CACertificate()), czertainly.WithBearerToken("t"))
	if !errors.Is(err, czertainly.ErrInvalidInput) || !strings.Contains(err.Error(), "WithCertificateHeader and WithToken") || c != nil {
		t.Errorf("header and token: NewClient = %v, %v", c, err)
	}
	// A base URL holding the versioned API path: the calls would go to
	// /api/v1/api/v1/... and get a bare 404.
	for _, u := range []string{srv.URL + "/api/v1", srv.URL + "/api/v1/", srv.URL + "/API/V2/certificates"} {
		if c, err := czertainly.NewClient(u, czertainly.WithRootCAs(srv.TLSRootCAs())); !errors.Is(err, czertainly.ErrInvalidInput) || !strings.Contains(err.Error(), "already holds the API path") {
			t.Errorf("NewClient(%q) = %v, %v; want ErrInvalidInput", u, c, err)
		}
	}
	for _, u := range []string{srv.URL, srv.URL + "/api", srv.URL + "/ilm/api/"} {
		if _, err := czertainly.NewClient(u, czertainly.WithRootCAs(srv.TLSRootCAs())); err != nil {
			t.Errorf("NewClient(%q) = %v; want it accepted", u, err)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

// TestRefreshingTokenRefusedBy401IsReplacedOnce: Core answers 401 to a
// token it no longer accepts (revoked before its expiry). The refreshing
// source drops that token, fetches one new token and the request goes
// once more; a token refused again is the call's 401, after one fetch
// more, not a loop. Before, the refused token stayed cached until its
// expiry and every call failed.
func TestRefreshingTokenRefusedBy401IsReplacedOnce(t *testing.T) {
	srv := czertainlytest.NewTestServer(t)
	var fetches atomic.Int32
	tokens := []string{"revoked-token", czertainlytest.BearerToken}
	src := czertainly.NewRefreshingTokenSource(func(context.Context) (string, time.Time, error) {
		n := int(fetches.Add(1)) - 1
		return tokens[min(n, len(tokens)-1)], time.Now().Add(time.Hour), nil
	})
	c, err := czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()), czertainly.WithToken(src), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if me, err := c.GetAuthProfile(ctx); err != nil || me.Username != "admin" {
		t.Fatalf("GetAuthProfile = %+v, %v", me, err)
	}
	if f, h := fetches.Load(), srv.TotalHits(); f != 2 || h != 2 {
		t.Fatalf("fetches = %d, requests = %d; want 2 and 2 (refused, then repeated with the new token)", f, h)
	}
	// The new token is cached: the next call fetches nothing.
	if _, err := c.GetAuthProfile(ctx); err != nil {
		t.Fatal(err)
	}
	if f, h := fetches.Load(), srv.TotalHits(); f != 2 || h != 3 {
		t.Fatalf("fetches = %d, requests = %d; want 2 and 3", f, h)
	}

	// A source whose every token is refused: one repeat, then the 401.
	var bad atomic.Int32
	never := czertainly.NewRefreshingTokenSource(func(context.Context) (string, time.Time, error) {
		return fmt.Sprintf("refused-%d", bad.Add(1)), time.Now().Add(time.Hour), nil
	})
	c, err = czertainly.NewClient(srv.URL, czertainly.WithRootCAs(srv.TLSRootCAs()), czertainly.WithToken(never), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	before := srv.TotalHits()
	if _, err := c.GetAuthProfile(ctx); !errors.Is(err, czertainly.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if f, h := bad.Load(), srv.TotalHits()-before; f != 2 || h != 2 {
		t.Fatalf("fetches = %d, requests = %d; want 2 and 2", f, h)
	}
}

// TestRefreshingSourceSharesOneFetch: callers that all need a token share
// one fetch, however many arrive while it runs; every one gets its token.
func TestRefreshingSourceSharesOneFetch(t *testing.T) {
	var fetches atomic.Int32
	release := make(chan struct{})
	src := czertainly.NewRefreshingTokenSource(func(context.Context) (string, time.Time, error) {
		fetches.Add(1)
		<-release
		return "shared-token", time.Now().Add(time.Hour), nil
	})
	const n = 16
	var wg sync.WaitGroup
	got := make([]string, n)
	for i := range n {
		wg.Go(func() {
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Error(err)
			}
			got[i] = tok
		})
	}
	close(release)
	wg.Wait()
	if f := fetches.Load(); f != 1 {
		t.Errorf("fetches = %d, want 1", f)
	}
	for i, tok := range got {
		if tok != "shared-token" {
			t.Errorf("caller %d got %q", i, tok)
		}
	}
}
