package enterpriseadmin_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

// fastRetry keeps retry waits tiny in tests.
var fastRetry = enterpriseadmin.WithRetry(enterpriseadmin.RetryPolicy{
	MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second,
})

// startFake starts a fake that is closed, and checked for spec violations
// and unused faults, when the test ends.
func startFake(t *testing.T, opts ...enterpriseadmintest.Option) *enterpriseadmintest.Server {
	t.Helper()
	return enterpriseadmintest.NewTestServer(t, opts...)
}

// newClient signs in to srv as the fake's default user.
func newClient(t *testing.T, srv *enterpriseadmintest.Server, opts ...enterpriseadmin.Option) *enterpriseadmin.Client {
	t.Helper()
	c, err := srv.NewClient(append([]enterpriseadmin.Option{fastRetry}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hostOf is the scheme and host of a base URL: the referer a client sends
// by default.
func hostOf(t *testing.T, baseURL string) string {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host
}

// exchange is one request as it left the client, after authentication.
type exchange struct {
	method, url string
	header      http.Header
	body        string
	respBody    string
}

// recorder is a base transport that keeps every request and response body.
type recorder struct {
	mu   sync.Mutex
	seen []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	ex := exchange{method: req.Method, url: req.URL.String(), header: req.Header.Clone(), body: string(body)}
	if err == nil {
		rb, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(rb))
		ex.respBody = string(rb)
	}
	r.mu.Lock()
	r.seen = append(r.seen, ex)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.seen...)
}

// testCertificate makes a self-signed ECDSA certificate and its key.
func testCertificate(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	return testcert.SelfSigned(t, x509.Certificate{
		SerialNumber: big.NewInt(0x178abe43781),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     []string{cn},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
	})
}

func testPFX(t *testing.T, cn, password string) []byte {
	t.Helper()
	cert, key := testCertificate(t, cn)
	pfx, err := pkcs12.Modern2023.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

func testPEM(t *testing.T, cn string) []byte {
	t.Helper()
	cert, _ := testCertificate(t, cn)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}
