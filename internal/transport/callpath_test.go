package transport_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

func TestPerCallOptionsApplyToThatCallOnly(t *testing.T) {
	var got []string
	s := &script{statuses: []int{503, 503, 200, 503, 503, 503, 503, 200}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("X-Call")+"|"+r.Header.Get("X-Client"))
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := newClient(t, transport.WithHeader("X-Client", "c"), transport.WithHeader("X-Call", "client"))
	// One call with its own header and a single attempt: no retry.
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	req.call.Settings = &transport.CallSettings{MaxAttempts: 1}
	req.call.Settings.SetHeader("X-Call", "one")
	if _, err := req.Check("test.Get"); !errors.Is(err, apierror.ErrServer) || s.hits.Load() != 1 {
		t.Fatalf("err = %v after %d hits, want one attempt and ErrServer", err, s.hits.Load())
	}
	// The next call has the client's policy (4 attempts) and header.
	if _, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get"); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 3 || got[0] != "one|c" || got[1] != "client|c" {
		t.Fatalf("hits %d, headers %q", s.hits.Load(), got)
	}
	// A call's own retry policy with other retryable statuses: 503 is not one.
	req = do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	p := fastRetry
	p.RetryableStatuses = []int{http.StatusTooManyRequests}
	req.call.Settings = &transport.CallSettings{Retry: &p}
	if _, err := req.Check("test.Get"); !errors.Is(err, apierror.ErrServer) || s.hits.Load() != 4 {
		t.Fatalf("err = %v after %d hits, want 503 not retried under the call's policy", err, s.hits.Load())
	}
}

func TestPerCallTimeoutReplacesTheClientOne(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	c := newClient(t, transport.WithMaxAttempts(1), transport.WithTimeout(time.Hour))
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	req.call.Settings = &transport.CallSettings{Timeout: 20 * time.Millisecond, HasTimeout: true}
	_, err := req.Check("test.Get")
	var te interface{ Timeout() bool }
	if !errors.As(err, &te) || !te.Timeout() {
		t.Fatalf("err = %v, want the call's own header timeout", err)
	}
}

