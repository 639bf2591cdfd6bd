package transport_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// fastRetry keeps test waits in milliseconds.
var fastRetry = transport.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 3 * time.Second}

// script answers each request with the next status in statuses (the last
// one repeats) and counts hits.
type script struct {
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	body     string
	hits     atomic.Int32
	auths    []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.hits.Add(1)) - 1
	s.mu.Lock()
	s.auths = append(s.auths, r.Header.Get("Authorization"))
	s.mu.Unlock()
	st := s.statuses[min(n, len(s.statuses)-1)]
	if n < len(s.headers) {
		for k, v := range s.headers[n] {
			w.Header()[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	if s.body != "" {
		_, _ = io.WriteString(w, s.body)
	} else {
		_, _ = io.WriteString(w, `{"ok":true}`)
	}
}

func newClient(t *testing.T, opts ...transport.Option) *transport.Client {
	t.Helper()
	return newClientWithRules(t, transport.Rules{}, opts...)
}

func newClientWithRules(t *testing.T, rules transport.Rules, opts ...transport.Option) *transport.Client {
	t.Helper()
	c, err := transport.New(transport.NewConfig(append([]transport.Option{transport.WithRetry(fastRetry)}, opts...)...), rules)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sent is one call of the tests on its way through the call path.
type sent struct {
	c    *transport.Client
	ctx  context.Context
	call transport.Call
}

// do prepares a call; marks set its Secrets.
func do(t *testing.T, c *transport.Client, ctx context.Context, method, url string, body string, marks ...func(*transport.Call)) sent {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	call := transport.Call{Request: req}
	for _, m := range marks {
		m(&call)
	}
	return sent{c: c, ctx: ctx, call: call}
}

// specOps is the spec of the tests' stand-in vendor: whether a call may
// be repeated is the spec's (Rules.Operations), not the call's.
var specOps = transport.NewOperations([]transport.Operation{
	{ID: "create", Method: "POST", Path: "/create"},
	{ID: "search", Method: "POST", Path: "/search", Repeat: transport.ReadOnly},
	{ID: "finish", Method: "PUT", Path: "/finish", Repeat: transport.Never},
})

func newSpecClient(t *testing.T, opts ...transport.Option) *transport.Client {
	t.Helper()
	return newClientWithRules(t, transport.Rules{Operations: specOps}, opts...)
}
func secrets(s ...string) func(*transport.Call) {
	return func(c *transport.Call) { c.Secrets = s }
}

func (s sent) op(name string, ok []int) transport.Call {
	c := s.call
	c.Op, c.OK = name, ok
	return c
}

func (s sent) JSON(op string, dst any) error { return s.c.JSON(s.ctx, s.op(op, nil), dst) }

func (s sent) Check(op string, ok ...int) (struct{}, error) {
	return struct{}{}, s.c.NoContent(s.ctx, s.op(op, ok))
}

func (s sent) Stream(op string, w io.Writer) (int64, error) {
	return s.c.Stream(s.ctx, s.op(op, nil), w)
}

func TestRetriesIdempotentCallOn503(t *testing.T) {
	s := &script{statuses: []int{503, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t)
	var out struct{ OK bool }
	req := do(t, c, context.Background(), http.MethodGet, srv.URL+"/x", "")
	if err := req.JSON("test.Get", &out); err != nil {
		t.Fatal(err)
	}
	if got := s.hits.Load(); got != 2 || !out.OK {
		t.Fatalf("hits = %d, ok = %v; want 2 hits and a decoded body", got, out.OK)
	}
}

func TestRetryAfterSecondsAndHTTPDateAreHonoured(t *testing.T) {
	date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
	s := &script{
		statuses: []int{429, 503, 200},
		headers:  []http.Header{{"Retry-After": {"1"}}, {"Retry-After": {date}}},
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t)
	start := time.Now()
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	if err := req.JSON("test.Get", nil); err != nil {
		t.Fatal(err)
	}
	// 1 s for the seconds form plus at least 1 s more for the date (second granularity).
	if elapsed := time.Since(start); elapsed < 1900*time.Millisecond {
		t.Fatalf("elapsed %s: Retry-After not honoured", elapsed)
	}
	if got := s.hits.Load(); got != 3 {
		t.Fatalf("hits = %d, want 3", got)
	}
}

func TestRetryAfterLongerThanCapFailsFast(t *testing.T) {
	s := &script{statuses: []int{503}, headers: []http.Header{{"Retry-After": {"3600"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t)
	start := time.Now()
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || !errors.Is(err, apierror.ErrRetryAfterTooLong) || ae.RetryAfter != time.Hour {
		t.Fatalf("err = %v; want ErrRetryAfterTooLong carrying 1h", err)
	}
	if time.Since(start) > time.Second || s.hits.Load() != 1 {
		t.Fatalf("took %s with %d hits; want an immediate failure after 1 hit", time.Since(start), s.hits.Load())
	}
}

func TestCreateIsNotRetriedButReadOnlyPOSTIs(t *testing.T) {
	for _, tc := range []struct {
		name     string
		path     string
		status   int
		wantHits int32
	}{
		{"create 503", "/create", 503, 1},
		{"create 500", "/create", 500, 1},
		{"read-only 503", "/search", 503, 4},
		{"read-only 500", "/search", 500, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{statuses: []int{tc.status}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			c := newSpecClient(t)
			req := do(t, c, context.Background(), http.MethodPost, srv.URL+"/api"+tc.path, `{"a":1}`)
			_, err := req.Check("test.Post")
			if !errors.Is(err, apierror.ErrServer) {
				t.Fatalf("err = %v, want ErrServer", err)
			}
			if got := s.hits.Load(); got != tc.wantHits {
				t.Fatalf("hits = %d, want %d", got, tc.wantHits)
			}
		})
	}
}

// A PUT the spec marks x-repeat: never is sent once.
func TestNeverInTheSpecStopsPUTRetries(t *testing.T) {
	s := &script{statuses: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newSpecClient(t)
	req := do(t, c, context.Background(), http.MethodPut, srv.URL+"/finish", "x")
	if _, err := req.Check("test.Put"); err == nil || s.hits.Load() != 1 {
		t.Fatalf("err = %v, hits = %d; want one hit and an error", err, s.hits.Load())
	}
}

// countingLogger counts attempts through the debug log.
func captureLogger() (*slog.Logger, *bytes.Buffer, *sync.Mutex) {
	var buf bytes.Buffer
	var mu sync.Mutex
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf, &mu
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestConnectionRefusedIsRetriedEvenForCreate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens: every dial is refused, so nothing reached a server
	logger, buf, mu := captureLogger()
	c := newClient(t, transport.WithLogger(logger))
	_, err = do(t, c, context.Background(), http.MethodPost, "http://"+addr+"/create", "x").Check("test.Get")
	if err == nil {
		t.Fatal("want an error")
	}
	mu.Lock()
	attempts := strings.Count(buf.String(), "certadmin http attempt")
	mu.Unlock()
	if attempts != fastRetry.MaxAttempts {
		t.Fatalf("attempts = %d, want %d (refused connections prove the request was not sent)", attempts, fastRetry.MaxAttempts)
	}
}

func TestCancelDuringBackoffReturnsPromptly(t *testing.T) {
	s := &script{statuses: []int{503}, headers: []http.Header{{"Retry-After": {"2"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := do(t, c, ctx, http.MethodGet, srv.URL, "").Check("test.Get")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Fatalf("returned after %s, want promptly after cancel", d)
	}
}

func TestHTMLLoginPageIsAClearError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><body>Sign in</body></html>")
	}))
	defer srv.Close()
	c := newClient(t)
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	err := req.JSON("test.Get", &struct{}{})
	if !errors.Is(err, apierror.ErrHTMLResponse) || !strings.Contains(err.Error(), "HTML") {
		t.Fatalf("err = %v, want ErrHTMLResponse", err)
	}
	var buf bytes.Buffer
	req = do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	if _, err := req.Stream("test.Download", &buf); !errors.Is(err, apierror.ErrHTMLResponse) || buf.Len() != 0 {
		t.Fatalf("stream err = %v with %d bytes written, want ErrHTMLResponse and nothing written", err, buf.Len())
	}
}

func TestMalformedAndEmptyJSONAreUnexpectedResponse(t *testing.T) {
	for _, body := range []string{`{"a":`, "", "   "} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, body)
		}))
		c := newClient(t)
		req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
		err := req.JSON("test.Get", &struct{ A int }{})
		srv.Close()
		if !errors.Is(err, apierror.ErrUnexpectedResponse) {
			t.Fatalf("body %q: err = %v, want ErrUnexpectedResponse", body, err)
		}
	}
}

func TestLargeErrorBodyIsCapped(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 32 { // 2 MiB
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newClient(t)
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	_, err := req.Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("err = %v, want a 400 *apierror.Error", err)
	}
	if len(ae.Body) > apierror.MaxBodyExcerpt+32 || len(err.Error()) > 4096 {
		t.Fatalf("excerpt %d bytes, message %d bytes: not capped", len(ae.Body), len(err.Error()))
	}
}

func TestTruncatedBodyIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, "a,b\n1,2\n")
		if hj, ok := w.(http.Hijacker); ok {
			conn, buf, _ := hj.Hijack()
			_ = buf.Flush()
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	c := newClient(t)
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	var buf bytes.Buffer
	n, err := req.Stream("test.Download", &buf)
	if !errors.Is(err, apierror.ErrTruncated) {
		t.Fatalf("err = %v after %d bytes, want ErrTruncated", err, n)
	}
}

type rotatingTokens struct{ n atomic.Int32 }

func (r *rotatingTokens) Token(context.Context) (string, error) {
	return "tok-" + string('a'+r.n.Add(1)-1), nil
}

func TestAuthIsAppliedOnEveryAttempt(t *testing.T) {
	s := &script{statuses: []int{503, 503, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t, transport.WithAuth(transport.HeaderToken(&rotatingTokens{}, "Authorization", "Bearer ")))
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	if _, err := req.Check("test.Get"); err != nil {
		t.Fatal(err)
	}
	want := []string{"Bearer tok-a", "Bearer tok-b", "Bearer tok-c"}
	if strings.Join(s.auths, ",") != strings.Join(want, ",") {
		t.Fatalf("Authorization per attempt = %q, want %q", s.auths, want)
	}
}

func TestSecretsNeverAppearInErrorsOrLogs(t *testing.T) {
	const password = "S3cr3t-Passw0rd!"
	const token = "tkn-9f8e7d6c5b4a"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A careless server echoes everything back.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"bad credentials `+r.Header.Get("Authorization")+` password=`+password+` token=`+token+` echoed `+r.Header.Get("X-Token")+`","password":"`+password+`"}`)
	}))
	defer srv.Close()
	logger, buf, mu := captureLogger()
	const headerToken = "hdr-0a1b2c3d4e5f"
	basic := newClient(t, transport.WithBasicAuth("admin", password), transport.WithLogger(logger))
	tokens := newClient(t, transport.WithAuth(transport.HeaderToken(transport.StaticToken(headerToken), "X-Token", "")), transport.WithLogger(logger))
	var texts []string
	for _, c := range []*transport.Client{basic, tokens} {
		req := do(t, c, context.Background(), http.MethodGet, srv.URL+"/x?token="+token+"&password="+password, "")
		_, err := req.Check("test.Get")
		if !errors.Is(err, apierror.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
		var ae *apierror.Error
		errors.As(err, &ae)
		texts = append(texts, err.Error(), ae.Body, ae.URL)
	}
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	for _, text := range append(texts, logs) {
		for _, secret := range []string{password, token, headerToken, "YWRtaW46"} { // base64 of "admin:" starts the header
			if strings.Contains(text, secret) {
				t.Fatalf("secret %q leaked into %q", secret, text)
			}
		}
	}
	if !strings.Contains(logs, "status=401") {
		t.Fatalf("debug log lacks the attempt: %q", logs)
	}
}

func TestPerAttemptTimeoutRetriesSlowServer(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	c := newClient(t, transport.WithTimeout(100*time.Millisecond))
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	if err := req.JSON("test.Get", nil); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Fatalf("hits = %d, want 2 (timeout then retry)", hits.Load())
	}
}

func TestTLSIsVerifiedByDefault(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	logger, buf, mu := captureLogger()
	c := newClient(t, transport.WithLogger(logger))
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate verification error", err)
	}
	mu.Lock()
	attempts := strings.Count(buf.String(), "certadmin http attempt")
	mu.Unlock()
	if attempts != 1 {
		t.Fatalf("attempts = %d: a certificate error must not be retried", attempts)
	}
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c = newClient(t, transport.WithRootCAs(pool))
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	if err := req.JSON("test.Get", nil); err != nil {
		t.Fatalf("with the CA pool: %v", err)
	}
	c = newClient(t, transport.WithInsecureSkipVerify())
	req = do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	if err := req.JSON("test.Get", nil); err != nil {
		t.Fatalf("with WithInsecureSkipVerify: %v", err)
	}
}

func TestErrorDecoderFillsVendorFields(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"code":"E42","message":"no such thing"}`)
	}))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{DecodeError: func(e *apierror.Error, body []byte) {
		e.Code, e.Message = "E42", "no such thing"
	}})
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	_, err := req.Check("vendor.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || !errors.Is(err, apierror.ErrNotFound) || ae.Code != "E42" || ae.Op != "vendor.Get" {
		t.Fatalf("err = %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "vendor.Get: GET ") || !strings.Contains(err.Error(), "[code E42]: no such thing") {
		t.Fatalf("message = %q", err.Error())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"Tue, 24 Nov 2026 08:00:30 GMT", 30 * time.Second, true},
		{"Tue, 24 Nov 2026 07:00:00 GMT", 0, true},
		{"soon", 0, false},
		{"", 0, false},
		{"99999999999999999999", 0, false},
	} {
		got, ok := transport.ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %s, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "120", "Tue, 24 Nov 2026 08:00:30 GMT", "", "-5", "9223372036854775807"} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := transport.ParseRetryAfter(v, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("ParseRetryAfter(%q) = %s, %v", v, d, ok)
		}
	})
}

func TestMissingClientCertificateIsNotRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") }))
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	logger, buf, mu := captureLogger()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	c := newClient(t, transport.WithRootCAs(pool), transport.WithLogger(logger))
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	if err == nil || !strings.Contains(err.Error(), "tls") {
		t.Fatalf("err = %v, want a TLS error", err)
	}
	mu.Lock()
	attempts := strings.Count(buf.String(), "certadmin http attempt")
	mu.Unlock()
	if attempts != 1 {
		t.Fatalf("attempts = %d: a rejected client certificate must not be retried", attempts)
	}
}

func TestCheckRefusesAnHTMLPageWithSuccessStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>please sign in</html>")
	}))
	defer srv.Close()
	c := newClient(t)
	req := do(t, c, context.Background(), http.MethodDelete, srv.URL, "")
	_, err := req.Check("test.Delete", http.StatusOK, http.StatusNoContent)
	var ae *apierror.Error
	if !errors.Is(err, apierror.ErrHTMLResponse) || !errors.As(err, &ae) || ae.StatusCode != 200 || !strings.Contains(ae.Body, "sign in") {
		t.Fatalf("err = %v, want ErrHTMLResponse for a 200 HTML page", err)
	}
}

func TestStreamRefusesAJSONAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":"E1","message":"export not ready"}`)
	}))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{DecodeError: func(e *apierror.Error, body []byte) { e.Code, e.Message = "E1", "export not ready" }})
	var buf bytes.Buffer
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	n, err := req.Stream("test.Download", &buf)
	if !errors.Is(err, apierror.ErrVendor) || n != 0 || buf.Len() != 0 || !strings.Contains(err.Error(), "export not ready") {
		t.Fatalf("err = %v, %d bytes; want ErrVendor and nothing written", err, n)
	}
}

func TestHugeVendorMessageIsCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "x")
	}))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{DecodeError: func(e *apierror.Error, body []byte) {
		e.Message = strings.Repeat("m", 50000)
		for range 100 {
			e.Details = append(e.Details, strings.Repeat("d", 5000))
		}
	}})
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	_, err := req.Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || len(ae.Message) > apierror.MaxBodyExcerpt+32 || len(ae.Details) != 21 || len(err.Error()) > 40<<10 {
		t.Fatalf("message %d bytes, %d details, error text %d bytes: want them capped", len(ae.Message), len(ae.Details), len(err.Error()))
	}
}

func TestSecretsCarriedByTheCallAreMasked(t *testing.T) {
	const p12 = "p12-pass-7f6e5d"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "cannot open the file with "+p12)
	}))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{DecodeError: func(e *apierror.Error, body []byte) { e.Message = string(body) }})
	req := do(t, c, context.Background(), http.MethodPost, srv.URL, "file", secrets(p12))
	_, err := req.Check("test.Upload")
	var ae *apierror.Error
	if !errors.As(err, &ae) || strings.Contains(err.Error(), p12) || strings.Contains(ae.Body, p12) || !strings.Contains(ae.Message, "cannot open") {
		t.Fatalf("err = %v; want the echoed password masked", err)
	}
}

