package mimcm

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Client talks to one MIM CM REST API deployment. It is safe for
// concurrent use.
type Client struct {
	t   *transport.Client
	raw *mimcmapi.Client
}

// Option configures a Client.
type Option = transport.Option

// RetryPolicy says when and how long to wait between attempts.
type RetryPolicy = transport.RetryPolicy

// TokenSource supplies a bearer token for ADFS deployments (see WithToken).
type TokenSource = transport.TokenSource

// NewClient returns a client for the deployment at baseURL, the host the
// API was deployed on (e.g. "https://cm.contoso.com"), without the
// /CertificateManagement/api/v1.0 part.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg := transport.NewConfig(opts...)
	cfg.DecodeError = decodeError
	t, err := transport.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("mimcm: %w", err)
	}
	raw, err := mimcmapi.NewClient(baseURL, mimcmapi.WithHTTPClient(t))
	if err != nil {
		return nil, fmt.Errorf("mimcm: %w", err)
	}
	return &Client{t: t, raw: raw}, nil
}

// Raw returns the generated client for calls this package does not wrap.
// Its requests go through the same transport (auth, retries, TLS).
func (c *Client) Raw() *mimcmapi.Client { return c.raw }

// WithBasicAuth sends HTTP basic credentials on every attempt. Deployments
// that only accept Windows Integrated Authentication need an NTLM or
// Negotiate round tripper too (see the package documentation).
func WithBasicAuth(username, password string) Option {
	return transport.WithBasicAuth(username, password)
}

// WithToken sends "Authorization: Bearer <token>" from ts on every attempt
// (ADFS deployments).
func WithToken(ts TokenSource) Option {
	return transport.WithAuth(transport.HeaderToken(ts, "Authorization", "Bearer "))
}

// WithHTTPClient uses hc's Transport and cookie jar as the base below the
// client's retries, auth and logging: the way to plug in a Windows
// Integrated Authentication (NTLM/Negotiate) client or a proxy.
func WithHTTPClient(hc *http.Client) Option { return transport.WithHTTPClient(hc) }

// WithTransport sets the base round tripper, e.g. an NTLM or Negotiate
// round tripper (see the package documentation).
func WithTransport(rt http.RoundTripper) Option { return transport.WithTransport(rt) }

// WithCookieJar keeps the server's session cookie across calls.
func WithCookieJar(jar http.CookieJar) Option { return transport.WithCookieJar(jar) }

// WithRetry replaces the retry policy. GET calls are retried on 429, 5xx and
// dropped connections.
func WithRetry(p RetryPolicy) Option { return transport.WithRetry(p) }

// WithMaxAttempts sets how many attempts a call gets (1 disables retries).
func WithMaxAttempts(n int) Option { return transport.WithMaxAttempts(n) }

// WithLogger logs each attempt at debug level (method, redacted URL,
// status, attempt, duration); credentials are never logged.
func WithLogger(l *slog.Logger) Option { return transport.WithLogger(l) }

// WithTimeout bounds each attempt until the response headers arrive.
func WithTimeout(d time.Duration) Option { return transport.WithTimeout(d) }

// WithRootCAs trusts pool instead of the system roots (an enterprise CA).
func WithRootCAs(pool *x509.CertPool) Option { return transport.WithRootCAs(pool) }

// WithClientCertificate presents cert for mutual TLS.
func WithClientCertificate(cert tls.Certificate) Option {
	return transport.WithClientCertificate(cert)
}

// WithInsecureSkipVerify turns off server certificate verification. Use it
// only against a lab server: it exposes credentials on the network path.
func WithInsecureSkipVerify() Option { return transport.WithInsecureSkipVerify() }

// WithUserAgent replaces the User-Agent header.
func WithUserAgent(ua string) Option { return transport.WithUserAgent(ua) }

// WithHeader adds a header to every request.
func WithHeader(name, value string) Option { return transport.WithHeader(name, value) }

// Error is the error every call returns for a failed request; match it
// with errors.As and the sentinels with errors.Is.
type Error = apierror.Error

// Sentinels for errors.Is.
var (
	ErrUnauthorized       = apierror.ErrUnauthorized
	ErrForbidden          = apierror.ErrForbidden
	ErrNotFound           = apierror.ErrNotFound
	ErrRateLimited        = apierror.ErrRateLimited
	ErrServer             = apierror.ErrServer
	ErrHTMLResponse       = apierror.ErrHTMLResponse
	ErrUnexpectedResponse = apierror.ErrUnexpectedResponse
	ErrTruncated          = apierror.ErrTruncated
	ErrRetryAfterTooLong  = apierror.ErrRetryAfterTooLong
	ErrInvalidInput       = apierror.ErrInvalidInput
)
