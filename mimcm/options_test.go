package mimcm_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// nilSource is a TokenSource type whose nil pointer would panic on use.
type nilSource struct{ tok string }

func (s *nilSource) Token(context.Context) (string, error) { return s.tok, nil }

// TestNewClientRefusesUnusableOptions: an option given something it cannot
// use makes NewClient fail with ErrInvalidInput naming the option; no
// client is built whose calls fail (or panic) instead. Before, a nil
// TokenSource built a client whose every call failed.
func TestNewClientRefusesUnusableOptions(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	for _, tc := range []struct {
		name string
		opt  mimcm.Option
		want string
	}{
		{"nil token source", mimcm.WithToken(nil), "WithToken: nil TokenSource"},
		{"nil pointer token source", mimcm.WithToken((*nilSource)(nil)), "WithToken: nil TokenSource"},
		{"empty static token", mimcm.WithToken(mimcm.StaticToken("")), "WithToken: empty token"},
		{"nil http client", mimcm.WithHTTPClient(nil), "WithHTTPClient"},
		{"nil transport", mimcm.WithTransport(nil), "WithTransport"},
		{"nil *http.Transport", mimcm.WithTransport((*http.Transport)(nil)), "WithTransport"},
		{"negative timeout", mimcm.WithTimeout(-time.Second), "WithTimeout"},
		{"negative attempts", mimcm.WithMaxAttempts(-1), "MaxAttempts"},
		{"negative backoff", mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 2, BaseDelay: -time.Millisecond}), "negative delay"},
		{"no HTTP status", mimcm.WithRetry(mimcm.RetryPolicy{MaxAttempts: 2, RetryableStatuses: []int{1503}}), "no HTTP status"},
		{"bad header name", mimcm.WithHeader("X Bad", "v"), "header name"},
		{"empty client certificate", mimcm.WithClientCertificate(tls.Certificate{}), "WithClientCertificate"},
	} {
		c, err := mimcm.NewClient(srv.URL, tc.opt)
		if !errors.Is(err, mimcm.ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) || c != nil {
			t.Errorf("%s: NewClient = %v, %v; want ErrInvalidInput mentioning %q", tc.name, c, err, tc.want)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	// The usable forms of the same options are accepted.
	for _, opt := range []mimcm.Option{
		mimcm.WithToken(mimcm.StaticToken("adfs-token")), mimcm.WithTimeout(0), mimcm.WithMaxAttempts(1),
		mimcm.WithHTTPClient(&http.Client{}), mimcm.WithHeader("X-Ok", "v"),
	} {
		if _, err := mimcm.NewClient(srv.URL, opt); err != nil {
			t.Errorf("usable option refused: %v", err)
		}
	}
}

// TestCallOptionsAreCheckedBeforeSending: a per-call option out of range
// fails that call with ErrInvalidInput and sends nothing.
func TestCallOptionsAreCheckedBeforeSending(t *testing.T) {
	srv, c := setup(t)
	for _, opt := range []mimcm.CallOption{mimcm.WithTimeout(-time.Second), mimcm.WithMaxAttempts(-2), mimcm.WithHeader("", "v")} {
		if _, err := c.ListRequests(context.Background(), mimcm.RequestFilter{}, opt); !errors.Is(err, mimcm.ErrInvalidInput) {
			t.Errorf("err = %v, want ErrInvalidInput", err)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}
