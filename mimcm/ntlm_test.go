package mimcm_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func TestNTLMOneHandshakePerConnection(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM())
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 5 {
		if _, err := c.ListRequests(ctx, mimcm.RequestFilter{}); err != nil {
			t.Fatal(err)
		}
	}
	// The session cookie set after the handshake comes back with the
	// four calls that follow.
	if n := srv.SessionCookiesReturned(); n != 4 {
		t.Errorf("the session cookie came back %d times, want 4", n)
	}
	if h, conns := srv.Handshakes(), srv.NewConnections(); h != 1 || conns != 1 {
		t.Errorf("%d handshakes over %d connections, want 1 and 1", h, conns)
	}
	// The first call's NEGOTIATE, its AUTHENTICATE (which carries the
	// call), then one request for each of the other four.
	if n := srv.TotalHits(); n != 1+5 {
		t.Errorf("%d requests, want 6", n)
	}
	// A create's body goes with every leg; the request is created once.
	before := len(srv.Requests())
	c.Close()
	if _, err := c.CreateRequest(ctx, mimcm.CreateRequestInput{Type: mimcm.RequestTypeNameEnroll, ProfileTemplateUUID: mimcmtest.TemplateSoftware}); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()) - before; n != 1 {
		t.Errorf("%d requests created, want 1", n)
	}
	if h := srv.Handshakes(); h != 2 {
		t.Errorf("%d handshakes, want 2 (a new connection after Close)", h)
	}
}

func TestNTLMWrongPasswordIsRefused(t *testing.T) {
	const wrong = "not-the-ntlm-password"
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM())
	var logs bytes.Buffer
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNTLM(srv.Username, wrong), fastRetry,
		mimcm.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListRequests(context.Background(), mimcm.RequestFilter{})
	if !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if srv.Handshakes() != 0 {
		t.Error("a wrong password authenticated")
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logs.String(), wrong) {
		t.Errorf("the password leaked: %v\n%s", err, logs.String())
	}
	// Basic credentials are not what Windows authentication takes.
	basic, _ := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(srv.Username, srv.Password))
	_, err = basic.ListRequests(context.Background(), mimcm.RequestFilter{})
	var e *mimcm.Error
	if !errors.As(err, &e) || e.StatusCode != http.StatusUnauthorized {
		t.Errorf("basic against NTLM: %v", err)
	}
}

