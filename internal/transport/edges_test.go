package transport_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// answer is a response of the fake network to r.
func answer(r *http.Request, status int, contentType string, body []byte, contentLength int64) *http.Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: contentLength, Request: r}
}

// jsonOfLength is a JSON object of exactly n bytes (n >= 8).
func jsonOfLength(n int) []byte {
	return []byte(`{"a":"` + strings.Repeat("x", n-8) + `"}`)
}

// attemptCounter is a cookie jar that counts the attempts: http.Client asks
// the jar for cookies once per request it sends, so once per attempt, also
// for an attempt that fails before it reaches the network.
type attemptCounter struct{ n atomic.Int32 }

func (j *attemptCounter) SetCookies(*url.URL, []*http.Cookie) {}
func (j *attemptCounter) Cookies(*url.URL) []*http.Cookie {
	j.n.Add(1)
	return nil
}

// A redirect from https to http on the same host would send the
// credentials in clear: it is not followed, and the 3xx it leaves is an
// error, not a success.
func TestRedirectToPlainHTTPOnTheSameHostIsNotFollowed(t *testing.T) {
	var plain atomic.Int32
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Scheme == "http" {
			plain.Add(1)
			return answer(r, http.StatusOK, "application/json", []byte(`{}`), 2), nil
		}
		resp := answer(r, http.StatusFound, "", nil, 0)
		resp.Header.Set("Location", "http://"+r.URL.Host+"/next")
		return resp, nil
	})
	c := newClient(t, transport.WithTransport(network), transport.WithBasicAuth("admin", "pw-1234"))
	_, err := do(t, c, context.Background(), http.MethodGet, "https://127.0.0.1:8443/start", "").Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusFound || plain.Load() != 0 {
		t.Fatalf("err = %v, %d plain-http requests; want the 302 as an error and nothing sent over http", err, plain.Load())
	}
}

// Only localhost, names under .localhost and loopback addresses count as
// loopback for credentials over plain http; a name that merely contains
// "localhost" is a remote host.
func TestLoopbackIsOnlyLoopback(t *testing.T) {
	creds := transport.NewConfig(transport.WithBasicAuth("u", "p"))
	for _, tc := range []struct {
		host     string
		loopback bool
	}{
		{"localhost", true}, {"LOCALHOST", true}, {"api.localhost", true}, {"127.0.0.1", true}, {"127.8.9.10", true}, {"[::1]", true}, {"[::ffff:127.0.0.1]", true},
		{"localhost.example.com", false}, {"evil-localhost", false}, {"mylocalhost", false}, {"10.0.0.1", false}, {"[::1%25lo]", false}, {"[::ffff:10.0.0.1]", false},
	} {
		_, err := transport.CheckBaseURL("test.NewClient", "http://"+tc.host+":8080", creds)
		if tc.loopback != (err == nil) {
			t.Errorf("CheckBaseURL(http://%s) with credentials: err = %v, want accepted %v", tc.host, err, tc.loopback)
		}
		var sent atomic.Int32
		network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent.Add(1)
			return answer(r, http.StatusNoContent, "", nil, 0), nil
		})
		c := newClient(t, transport.WithTransport(network), transport.WithBasicAuth("u", "p"))
		_, err = do(t, c, context.Background(), http.MethodGet, "http://"+tc.host+":8080/api", "").Check("test.Get")
		if tc.loopback != (err == nil) || tc.loopback != (sent.Load() == 1) {
			t.Errorf("credentials to http://%s: err = %v, %d sent; want sent %v", tc.host, err, sent.Load(), tc.loopback)
		}
	}
}

