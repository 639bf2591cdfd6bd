package enterpriseadmin_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func identityPath(srv *enterpriseadmintest.Server) string {
	return srv.CertificatesPath() + "/identity"
}

func TestConcurrentCallersShareOneGenerateToken(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	// A slow generateToken keeps every caller waiting on the same refresh.
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/generateToken", Delay: 50 * time.Millisecond})
	run := func() {
		var wg sync.WaitGroup
		var failed atomic.Int32
		for range 16 {
			wg.Go(func() {
				if _, err := c.ListIdentityCertificates(context.Background()); err != nil {
					failed.Add(1)
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	run()
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want exactly 1", n)
	}
	// All tokens expire: the callers that hit 498 share one new token.
	srv.ExpireTokens()
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/generateToken", Delay: 50 * time.Millisecond})
	run()
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("generateToken calls after expiry = %d, want exactly 2", n)
	}
}

func TestExpiredTokenIsRefreshedOnceAndRetried(t *testing.T) {
	srv := startFake(t)
	rec := &recorder{}
	c := newClient(t, srv, enterpriseadmin.WithTransport(rec))
	ctx := context.Background()
	if _, err := c.ListIdentityCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ExpireTokens()
	// A POST: the retry after a 498 is safe because the server did not act.
	if err := c.DeleteIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("generateToken calls = %d, want 2", n)
	}
	deletes := srv.Hits(http.MethodPost, identityPath(srv)+"/"+enterpriseadmintest.SeedCertificateID+"/delete")
	if deletes != 2 {
		t.Errorf("delete hits = %d, want 2 (rejected, then retried)", deletes)
	}
	ex := rec.exchanges()
	var rejected bool
	for _, e := range ex {
		if strings.Contains(e.respBody, `"Token Expired."`) {
			rejected = true
		}
	}
	if !rejected {
		t.Error("the server never answered the status:error 498 shape")
	}
	// The two delete attempts carried different tokens.
	var bodies []string
	for _, e := range ex {
		if strings.HasSuffix(e.url, "/delete") {
			bodies = append(bodies, e.body)
		}
	}
	if len(bodies) != 2 || bodies[0] == bodies[1] {
		t.Errorf("delete bodies = %q, want two with different tokens", bodies)
	}
}

func TestTokenRejectedTwiceIsNotRetriedForever(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	body := `{"error":{"code":498,"message":"Invalid token.","details":[]}}`
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/identity", Status: http.StatusOK, ContentType: "application/json", Body: body, Times: 5})
	_, err := c.ListIdentityCertificates(context.Background())
	if !enterpriseadmin.IsTokenError(err) || !errors.Is(err, enterpriseadmin.ErrUnauthorized) {
		t.Fatalf("err = %v, want a token error", err)
	}
	if n := srv.Hits(http.MethodGet, identityPath(srv)); n != 2 {
		t.Errorf("list hits = %d, want 2 (one refresh and retry only)", n)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("generateToken calls = %d, want 2", n)
	}
	srv.ClearFaults()
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	srv := startFake(t)
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	c := newClient(t, srv, enterpriseadmin.WithClock(clock), enterpriseadmin.WithTokenExpiration(60*time.Minute))
	ctx := context.Background()
	if _, err := c.ListTrustCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(50 * time.Minute)) // outside the 5-minute margin: cached
	if _, err := c.ListTrustCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Fatalf("generateToken calls = %d, want 1", n)
	}
	offset.Store(int64(56 * time.Minute)) // inside the margin: replaced before use
	if _, err := c.ListTrustCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("generateToken calls = %d, want 2", n)
	}
	if n := srv.Hits(http.MethodGet, srv.CertificatesPath()+"/trust"); n != 3 {
		t.Errorf("list hits = %d, want 3 (no request was rejected)", n)
	}
}