func TestNTLMConcurrentCalls(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM(), mimcmtest.WithTLS())
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 20 {
		wg.Go(func() {
			for range 5 {
				if _, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	h, conns := srv.Handshakes(), srv.NewConnections()
	if int64(h) != conns || conns > 32 {
		t.Errorf("%d handshakes over %d connections: want one per connection, at most 32", h, conns)
	}
}

func TestNegotiateOnlyServer(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNegotiate())
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListProfileTemplates(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.Handshakes() != 1 {
		t.Errorf("%d handshakes", srv.Handshakes())
	}
	// The first NEGOTIATE went under "NTLM", which the server does not
	// offer; the client switched to "Negotiate".
	if n := srv.TotalHits(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

func TestNTLMAgainstABasicOnlyServer(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	c, err := mimcm.NewClient(srv.URL, mimcm.WithNTLM(srv.Username, srv.Password))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListRequests(context.Background(), mimcm.RequestFilter{}); !errors.Is(err, mimcm.ErrUnauthorized) {
		t.Errorf("got %v, want ErrUnauthorized (no NTLM offered)", err)
	}
	if _, err := mimcm.NewClient(srv.URL, mimcm.WithNTLM("", "x")); !errors.Is(err, mimcm.ErrInvalidInput) {
		t.Errorf("empty user: %v", err)
	}
	if _, err := mimcm.NewClient(srv.URL, mimcm.WithNTLM("u", "p"), mimcm.WithTransport(roundTripperFunc(nil))); !errors.Is(err, mimcm.ErrInvalidInput) {
		t.Errorf("NTLM over a custom round tripper: %v", err)
	}
	if _, err := mimcm.NewClient("http://cm.contoso.com", mimcm.WithNTLM("u", "p")); !errors.Is(err, mimcm.ErrPlainHTTP) {
		t.Errorf("NTLM over plain http: %v", err)
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// IIS with Extended Protection "Required" refuses go-ntlmssp's AUTHENTICATE,
// which has no channel binding, even with the right password; the error
// names that cause beside a wrong password. Over plain http, where
// Extended Protection does not apply, it does not.
func TestNTLMExtendedProtectionRequired(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM(), mimcmtest.WithTLS(), mimcmtest.WithExtendedProtection())
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	var e *mimcm.Error
	if !errors.Is(err, mimcm.ErrUnauthorized) || !errors.As(err, &e) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if !strings.Contains(e.Hint, "Extended Protection") || !strings.Contains(err.Error(), "channel binding") {
		t.Errorf("the error does not name Extended Protection: %v (hint %q)", err, e.Hint)
	}
	// One handshake, refused, and no other.
	if n, h := srv.TotalHits(), srv.Handshakes(); n != 2 || h != 0 {
		t.Errorf("%d requests, %d handshakes; want 2 and 0", n, h)
	}

	plain := mimcmtest.NewTestServer(t, mimcmtest.WithNTLM())
	c, _ = mimcm.NewClient(plain.URL, mimcm.WithNTLM(plain.Username, "wrong"))
	_, err = c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if !errors.As(err, &e) || strings.Contains(e.Hint, "Extended Protection") || !strings.Contains(e.Hint, "password") {
		t.Errorf("over http: %v (hint %q)", err, e.Hint)
	}
	// A call refused before any NTLM (no credentials sent) has no such hint.
	basic := mimcmtest.NewTestServer(t, mimcmtest.WithTLS())
	c, _ = mimcm.NewClient(basic.URL, mimcm.WithNTLM(basic.Username, basic.Password), mimcm.WithRootCAs(basic.TLSRootCAs()))
	_, err = c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if !errors.As(err, &e) || e.Hint != "" {
		t.Errorf("no NTLM offered: %v (hint %q)", err, e.Hint)
	}
}

// The client against the fake in each of its Windows modes, counted by the
// fake: the first call, a wrong password (one handshake, no loop), and 20
// concurrent calls (one handshake per new connection, nothing refused).
func TestWindowsAuthAgainstTheFake(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opt       mimcmtest.Option
		firstCall int
	}{
		{"NTLM and Negotiate offered", mimcmtest.WithNTLM(), 2}, // raw NEGOTIATE, AUTHENTICATE
		{"Negotiate only", mimcmtest.WithNegotiate(), 3},        // under NTLM (refused), SPNEGO NEGOTIATE, AUTHENTICATE
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mimcmtest.NewTestServer(t, tc.opt)
			ctx := context.Background()
			wrong, _ := mimcm.NewClient(srv.URL, mimcm.WithNTLM(srv.Username, "wrong"), mimcm.WithMaxAttempts(5))
			if _, err := wrong.GetRequest(ctx, mimcmtest.SampleEnrollID); !errors.Is(err, mimcm.ErrUnauthorized) {
				t.Fatalf("wrong password: %v", err)
			}
			if n, h := srv.TotalHits(), srv.Handshakes(); n != tc.firstCall || h != 0 {
				t.Errorf("wrong password: %d requests, %d handshakes; want %d and 0", n, h, tc.firstCall)
			}
			c, err := srv.NewClient()
			if err != nil {
				t.Fatal(err)
			}
			before := srv.TotalHits()
			if _, err := c.GetRequest(ctx, mimcmtest.SampleEnrollID); err != nil {
				t.Fatal(err)
			}
			if n := srv.TotalHits() - before; n != tc.firstCall {
				t.Errorf("first call: %d requests, want %d", n, tc.firstCall)
			}
			before, h0, c0 := srv.TotalHits(), srv.Handshakes(), srv.NewConnections()
			var wg sync.WaitGroup
			errs := make(chan error, 20)
			for range 20 {
				wg.Go(func() {
					if _, err := c.GetRequest(ctx, mimcmtest.SampleEnrollID); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			n, h, conns := srv.TotalHits()-before, srv.Handshakes()-h0, srv.NewConnections()-c0
			t.Logf("%s: 20 concurrent calls: %d requests, %d handshakes, %d new connections", tc.name, n, h, conns)
			if int64(h) != conns || n != 20+h {
				t.Errorf("%d requests, %d handshakes, %d new connections: want one handshake (one extra request) per new connection", n, h, conns)
			}
		})
	}
}