func TestSecretAcrossTheExcerptCutIsMaskedWhole(t *testing.T) {
	const password = "Across-The-Cut-Passw0rd"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		// The password starts a few bytes before the excerpt ends.
		_, _ = io.WriteString(w, strings.Repeat("x", apierror.MaxBodyExcerpt-5)+password+strings.Repeat("y", 10000))
	}))
	defer srv.Close()
	c := newClient(t, transport.WithBasicAuth("admin", password))
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	_, err := req.Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || strings.Contains(ae.Body, password[:5]) || !strings.HasSuffix(ae.Body, apierror.TruncationMark) {
		t.Fatalf("excerpt ends %q: the secret must be masked whole and the cut marked", ae.Body[len(ae.Body)-40:])
	}
}

func TestConnectionIsReusedWhenADecoderStopsEarly(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"a":1}`)
		w.(http.Flusher).Flush() // chunked: the terminating chunk follows the JSON, later
		time.Sleep(20 * time.Millisecond)
		_, _ = io.WriteString(w, "\n")
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := newClient(t)
	for range 5 {
		req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
		var v struct{ A int }
		err := c.Decode(req.ctx, req.op("test.Get", nil), func(_ *http.Response, body io.Reader) error {
			return json.NewDecoder(body).Decode(&v)
		})
		if err != nil || v.A != 1 {
			t.Fatal(err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for 5 sequential calls, want 1", n)
	}
}

// The attempt log says whether the call may be sent again: the fact the
// proof suite reads to tell reads from writes (internal/proof).
func TestAttemptLogSaysWhetherTheCallMayBeRepeated(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name, method, path string
		want               string
	}{
		{"GET by method", http.MethodGet, "/x", "repeatable=true"},
		{"POST by method", http.MethodPost, "/x", "repeatable=false"},
		{"POST read-only in the spec", http.MethodPost, "/search", "repeatable=true"},
		{"PUT never in the spec", http.MethodPut, "/finish", "repeatable=false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logger, buf, mu := captureLogger()
			c := newSpecClient(t, transport.WithLogger(logger))
			if _, err := do(t, c, context.Background(), tc.method, srv.URL+tc.path, "").Check("test.Call"); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !strings.Contains(buf.String(), tc.want) {
				t.Errorf("log %q lacks %s", buf.String(), tc.want)
			}
		})
	}
}