func TestDoDecodesStreamsOrChecks(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"a":7}`)
		case "/csv":
			w.Header().Set("Content-Type", "text/csv")
			_, _ = io.WriteString(w, "a,b\n")
		case "/gone":
			w.WriteHeader(http.StatusNotFound)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	c := newClient(t)
	call := func(path string) transport.Call {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		return transport.Call{Op: "test.Do", Request: req}
	}
	var v struct{ A int }
	if err := c.Do(context.Background(), call("/json"), &v); err != nil || v.A != 7 {
		t.Fatalf("JSON: %v %+v", err, v)
	}
	var buf bytes.Buffer
	if err := c.Do(context.Background(), call("/csv"), &buf); err != nil || buf.String() != "a,b\n" {
		t.Fatalf("stream: %v %q", err, buf.String())
	}
	if err := c.Do(context.Background(), call("/none"), nil); err != nil {
		t.Fatalf("no content: %v", err)
	}
	if err := c.Do(context.Background(), call("/gone"), nil); !errors.Is(err, apierror.ErrNotFound) {
		t.Fatalf("404: %v", err)
	}
}

// A login page is refused by its body, whatever the Content-Type says,
// before a byte reaches the caller's writer.
func TestHTMLPageIsRefusedWhateverItsContentType(t *testing.T) {
	for _, ct := range []string{"text/csv", "application/octet-stream", "text/plain", "", "application/json"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = []string{ct}
			if ct == "" {
				w.Header()["Content-Type"] = nil
			}
			_, _ = io.WriteString(w, "\n  <!DOCTYPE html>\n<html><body><form>Sign in</form></body></html>")
		}))
		c := newClient(t)
		var buf bytes.Buffer
		_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Stream("test.Download", &buf)
		if ct != "application/json" && (!errors.Is(err, apierror.ErrHTMLResponse) || buf.Len() != 0) {
			t.Errorf("download labelled %q: err = %v, %d bytes written; want ErrHTMLResponse and nothing written", ct, err, buf.Len())
		}
		err = do(t, c, context.Background(), http.MethodGet, srv.URL, "").JSON("test.Get", &struct{}{})
		if !errors.Is(err, apierror.ErrHTMLResponse) {
			t.Errorf("JSON call answered %q: err = %v, want ErrHTMLResponse", ct, err)
		}
		srv.Close()
	}
}

// A CSV that merely contains "<html" later on is a file, not a page.
func TestCSVMentioningHTMLIsStillAFile(t *testing.T) {
	body := "id,note\n1,<html> is fine here\n" + strings.Repeat("x", 2000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		_, _ = io.WriteString(w, body)
	}))
	defer srv.Close()
	var buf bytes.Buffer
	n, err := do(t, newClient(t), context.Background(), http.MethodGet, srv.URL, "").Stream("test.Download", &buf)
	if err != nil || n != int64(len(body)) || buf.String() != body {
		t.Fatalf("n = %d, err = %v", n, err)
	}
}

func TestCheckBaseURL(t *testing.T) {
	creds := transport.NewConfig(transport.WithBasicAuth("u", "p"))
	// A certificate and key that are there (an empty one is refused on its own).
	cert := transport.NewConfig(transport.WithClientCertificate(tls.Certificate{Certificate: [][]byte{{0x30}}, PrivateKey: struct{}{}}))
	lab := transport.NewConfig(transport.WithBasicAuth("u", "p"), transport.WithInsecurePlainHTTP())
	none := transport.NewConfig()
	for _, tc := range []struct {
		url  string
		cfg  *transport.Config
		want string // "" means accepted
	}{
		{"https://core.example.com", creds, ""},
		{"https://core.example.com/", creds, ""},
		{"http://127.0.0.1:8080", creds, ""},
		{"http://localhost:8080/x", creds, ""},
		{"http://[::1]:8080", creds, ""},
		{"http://core.example.com", none, ""},
		{"http://core.example.com", lab, ""},
		{"", creds, "empty"},
		{"core.example.com", creds, "no scheme"},
		{"ftp://core.example.com", creds, "not http or https"},
		{"https://", creds, "no host"},
		{"https://core.example.com?x=1", creds, "query"},
		{"https://u:p@core.example.com", creds, "credentials"},
		{"http://core.example.com", creds, "plain http"},
		{"http://127.0.0.1", cert, "client certificate"},
	} {
		u, err := transport.CheckBaseURL("test.NewClient", tc.url, tc.cfg)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v", tc.url, err)
		case tc.want == "" && strings.HasSuffix(u.String(), "/"):
			t.Errorf("%q: kept a trailing slash: %s", tc.url, u)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, apierror.ErrInvalidInput)):
			t.Errorf("%q: err = %v, want an invalid-input error mentioning %q", tc.url, err, tc.want)
		}
	}
}

// roundTripFunc lets a test stand in for the network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCredentialsAreNeverSentOverPlainHTTPToARemoteHost(t *testing.T) {
	var sent atomic.Int32
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})
	c := newClient(t, transport.WithTransport(network), transport.WithBasicAuth("admin", "pw-1234"))
	_, err := do(t, c, context.Background(), http.MethodGet, "http://core.example.com/api", "").Check("test.Get")
	if !errors.Is(err, transport.ErrPlainHTTP) || sent.Load() != 0 {
		t.Fatalf("err = %v after %d requests, want ErrPlainHTTP and nothing sent", err, sent.Load())
	}
	c = newClient(t, transport.WithTransport(network), transport.WithBasicAuth("admin", "pw-1234"), transport.WithInsecurePlainHTTP())
	if _, err := do(t, c, context.Background(), http.MethodGet, "http://core.example.com/api", "").Check("test.Get"); err != nil || sent.Load() != 1 {
		t.Fatalf("with WithInsecurePlainHTTP: err = %v, %d requests", err, sent.Load())
	}
}

func TestUsersTransportGetsTheTLSDefaults(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	srv.StartTLS()
	defer srv.Close()
	own := srv.Client().Transport.(*http.Transport).Clone()
	own.TLSClientConfig.MinVersion = tls.VersionTLS10
	c := newClient(t, transport.WithTransport(own))
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	if err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("err = %v, want a TLS 1.1 server refused (TLS 1.2 minimum on the caller's transport)", err)
	}
	insecure := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // #nosec G402 -- the test checks it is refused
	if _, err := transport.New(transport.NewConfig(transport.WithTransport(insecure)), transport.Rules{}); err == nil {
		t.Fatal("a transport that turns verification off was accepted without WithInsecureSkipVerify")
	}
}

func TestDefaultTLSMinimumIs12(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	srv.StartTLS()
	defer srv.Close()
	c := newClient(t, transport.WithInsecureSkipVerify())
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	if err == nil || !strings.Contains(err.Error(), "protocol version") {
		t.Fatalf("err = %v, want a TLS 1.1 server refused", err)
	}
}

func TestRedirectToAnotherHostOrSchemeIsNotFollowed(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
	}))
	defer other.Close()
	for _, target := range []string{other.URL + "/steal", strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/steal"} {
		srv := httptest.NewServer(http.RedirectHandler(target, http.StatusFound))
		c := newClient(t, transport.WithBasicAuth("admin", "pw-1234"))
		_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
		srv.Close()
		if err == nil || leaked.Load() != 0 {
			t.Fatalf("redirect to %s: err = %v, %d requests with credentials reached it", target, err, leaked.Load())
		}
	}
	tlsSrv := httptest.NewTLSServer(http.RedirectHandler(other.URL, http.StatusFound))
	defer tlsSrv.Close()
	c := newClient(t, transport.WithBasicAuth("admin", "pw-1234"), transport.WithInsecureSkipVerify())
	if _, err := do(t, c, context.Background(), http.MethodGet, tlsSrv.URL, "").Check("test.Get"); err == nil || leaked.Load() != 0 {
		t.Fatalf("https → http redirect: err = %v, %d leaked", err, leaked.Load())
	}
}

// Error answers must be closed: a client that leaks them runs out of its
// 64 connections and then waits for ever.
func TestErrorAnswersAreClosed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, strings.Repeat("e", 100<<10)) // more than is read
	}))
	defer srv.Close()
	c := newClient(t, transport.WithMaxAttempts(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 200 {
		if _, err := do(t, c, ctx, http.MethodGet, srv.URL, "").Check("test.Get"); !errors.Is(err, apierror.ErrServer) && !errors.Is(err, context.DeadlineExceeded) && err == nil {
			t.Fatalf("call %d: %v", i, err)
		} else if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("call %d waited for a connection: error answers are not closed", i)
		}
	}
}

// Only MaxErrorBody of an error answer is read, however long it is.
func TestErrorBodyIsReadOnlyUpToItsCap(t *testing.T) {
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for range 32 << 10 { // up to 1 GiB
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newClient(t, transport.WithMaxAttempts(1))
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	if !errors.Is(err, apierror.ErrServer) {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	// What the server could push before the client closed: the cap plus
	// socket buffers, far below the gigabyte.
	if n := written.Load(); n > 64<<20 {
		t.Fatalf("server wrote %d MiB before the client stopped reading", n>>20)
	}
}

func TestTransportErrorTextIsSanitised(t *testing.T) {
	const password = "pw-in-error-7788"
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, errors.New("proxy said: bad " + r.Header.Get("Authorization") + " for password " + password)
	})
	logger, buf, mu := captureLogger()
	c := newClient(t, transport.WithTransport(network), transport.WithBasicAuth("admin", password), transport.WithLogger(logger), transport.WithMaxAttempts(1))
	_, err := do(t, c, context.Background(), http.MethodGet, "https://core.example.com/x", "").Check("test.Get")
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	if err == nil || strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "YWRtaW46") || strings.Contains(logs, password) {
		t.Fatalf("secret in error %q or log %q", err, logs)
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipAnswersAreInflatedWithinBounds(t *testing.T) {
	csv := bytes.Repeat([]byte("id,serial,subject,notAfter\n1,2,CN=x,2027\n"), 1000)
	bomb := gzipped(t, make([]byte, 64<<20)) // 64 MiB of zeros in about 64 KiB
	json := gzipped(t, []byte(`{"a":1}`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "no gzip asked", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		switch r.URL.Path {
		case "/csv":
			w.Header().Set("Content-Type", "text/csv")
			_, _ = w.Write(gzipped(t, csv))
		case "/cut":
			w.Header().Set("Content-Type", "text/csv")
			z := gzipped(t, csv)
			_, _ = w.Write(z[:len(z)/2])
		case "/json":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(json)
		default:
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(bomb)
		}
	}))
	defer srv.Close()
	c := newClient(t)
	var buf bytes.Buffer
	if n, err := do(t, c, context.Background(), http.MethodGet, srv.URL+"/csv", "").Stream("test.Download", &buf); err != nil || !bytes.Equal(buf.Bytes(), csv) {
		t.Fatalf("csv: %d bytes, %v", n, err)
	}
	var v struct{ A int }
	if err := do(t, c, context.Background(), http.MethodGet, srv.URL+"/json", "").JSON("test.Get", &v); err != nil || v.A != 1 {
		t.Fatalf("json: %v", err)
	}
	buf.Reset()
	if _, err := do(t, c, context.Background(), http.MethodGet, srv.URL+"/cut", "").Stream("test.Download", &buf); !errors.Is(err, apierror.ErrTruncated) {
		t.Fatalf("cut gzip: %v, want ErrTruncated", err)
	}
	buf.Reset()
	n, err := do(t, c, context.Background(), http.MethodGet, srv.URL+"/bomb", "").Stream("test.Download", &buf)
	if !errors.Is(err, apierror.ErrResponseTooLarge) || n > 32<<20 {
		t.Fatalf("bomb: %d bytes written, %v; want ErrResponseTooLarge well before 64 MiB", n, err)
	}
}

func TestRetriesDoNotPileUpCookies(t *testing.T) {
	var cookies []string
	s := &script{statuses: []int{503, 503, 200}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cookies = append(cookies, r.Header.Get("Cookie"))
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "s1"})
		s.ServeHTTP(w, r)
	}))
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := newClient(t, transport.WithCookieJar(jar))
	if _, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"", "JSESSIONID=s1", "JSESSIONID=s1"}; strings.Join(cookies, "|") != strings.Join(want, "|") {
		t.Fatalf("Cookie per attempt = %q, want %q", cookies, want)
	}
}

// A body cut off before its declared length is a truncation in every
// reading path, also when it is shorter than what the HTML sniffer reads
// ahead.
func TestShortTruncatedBodyIsATruncationWhenDecoded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, "status: not being")
		if hj, ok := w.(http.Hijacker); ok {
			conn, buf, _ := hj.Hijack()
			_ = buf.Flush()
			_ = conn.Close()
		}
	}))
	defer srv.Close()
	c := newClient(t, transport.WithMaxAttempts(1))
	req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
	var got []byte
	err := c.Decode(req.ctx, req.op("test.Status", nil), func(_ *http.Response, body io.Reader) error {
		var err error
		got, err = io.ReadAll(body)
		return err
	})
	if !errors.Is(err, apierror.ErrTruncated) {
		t.Fatalf("err = %v after reading %q, want ErrTruncated", err, got)
	}
}

// net/http drops a connection whose request context ends while it hands
// the connection back to its pool, so under load a client that cancels an
// attempt's context when the body closes opens more connections than its
// pool holds. No attempt context may end when its call succeeds; it ends
// with the call's own context only.
func TestAttemptContextOutlivesItsBody(t *testing.T) {
	var seen []context.Context
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.Context())
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"a":1}`)), ContentLength: 7, Request: r}, nil
	})
	// A round tripper of the caller's: the attempt bounds its header wait
	// with a context of its own.
	c := newClient(t, transport.WithTransport(network), transport.WithTimeout(time.Minute))
	callCtx, cancelCall := context.WithCancel(context.Background())
	req := do(t, c, callCtx, http.MethodGet, "https://example.test/x", "")
	var v struct{ A int }
	if err := req.JSON("test.Get", &v); err != nil || v.A != 1 {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0].Err() != nil {
		t.Fatalf("attempt contexts %d, err %v: ended with its body", len(seen), seen[0].Err())
	}
	cancelCall()
}

