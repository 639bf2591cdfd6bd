package core

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"time"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
)

// Client talks to the v2 API of one MobileIron Core server. It is safe for
// concurrent use.
type Client struct {
	t       *transport.Client
	raw     *coreapi.Client
	spaceID int64
}

// Option configures a Client.
type Option = transport.Option

// RetryPolicy says when and how long to wait between attempts of a call
// that is safe to repeat.
type RetryPolicy = transport.RetryPolicy

// DefaultAdminDeviceSpaceID is the device space used unless
// WithAdminDeviceSpaceID says otherwise: 1, the global space of a Core
// server and the seed's sample value.
const DefaultAdminDeviceSpaceID = 1

type settings struct {
	spaceID    int64
	spaceIDSet bool
}

// WithAdminDeviceSpaceID sets the administrator's device space, sent as
// adminDeviceSpaceId with every call that needs it (query parameter for the
// certificate export calls, body field for the certificate search).
func WithAdminDeviceSpaceID(id int64) Option {
	return func(c *transport.Config) {
		s := transport.Extension[settings](c)
		s.spaceID, s.spaceIDSet = id, true
	}
}

// WithBasicAuth sends the Core administrator's credentials on every request.
// Core does not answer with a challenge, so they are sent preemptively.
func WithBasicAuth(user, password string) Option { return transport.WithBasicAuth(user, password) }

// WithHTTPClient uses hc's transport and cookie jar beneath the SDK's
// retries, authentication and logging.
func WithHTTPClient(hc *http.Client) Option { return transport.WithHTTPClient(hc) }

// WithTransport sets the base round tripper (a proxy, a test transport).
func WithTransport(rt http.RoundTripper) Option { return transport.WithTransport(rt) }

// WithCookieJar replaces the client's in-memory cookie jar. Core's
// multipart calls may need the JSESSIONID cookie of an earlier call, so a
// Client keeps cookies by default.
func WithCookieJar(jar http.CookieJar) Option { return transport.WithCookieJar(jar) }

// WithLogger logs every attempt at debug level (method, redacted URL,
// status, duration); credentials never appear.
func WithLogger(l *slog.Logger) Option { return transport.WithLogger(l) }

// WithRetry replaces the retry policy of calls that are safe to repeat.
// Upload, delete, revoke and export initiation are never repeated once
// they may have reached the server.
func WithRetry(p RetryPolicy) Option { return transport.WithRetry(p) }

// WithMaxAttempts sets how many attempts a repeatable call gets (1 disables retries).
func WithMaxAttempts(n int) Option { return transport.WithMaxAttempts(n) }

// WithTimeout bounds each attempt until the response headers arrive; a
// long CSV download is bounded by the context only.
func WithTimeout(d time.Duration) Option { return transport.WithTimeout(d) }

// WithRootCAs trusts pool (a private CA) instead of the system roots.
func WithRootCAs(pool *x509.CertPool) Option { return transport.WithRootCAs(pool) }

// WithInsecureSkipVerify turns off verification of the server certificate.
// Only for a lab server: it exposes the credentials to anyone on the path.
func WithInsecureSkipVerify() Option { return transport.WithInsecureSkipVerify() }

// WithUserAgent replaces the User-Agent header.
func WithUserAgent(ua string) Option { return transport.WithUserAgent(ua) }

// NewClient returns a client for the Core server at baseURL (e.g.
// "https://core.example.com"; the /api/v2 paths are added per call).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg := transport.NewConfig(opts...)
	cfg.DecodeError = decodeError
	s := transport.Extension[settings](cfg)
	spaceID := int64(DefaultAdminDeviceSpaceID)
	if s.spaceIDSet {
		if s.spaceID <= 0 {
			return nil, apierror.Invalid("core.NewClient", "adminDeviceSpaceId must be positive, got %d", s.spaceID)
		}
		spaceID = s.spaceID
	}
	if cfg.CookieJar == nil && (cfg.HTTPClient == nil || cfg.HTTPClient.Jar == nil) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, fmt.Errorf("core.NewClient: cookie jar: %w", err)
		}
		cfg.CookieJar = jar
	}
	t, err := transport.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("core.NewClient: %w", err)
	}
	raw, err := coreapi.NewClient(baseURL, coreapi.WithHTTPClient(t))
	if err != nil {
		return nil, fmt.Errorf("core.NewClient: %w", err)
	}
	return &Client{t: t, raw: raw, spaceID: spaceID}, nil
}

// Raw returns the client generated from the OpenAPI document, for calls
// the methods of Client do not cover. Its requests go through the same
// retries, authentication and logging.
func (c *Client) Raw() *coreapi.Client { return c.raw }

// AdminDeviceSpaceID is the device space the client sends.
func (c *Client) AdminDeviceSpaceID() int64 { return c.spaceID }