// Failures a retry cannot fix end the call after one attempt, even for a
// GET: an authenticator's own failure and credentials refused over plain
// http.
func TestPermanentFailuresAreNotRetried(t *testing.T) {
	var sent atomic.Int32
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return answer(r, http.StatusOK, "application/json", []byte(`{}`), 2), nil
	})
	refused := errors.New("token endpoint refused the client")
	var authCalls atomic.Int32
	failing := transport.AuthenticatorFunc(func(*http.Request) error { authCalls.Add(1); return refused })
	for _, tc := range []struct {
		name string
		auth transport.Authenticator
		url  string
		want error
	}{
		{"authenticator fails", failing, "https://core.example.com/api", refused},
		{"plain http to a remote host", transport.BasicAuth("admin", "pw-1234"), "http://core.example.com/api", transport.ErrPlainHTTP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sent.Store(0)
			authCalls.Store(0)
			attempts := &attemptCounter{}
			c := newClient(t, transport.WithTransport(network), transport.WithAuth(tc.auth), transport.WithCookieJar(attempts))
			_, err := do(t, c, context.Background(), http.MethodGet, tc.url, "").Check("test.Get")
			if !errors.Is(err, tc.want) || attempts.n.Load() != 1 || sent.Load() != 0 {
				t.Fatalf("err = %v after %d attempts, %d sent; want %v after 1 attempt and nothing sent", err, attempts.n.Load(), sent.Load(), tc.want)
			}
			if errors.Is(tc.want, refused) && authCalls.Load() != 1 {
				t.Fatalf("authenticator called %d times, want 1", authCalls.Load())
			}
		})
	}
}

// A Retry-After equal to MaxRetryAfter is within the cap and honoured; only
// a longer one fails fast. With a cap of 0, "Retry-After: 0" retries at once.
func TestRetryAfterEqualToTheCapIsHonoured(t *testing.T) {
	s := &script{statuses: []int{503, 200}, headers: []http.Header{{"Retry-After": {"0"}}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	p := fastRetry
	p.MaxRetryAfter = 0
	c := newClient(t, transport.WithRetry(p))
	if _, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get"); err != nil || s.hits.Load() != 2 {
		t.Fatalf("err = %v after %d hits; want the retry the Retry-After allowed", err, s.hits.Load())
	}
}

// closeCounter is an answer body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed *atomic.Int32
}

func (b closeCounter) Close() error { b.closed.Add(1); return nil }

// Every reading path closes the answer: success or error, read whole or in
// part, refused as HTML or as JSON in place of a file. An answer left open
// holds its connection (and the attempt's context) until the pool runs dry.
func TestEveryAnswerIsClosed(t *testing.T) {
	longJSON := append(jsonOfLength(2000), []byte("\n{\"next\":1}\n")...)
	html := []byte("<!DOCTYPE html><html><body>Sign in</body></html>")
	decodeFirst := func(c *transport.Client, call transport.Call) error {
		return c.Decode(context.Background(), call, func(_ *http.Response, body io.Reader) error {
			var v struct{ A string }
			return json.NewDecoder(body).Decode(&v) // reads the first value only
		})
	}
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        []byte
		call        func(c *transport.Client, call transport.Call) error
		wantErr     bool
	}{
		{"JSON", 200, "application/json", []byte(`{"a":"1"}`), func(c *transport.Client, call transport.Call) error {
			return c.JSON(context.Background(), call, &struct{ A string }{})
		}, false},
		{"JSON error answer", 400, "application/json", []byte(`{"error":"bad"}`), func(c *transport.Client, call transport.Call) error {
			return c.JSON(context.Background(), call, nil)
		}, true},
		{"JSON answered with HTML", 200, "text/plain", html, func(c *transport.Client, call transport.Call) error {
			return c.JSON(context.Background(), call, nil)
		}, true},
		{"NoContent with a body", 200, "application/json", []byte(`{}`), func(c *transport.Client, call transport.Call) error {
			return c.NoContent(context.Background(), call)
		}, false},
		{"NoContent error answer", 404, "", nil, func(c *transport.Client, call transport.Call) error {
			return c.NoContent(context.Background(), call)
		}, true},
		{"Stream", 200, "text/csv", []byte("a,b\n1,2\n"), func(c *transport.Client, call transport.Call) error {
			_, err := c.Stream(context.Background(), call, io.Discard)
			return err
		}, false},
		{"Stream answered with JSON", 200, "application/json", []byte(`{"error":"not ready"}`), func(c *transport.Client, call transport.Call) error {
			_, err := c.Stream(context.Background(), call, io.Discard)
			return err
		}, true},
		{"Stream answered with HTML", 200, "text/csv", html, func(c *transport.Client, call transport.Call) error {
			_, err := c.Stream(context.Background(), call, io.Discard)
			return err
		}, true},
		{"Decode reading part of the body", 200, "application/json", longJSON, decodeFirst, false},
		{"Decode answered with HTML", 200, "application/json", html, decodeFirst, true},
		{"Decode error answer", 500, "application/json", []byte(`{}`), decodeFirst, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var closed atomic.Int32
			network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp := answer(r, tc.status, tc.contentType, nil, int64(len(tc.body)))
				resp.Body = closeCounter{Reader: bytes.NewReader(tc.body), closed: &closed}
				return resp, nil
			})
			c := newClient(t, transport.WithTransport(network), transport.WithMaxAttempts(1))
			req, err := http.NewRequest(http.MethodGet, "https://core.example.com/api", nil)
			if err != nil {
				t.Fatal(err)
			}
			err = tc.call(c, transport.Call{Op: "test.Call", Request: req})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if closed.Load() == 0 {
				t.Fatal("the answer was never closed")
			}
		})
	}
}