// Leading white space longer than the sniffer's first read is part of the
// file, not something to skip.
func TestLongLeadingWhiteSpaceIsKept(t *testing.T) {
	body := strings.Repeat("\n", 1500) + "id,serial\n1,2\n"
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv")
			if !chunked {
				w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			}
			_, _ = io.WriteString(w, body)
		}))
		var buf bytes.Buffer
		n, err := do(t, newClient(t), context.Background(), http.MethodGet, srv.URL, "").Stream("test.Download", &buf)
		srv.Close()
		if err != nil || n != int64(len(body)) || buf.String() != body {
			t.Errorf("chunked %v: %d of %d bytes, %v", chunked, n, len(body), err)
		}
	}
}

// A ratio set very high lifts the bound; it must not overflow into a
// bound that refuses everything.
func TestHugeExpansionRatioLiftsTheBound(t *testing.T) {
	plain := bytes.Repeat([]byte("a"), 3<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(gzipped(t, plain))
	}))
	defer srv.Close()
	c := newClient(t, func(c *transport.Config) { c.MaxExpansion = 1<<63 - 1 })
	var buf bytes.Buffer
	if n, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Stream("test.Download", &buf); err != nil || n != int64(len(plain)) {
		t.Fatalf("%d bytes, %v: a lifted bound refused the answer", n, err)
	}
}

