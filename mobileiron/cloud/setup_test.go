package cloud_test

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// fastRetry keeps retry waits in milliseconds.
var fastRetry = cloud.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// recorder keeps every request's method, URL and body as sent on the wire.
type recorder struct {
	mu   sync.Mutex
	reqs []sent
}

type sent struct {
	Method, URL, ContentType, Body string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, sent{req.Method, req.URL.RequestURI(), req.Header.Get("Content-Type"), string(body)})
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// last returns the last request sent with method.
func (r *recorder) last(t *testing.T, method string) sent {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if r.reqs[i].Method == method {
			return r.reqs[i]
		}
	}
	t.Fatalf("no %s request was sent", method)
	return sent{}
}

// newFake starts a fake and a client for it; at cleanup it fails the test
// if any request or answer broke the spec or an injected fault was unused.
func newFake(t *testing.T, opts ...cloudtest.Option) (*cloudtest.Server, *cloud.Client, *recorder) {
	t.Helper()
	srv := cloudtest.NewTestServer(t, opts...)
	rec := &recorder{}
	c, err := srv.NewClient(
		cloud.WithRetry(fastRetry),
		cloud.WithHTTPClient(&http.Client{Transport: rec}),
		cloud.WithPollInterval(time.Millisecond), cloud.WithWaitTimeout(time.Minute), // a bound for a broken test, not a timing target
	)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, rec
}

// sent is how many requests went out.
func (r *recorder) sent() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}