// MaxJSONBody holds whether or not the answer declares its length: a body
// of exactly the cap is read, one byte more is ErrResponseTooLarge, and a
// huge body of unknown length is not read much past the cap.
func TestJSONCapHoldsWithAndWithoutContentLength(t *testing.T) {
	const limit = 1024
	for _, tc := range []struct {
		name     string
		size     int
		declared bool
		tooLarge bool
	}{
		{"exactly the cap, length declared", limit, true, false},
		{"exactly the cap, length unknown", limit, false, false},
		{"one byte over, length declared", limit + 1, true, true},
		{"one byte over, length unknown", limit + 1, false, true},
		{"a MiB, length unknown", 1 << 20, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := jsonOfLength(tc.size)
			var read atomic.Int64
			network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				cl := int64(-1)
				if tc.declared {
					cl = int64(len(body))
				}
				resp := answer(r, http.StatusOK, "application/json", nil, cl)
				resp.Body = io.NopCloser(readCounter{r: bytes.NewReader(body), n: &read})
				return resp, nil
			})
			cfg := transport.NewConfig(transport.WithRetry(fastRetry), transport.WithTransport(network))
			cfg.MaxJSONBody = limit
			c, err := transport.New(cfg, transport.Rules{})
			if err != nil {
				t.Fatal(err)
			}
			var v struct{ A string }
			err = do(t, c, context.Background(), http.MethodGet, "https://core.example.com/api", "").JSON("test.Get", &v)
			switch {
			case tc.tooLarge && !errors.Is(err, apierror.ErrResponseTooLarge):
				t.Fatalf("err = %v, want ErrResponseTooLarge", err)
			case !tc.tooLarge && (err != nil || len(v.A) != tc.size-8):
				t.Fatalf("err = %v, decoded %d bytes; want the whole body", err, len(v.A))
			}
			if n := read.Load(); n > 16<<10 && n > int64(tc.size) {
				t.Fatalf("read %d bytes of a %d-byte answer against a %d-byte cap", n, tc.size, limit)
			}
		})
	}
}

type readCounter struct {
	r io.Reader
	n *atomic.Int64
}

func (c readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A round tripper of the caller's may hand over a body shorter than its
// Content-Length without an error (net/http's own reports one): the
// download is still a truncation, not a complete file.
func TestStreamShorterThanContentLengthIsTruncated(t *testing.T) {
	body := []byte("a,b\n1,2\n")
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return answer(r, http.StatusOK, "text/csv", body, 100), nil
	})
	c := newClient(t, transport.WithTransport(network))
	var buf bytes.Buffer
	n, err := do(t, c, context.Background(), http.MethodGet, "https://core.example.com/export", "").Stream("test.Download", &buf)
	if !errors.Is(err, apierror.ErrTruncated) || n != int64(len(body)) {
		t.Fatalf("n = %d, err = %v; want ErrTruncated after %d bytes", n, err, len(body))
	}
}