func TestWrongPasswordFailsOnceWithoutLeaking(t *testing.T) {
	srv := startFake(t)
	var logs bytes.Buffer
	const wrong = "wrong-password-123"
	c, err := enterpriseadmin.NewClient(srv.URL, fastRetry,
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, wrong),
		enterpriseadmin.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListIdentityCertificates(context.Background())
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Code != "400" || !errors.Is(err, enterpriseadmin.ErrVendor) {
		t.Fatalf("err = %v", err)
	}
	if enterpriseadmin.IsTokenError(err) {
		t.Error("wrong credentials reported as a token rejection")
	}
	if !strings.Contains(err.Error(), "Invalid username or password.") {
		t.Errorf("err lacks the server's reason: %v", err)
	}
	// Neither the GET nor generateToken is repeated: a retry cannot fix credentials.
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("server hits = %d, want 1", n)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(logs.String(), wrong) {
		t.Error("the password leaked into the error or the log")
	}
	if logs.Len() == 0 {
		t.Error("no log lines written")
	}
}

func TestGenerateTokenNeverRepeated(t *testing.T) {
	for _, f := range []enterpriseadmintest.Fault{
		{PathSuffix: "/generateToken", Status: http.StatusServiceUnavailable},
		{PathSuffix: "/generateToken", Reset: true},
	} {
		srv := startFake(t)
		c := newClient(t, srv)
		srv.Inject(f)
		if _, err := c.ListIdentityCertificates(context.Background()); err == nil {
			t.Errorf("fault %+v: call succeeded", f)
		}
		if n := srv.TokenRequests(); n != 1 {
			t.Errorf("fault %+v: generateToken calls = %d, want exactly 1", f, n)
		}
		// The next call generates afresh and works.
		if _, err := c.ListIdentityCertificates(context.Background()); err != nil {
			t.Errorf("fault %+v: next call: %v", f, err)
		}
	}
}