// The plain-HTTP refusal says its reason once: the error text used to
// carry ErrPlainHTTP's sentence twice (as message and as cause).
func TestPlainHTTPRefusalSaysItsReasonOnce(t *testing.T) {
	cfg := transport.NewConfig()
	cfg.Auth = transport.BasicAuth("admin", "pw-1234")
	_, err := transport.CheckBaseURL("test.NewClient", "http://core.example.com", cfg)
	if !errors.Is(err, transport.ErrPlainHTTP) {
		t.Fatalf("err = %v, want ErrPlainHTTP", err)
	}
	if n := strings.Count(err.Error(), transport.ErrPlainHTTP.Error()); n != 1 {
		t.Errorf("the reason appears %d times in %q", n, err)
	}
}

// A base URL that already holds the API path would send every call to
// …/api/v2/api/v2/…; it is refused before anything is sent.
func TestRefuseAPIPath(t *testing.T) {
	for _, tc := range []struct {
		base, apiPath string
		refused       bool
	}{
		{"https://core.example.com", "/api/v2", false},
		{"https://core.example.com/mdm", "/api/v2", false},
		{"https://core.example.com/api/v2", "/api/v2", true},
		{"https://core.example.com/API/V2/", "/api/v2", true},
		{"https://core.example.com/api", "/api/v2", true},
		{"https://core.example.com/api/v2/certificates", "/api/v2", true},
		{"https://core.example.com/apiv2", "/api/v2", false},
		{"https://cm.contoso.com/certificatemanagement/", "/CertificateManagement/api/v1.0", true},
		{"https://gw.contoso.com/cm/CertificateManagement/api", "/CertificateManagement/api/v1.0", true},
		{"https://gw.contoso.com/cm", "/CertificateManagement/api/v1.0", false},
	} {
		u, err := url.Parse(tc.base)
		if err != nil {
			t.Fatal(err)
		}
		err = transport.RefuseAPIPath("test.NewClient", tc.base, u, tc.apiPath)
		if got := err != nil; got != tc.refused || (err != nil && !errors.Is(err, apierror.ErrInvalidInput)) {
			t.Errorf("%s with %s: err = %v, want refused=%v", tc.base, tc.apiPath, err, tc.refused)
		}
	}
}

// A base URL holding a version segment is refused for a client that adds
// one itself; a context path such as /api is not.
func TestRefuseVersionedPath(t *testing.T) {
	for _, tc := range []struct {
		base    string
		refused bool
	}{
		{"https://ilm.example.com", false},
		{"https://ilm.example.com/api", false},
		{"https://ilm.example.com/api/", false},
		{"https://ilm.example.com/vault", false},
		{"https://ilm.example.com/api/v1", true},
		{"https://ilm.example.com/API/V2/", true},
		{"https://ilm.example.com/api/v1/admins", true},
		{"https://ilm.example.com/v1", true},
	} {
		u, err := url.Parse(tc.base)
		if err != nil {
			t.Fatal(err)
		}
		err = transport.RefuseVersionedPath("test.NewClient", tc.base, u, "/v1/...", "https://ilm.example.com/api")
		if got := err != nil; got != tc.refused || (err != nil && !errors.Is(err, apierror.ErrInvalidInput)) {
			t.Errorf("%s: err = %v, want refused=%v", tc.base, err, tc.refused)
		}
	}
}