// NoContent looks at a body of unknown length (chunked) as at one of a
// declared length: an HTML page or the vendor's error in it is an error.
func TestNoContentChecksABodyOfUnknownLength(t *testing.T) {
	rules := transport.Rules{ErrorInBody: func(body []byte) *transport.BodyError {
		if bytes.Contains(body, []byte(`"error"`)) {
			return &transport.BodyError{Message: "refused"}
		}
		return nil
	}}
	for _, tc := range []struct {
		body string
		want error
	}{
		{"<!DOCTYPE html><html><body>Sign in</body></html>", apierror.ErrHTMLResponse},
		{`{"error":"refused"}`, apierror.ErrVendor},
	} {
		network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return answer(r, http.StatusOK, "application/json", []byte(tc.body), -1), nil
		})
		c := newClientWithRules(t, rules, transport.WithTransport(network))
		if _, err := do(t, c, context.Background(), http.MethodDelete, "https://core.example.com/api/1", "").Check("test.Delete"); !errors.Is(err, tc.want) {
			t.Errorf("body %q of unknown length: err = %v, want %v", tc.body, err, tc.want)
		}
	}
}

// The gzip bound refuses a bomb, not real answers: repetitive JSON far
// above the ratio but within the first MiB, and a large export of ordinary
// compressibility (about 6x) well past the first MiB, both come through
// whole. The export is one 64 KiB block compressed once and sent as 32
// gzip members, which a gzip reader inflates as one stream.
func TestGzipBoundLetsRealAnswersThrough(t *testing.T) {
	var block []byte
	for i := 0; len(block) < 64<<10; i++ {
		block = fmt.Appendf(block, "%d,CN=device-%d.example.com,2027-01-01\n", i, i*7919%1000003)
	}
	block = block[:64<<10]
	csv := bytes.Repeat(block, 32)
	spaces := []byte(`{"a":"` + strings.Repeat(" ", 256<<10) + `"}`)
	fast := func(b []byte) []byte {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		if err == nil {
			_, err = zw.Write(b)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	zipped := map[string][]byte{"/csv": bytes.Repeat(fast(block), 32), "/json": fast(spaces)}
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		z := zipped[r.URL.Path]
		resp := answer(r, http.StatusOK, "application/octet-stream", z, int64(len(z)))
		resp.Header.Set("Content-Encoding", "gzip")
		resp.Header.Set("Content-Length", strconv.Itoa(len(z)))
		return resp, nil
	})
	c := newClient(t, transport.WithTransport(network))
	var buf bytes.Buffer
	if n, err := do(t, c, context.Background(), http.MethodGet, "https://core.example.com/csv", "").Stream("test.Download", &buf); err != nil || !bytes.Equal(buf.Bytes(), csv) {
		t.Fatalf("2 MiB at a ratio of %d: %d bytes, %v", len(csv)/len(zipped["/csv"]), n, err)
	}
	var v struct{ A string }
	if err := do(t, c, context.Background(), http.MethodGet, "https://core.example.com/json", "").JSON("test.Get", &v); err != nil || len(v.A) != 256<<10 {
		t.Fatalf("256 KiB at a ratio of about 900: %v", err)
	}
}

// A server may echo the Authorization header's credentials without the
// scheme word before them: the base64 of "user:password" is masked too.
// ("root:" is 5 bytes, so the password's own base64 does not appear inside
// it: only the header's form, declared as a secret, can mask it.)
func TestBasicCredentialsAreMaskedInTheirBase64Form(t *testing.T) {
	const user, password = "root", "pw-Base64-Echo"
	encoded := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"credentials `+strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")+` were rejected"}`)
	}))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{DecodeError: func(e *apierror.Error, body []byte) { e.Message = string(body) }},
		transport.WithBasicAuth(user, password))
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Body, "were rejected") {
		t.Fatalf("err = %v, want the 401 with its body", err)
	}
	for _, text := range []string{err.Error(), ae.Body, ae.Message} {
		if strings.Contains(text, encoded[:12]) {
			t.Fatalf("the base64 credentials %s show in %q", encoded, text)
		}
	}
}

// clientCredentials is a token source that knows a secret of its own (an
// OAuth client secret), which a token endpoint or API may echo.
type clientCredentials struct{ secret string }

func (clientCredentials) Token(context.Context) (string, error) { return "issued-token-42", nil }
func (s clientCredentials) Secrets() []string                   { return []string{s.secret} }