func TestStaticTokenAndLegacyQuery(t *testing.T) {
	srv := startFake(t)
	const referer = "https://tool.example.com"
	token := srv.IssueToken(referer, time.Hour)
	rec := &recorder{}
	var logs bytes.Buffer
	c, err := enterpriseadmin.NewClient(srv.URL, fastRetry,
		enterpriseadmin.WithToken(enterpriseadmin.StaticToken(token)), enterpriseadmin.WithReferer(referer),
		enterpriseadmin.WithLegacyTokenQuery(), enterpriseadmin.WithTransport(rec),
		enterpriseadmin.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID); err != nil {
		t.Fatal(err)
	}
	ex := rec.exchanges()
	u, _ := url.Parse(ex[0].url)
	if u.Query().Get("token") != token || ex[0].header.Get("X-Esri-Authorization") != "" {
		t.Errorf("legacy GET: url %s, header %q", ex[0].url, ex[0].header.Get("X-Esri-Authorization"))
	}
	// POSTs keep the token in the body in legacy mode too.
	if err := c.DeleteIdentityCertificate(ctx, "missing"); !errors.Is(err, enterpriseadmin.ErrNotFound) {
		t.Errorf("delete missing: %v", err)
	}
	ex = rec.exchanges()
	if last := ex[len(ex)-1]; strings.Contains(last.url, "token") || !strings.Contains(last.body, "token="+token) {
		t.Errorf("legacy POST: url %s body %s", last.url, last.body)
	}
	// A rejected fixed token cannot be refreshed: one request, a token error.
	srv.ExpireTokens()
	_, err = c.ListIdentityCertificates(ctx)
	if !enterpriseadmin.IsTokenError(err) {
		t.Errorf("err = %v, want a token error", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(logs.String(), token) {
		t.Error("the token leaked into an error or the log")
	}
	if n := srv.TokenRequests(); n != 0 {
		t.Errorf("generateToken calls = %d, want 0", n)
	}
	if n := srv.Hits(http.MethodGet, identityPath(srv)); n != 1 {
		t.Errorf("list hits = %d, want 1", n)
	}
}

func TestWrongRefererIsRejected(t *testing.T) {
	srv := startFake(t)
	token := srv.IssueToken("https://other.example.com", time.Hour)
	c, err := enterpriseadmin.NewClient(srv.URL, fastRetry, enterpriseadmin.WithToken(enterpriseadmin.StaticToken(token)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTrustCertificates(context.Background())
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Code != "498" || e.Message != "Invalid token." {
		t.Errorf("err = %v", err)
	}
}

func TestSSLTokenRefusedOverHTTP(t *testing.T) {
	srv := startFake(t, enterpriseadmintest.WithSSLTokens())
	c := newClient(t, srv)
	_, err := c.ListIdentityCertificates(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTPS only") {
		t.Fatalf("err = %v, want a refusal to send an ssl token over http", err)
	}
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Op != "enterpriseadmin.ListIdentityCertificates" || !errors.Is(err, enterpriseadmin.ErrPlainHTTP) {
		t.Errorf("err = %v, want the list's ErrPlainHTTP", err)
	}
	if n := srv.Hits(http.MethodGet, identityPath(srv)); n != 0 {
		t.Errorf("the token was sent over http (%d requests)", n)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want 1", n)
	}
}

func TestSSLTokenOverHTTPS(t *testing.T) {
	srv := startFake(t, enterpriseadmintest.WithTLS())
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := enterpriseadmin.NewClient(srv.URL, fastRetry, enterpriseadmin.WithRootCAs(pool),
		enterpriseadmin.WithCredentials(srv.Username, srv.Password))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := c.ListIdentityCertificates(context.Background())
	if err != nil || len(certs) != 1 {
		t.Fatalf("list over https = %v, %v", certs, err)
	}
	// The fake's own client trusts its certificate.
	if certs, err := newClient(t, srv).ListIdentityCertificates(context.Background()); err != nil || len(certs) != 1 {
		t.Fatalf("list over https with srv.NewClient = %v, %v", certs, err)
	}
	// Verification is on by default: without the fake's CA the call fails.
	plain, err := enterpriseadmin.NewClient(srv.URL, fastRetry, enterpriseadmin.WithCredentials(srv.Username, srv.Password))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.ListIdentityCertificates(context.Background()); err == nil {
		t.Error("an unverified server certificate was accepted")
	}
}

func TestCanceledWhileWaitingForToken(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/generateToken", Delay: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.ListIdentityCertificates(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	// The shared refresh finished anyway; the next caller uses its token.
	if _, err := c.ListIdentityCertificates(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want 1", n)
	}
}

// A token that cannot be had is the calling operation's ErrUnauthorized,
// like a refused password of any other vendor, with generateToken's own
// error as its cause.
func TestFailedTokenGenerationIsUnauthorized(t *testing.T) {
	srv := startFake(t)
	const wrong = "wrong-password-456"
	c, err := enterpriseadmin.NewClient(srv.URL, fastRetry, enterpriseadmin.WithCredentials(srv.Username, wrong))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for op, call := range map[string]func() error{
		"enterpriseadmin.ListIdentityCertificates": func() error { _, err := c.ListIdentityCertificates(ctx); return err },
		"enterpriseadmin.GetTrustCertificate": func() error {
			_, err := c.GetTrustCertificate(ctx, "x")
			return err
		},
		"enterpriseadmin.DeleteIdentityCertificate": func() error { return c.DeleteIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID) },
	} {
		err := call()
		var e *enterpriseadmin.Error
		if !errors.As(err, &e) || e.Op != op {
			t.Fatalf("%s: err = %v (%T), want an *Error naming %s", op, err, err, op)
		}
		if !errors.Is(err, enterpriseadmin.ErrUnauthorized) {
			t.Errorf("%s: err = %v, want ErrUnauthorized", op, err)
		}
		if !strings.HasPrefix(err.Error(), op+": ") || !strings.Contains(err.Error(), "token") {
			t.Errorf("%s: err text %q, want it to start with the operation and say token", op, err)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			t.Errorf("%s: err %v still wraps a *url.Error", op, err)
		}
		// The cause stays reachable: the server's answer inside a 200.
		if !errors.Is(err, enterpriseadmin.ErrVendor) || e.Code != "400" || !strings.Contains(err.Error(), "Invalid username or password.") {
			t.Errorf("%s: err %v (code %q) lost generateToken's answer", op, err, e.Code)
		}
		if enterpriseadmin.IsTokenError(err) {
			t.Errorf("%s: a refused password reported as a rejected token", op)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("%s: the password leaked: %v", op, err)
		}
	}
	if n := srv.Hits(http.MethodPost, srv.CertificatesPath()+"/identity/"+enterpriseadmintest.SeedCertificateID+"/delete"); n != 0 {
		t.Errorf("delete sent %d times without a token", n)
	}
	// The escape hatch names itself and matches the same sentinel.
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/admin/security/certificates?f=json", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Do(ctx, req, &map[string]any{})
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Op != "enterpriseadmin.Do" || !errors.Is(err, enterpriseadmin.ErrUnauthorized) {
		t.Errorf("Do: err = %v", err)
	}
}

func TestTokenGenerationFailuresKeepTheirCause(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/generateToken", Status: http.StatusServiceUnavailable})
	_, err := c.ListTrustCertificates(context.Background())
	var e *enterpriseadmin.Error
	if !errors.As(err, &e) || e.Op != "enterpriseadmin.ListTrustCertificates" || !errors.Is(err, enterpriseadmin.ErrUnauthorized) || !errors.Is(err, enterpriseadmin.ErrServer) {
		t.Errorf("generateToken 503: err = %v, want the list's ErrUnauthorized caused by ErrServer", err)
	}

	failing := tokenSourceFunc(func(context.Context) (string, error) { return "", errors.New("vault sealed") })
	c, err = enterpriseadmin.NewClient(srv.URL, fastRetry, enterpriseadmin.WithToken(failing))
	if err != nil {
		t.Fatal(err)
	}
	err = c.ImportTrustCertificate(context.Background(), enterpriseadmin.ImportTrustCertificateInput{Name: "ca", Certificate: testPEM(t, "CA")})
	if !errors.As(err, &e) || e.Op != "enterpriseadmin.ImportTrustCertificate" || !errors.Is(err, enterpriseadmin.ErrUnauthorized) || !strings.Contains(err.Error(), "vault sealed") {
		t.Errorf("TokenSource failure: err = %v", err)
	}
	if n := srv.HitsMatching(http.MethodPost, "/import"); n != 0 {
		t.Errorf("import sent %d times without a token", n)
	}
}

// Callers of different operations waiting on one failing generateToken
// each get an error naming their own operation.
func TestSharedTokenFailureNamesEachCaller(t *testing.T) {
	srv := startFake(t)
	c, err := enterpriseadmin.NewClient(srv.URL, fastRetry, enterpriseadmin.WithCredentials(srv.Username, "not-it"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/generateToken", Delay: 50 * time.Millisecond})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Go(func() { _, errs[0] = c.ListIdentityCertificates(context.Background()) })
	wg.Go(func() { _, errs[1] = c.ListTrustCertificates(context.Background()) })
	wg.Wait()
	for i, op := range []string{"enterpriseadmin.ListIdentityCertificates", "enterpriseadmin.ListTrustCertificates"} {
		var e *enterpriseadmin.Error
		if !errors.As(errs[i], &e) || e.Op != op || !errors.Is(errs[i], enterpriseadmin.ErrUnauthorized) {
			t.Errorf("caller %d: err = %v, want %s's ErrUnauthorized", i, errs[i], op)
		}
	}
}

type tokenSourceFunc func(context.Context) (string, error)

func (f tokenSourceFunc) Token(ctx context.Context) (string, error) { return f(ctx) }