func TestTokenSourceSecretsAreMasked(t *testing.T) {
	const secret = "client-s3cret-value"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"client with `+secret+` is disabled"}`)
	}))
	defer srv.Close()
	c := newClientWithRules(t, transport.Rules{DecodeError: func(e *apierror.Error, body []byte) { e.Message = string(body) }},
		transport.WithAuth(transport.HeaderToken(clientCredentials{secret: secret}, "Authorization", "Bearer ")))
	_, err := do(t, c, context.Background(), http.MethodGet, srv.URL, "").Check("test.Get")
	var ae *apierror.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Body, "is disabled") {
		t.Fatalf("err = %v, want the 401 with its body", err)
	}
	for _, text := range []string{err.Error(), ae.Body, ae.Message} {
		if strings.Contains(text, secret) {
			t.Fatalf("the token source's secret shows in %q", text)
		}
	}
}

// Close reads away what a decoder left of the body (the end of a chunked
// answer that arrives after the value), so the connection is reused. The
// body is longer than the HTML sniffer's look-ahead, and the server sends
// its end only once the reader has returned, so the reader has not seen it.
func TestDecodeDrainsWhatTheReaderLeft(t *testing.T) {
	var conns atomic.Int32
	release := make(chan struct{}, 3)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jsonOfLength(2000))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
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
	for range 3 {
		req := do(t, c, context.Background(), http.MethodGet, srv.URL, "")
		var v struct{ A string }
		err := c.Decode(req.ctx, req.op("test.Get", nil), func(_ *http.Response, body io.Reader) error {
			err := json.NewDecoder(body).Decode(&v)
			release <- struct{}{}
			return err
		})
		if err != nil || len(v.A) != 1992 {
			t.Fatalf("err = %v, %d bytes decoded", err, len(v.A))
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("%d connections for 3 sequential calls, want 1", n)
	}
}

// cancelAfterFirstWrite is a download's destination that ends the call's
// context once the first bytes reach it.
type cancelAfterFirstWrite struct {
	cancel context.CancelFunc
	n      int
}

func (w *cancelAfterFirstWrite) Write(p []byte) (int, error) {
	w.n += len(p)
	w.cancel()
	return len(p), nil
}

// A download the caller cancels half-way ends with the context's error,
// not with ErrTruncated: the server did not cut the body short, the caller
// stopped reading it.
func TestCancelledDownloadIsNotATruncation(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", "100000")
		_, _ = w.Write(bytes.Repeat([]byte("a,b\n"), 1000))
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes; the client gives up first
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newClient(t, transport.WithMaxAttempts(1))
	w := &cancelAfterFirstWrite{cancel: cancel}
	_, err := do(t, c, ctx, http.MethodGet, srv.URL, "").Stream("test.Download", w)
	if !errors.Is(err, context.Canceled) || errors.Is(err, apierror.ErrTruncated) || w.n == 0 {
		t.Fatalf("err = %v after %d bytes; want context.Canceled and no ErrTruncated", err, w.n)
	}
}

// The transport asks for gzip itself (to bound what an answer inflates
// to), but not over a request that says otherwise: a caller's own
// Accept-Encoding is kept, a Range request (whose bytes must be the
// file's) and a HEAD ask for no encoding.
func TestAcceptEncodingOnlyWhereTheCallLeavesItOpen(t *testing.T) {
	var got string
	network := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = strings.Join(r.Header.Values("Accept-Encoding"), ",")
		return answer(r, http.StatusNoContent, "", nil, 0), nil
	})
	c := newClient(t, transport.WithTransport(network))
	for _, tc := range []struct {
		method, name, value, want string
	}{
		{http.MethodGet, "", "", "gzip"},
		{http.MethodGet, "Accept-Encoding", "identity", "identity"},
		{http.MethodGet, "Range", "bytes=0-99", ""},
		{http.MethodHead, "", "", ""},
	} {
		s := do(t, c, context.Background(), tc.method, "https://vendor.example/api/x", "")
		if tc.name != "" {
			s.call.Request.Header.Set(tc.name, tc.value)
		}
		got = "unset"
		if _, err := s.Check("test.Get"); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s with %s %q: Accept-Encoding %q, want %q", tc.method, tc.name, tc.value, got, tc.want)
		}
	}
}
