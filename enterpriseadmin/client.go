package enterpriseadmin

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/form"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// DefaultWebContext is the web context of a default ArcGIS Enterprise deployment.
const DefaultWebContext = "arcgis"

// DefaultTokenExpiration is the token lifetime asked of generateToken.
const DefaultTokenExpiration = 60 * time.Minute

// DefaultRefreshMargin is how long before its expiry a token is replaced.
const DefaultRefreshMargin = 5 * time.Minute

// Option configures a Client.
type Option = transport.Option

// RetryPolicy says when and how long to wait between attempts.
type RetryPolicy = transport.RetryPolicy

// Error is the error every call returns; match it with errors.As.
type Error = apierror.Error

// Sentinels for errors.Is. Errors reported inside an HTTP 200 body match
// ErrVendor and, for the codes they stand for, ErrUnauthorized (401, 498,
// 499), ErrForbidden (403) or ErrNotFound (404).
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
	ErrVendor             = apierror.ErrVendor
	ErrInvalidInput       = apierror.ErrInvalidInput
)

// settings are the options only this package has.
type settings struct {
	username, password string
	staticToken        string
	referer            string
	expiration         time.Duration
	margin             time.Duration
	legacyQuery        bool
	now                func() time.Time
}

func ext(c *transport.Config) *settings { return transport.Extension[settings](c) }

// WithCredentials signs in as a named administrator: the client calls
// generateToken with these credentials, caches the token, replaces it
// shortly before it expires and once when the server rejects it.
func WithCredentials(username, password string) Option {
	return func(c *transport.Config) { s := ext(c); s.username, s.password = username, password }
}

// WithToken uses a token obtained elsewhere. It cannot be refreshed: when
// the server rejects it, calls fail with ErrUnauthorized.
func WithToken(token string) Option {
	return func(c *transport.Config) { ext(c).staticToken = token }
}

// WithReferer sets the referer the token is generated for and sent with on
// every request (default: the base URL's scheme and host).
func WithReferer(referer string) Option {
	return func(c *transport.Config) { ext(c).referer = referer }
}

// WithTokenExpiration sets the lifetime asked of generateToken (whole
// minutes; the server may cap it). Default DefaultTokenExpiration.
func WithTokenExpiration(d time.Duration) Option {
	return func(c *transport.Config) { ext(c).expiration = d }
}

// WithRefreshMargin sets how long before expiry a token is replaced
// (default DefaultRefreshMargin, at most half the token's lifetime).
func WithRefreshMargin(d time.Duration) Option {
	return func(c *transport.Config) { ext(c).margin = d }
}

// WithLegacyTokenQuery sends the token of GET requests as the token query
// parameter instead of the X-Esri-Authorization header, for servers behind
// proxies that drop that header. POSTs keep it in the body either way.
func WithLegacyTokenQuery() Option {
	return func(c *transport.Config) { ext(c).legacyQuery = true }
}

// WithHTTPClient uses hc's transport below the SDK's retry and auth layers.
func WithHTTPClient(hc *http.Client) Option { return transport.WithHTTPClient(hc) }

// WithTransport sets the base round tripper.
func WithTransport(rt http.RoundTripper) Option { return transport.WithTransport(rt) }

// WithRetry replaces the retry policy. Imports, deletes and generateToken
// are never repeated once they may have reached the server.
func WithRetry(p RetryPolicy) Option { return transport.WithRetry(p) }

// WithMaxAttempts sets how many attempts a read gets (1 disables retries).
func WithMaxAttempts(n int) Option { return transport.WithMaxAttempts(n) }

// WithLogger logs each attempt at debug level; tokens and passwords are masked.
func WithLogger(l *slog.Logger) Option { return transport.WithLogger(l) }

// WithTimeout bounds each attempt until the response headers arrive.
func WithTimeout(d time.Duration) Option { return transport.WithTimeout(d) }

// WithRootCAs trusts pool instead of the system roots (a private CA).
func WithRootCAs(pool *x509.CertPool) Option { return transport.WithRootCAs(pool) }

// WithInsecureSkipVerify turns off server certificate checks. The token and
// password are then exposed to anyone on the network path: lab use only.
func WithInsecureSkipVerify() Option { return transport.WithInsecureSkipVerify() }

// WithUserAgent replaces the User-Agent header.
func WithUserAgent(ua string) Option { return transport.WithUserAgent(ua) }

// Client talks to the certificate resources of one ArcGIS Enterprise
// deployment. It is safe for concurrent use.
type Client struct {
	t       *transport.Client
	raw     *enterpriseadminapi.Client
	context enterpriseadminapi.Context
	auth    *tokenAuth
}

// NewClient returns a client for the deployment at baseURL (scheme and
// host, e.g. https://organization.example.com) under webContext ("" means
// DefaultWebContext). Authenticate with WithCredentials or WithToken.
func NewClient(baseURL, webContext string, opts ...Option) (*Client, error) {
	const op = "enterpriseadmin.NewClient"
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, apierror.Invalid(op, "base URL %q is not an http(s) URL with a host", baseURL)
	}
	webContext = trimSlash(webContext)
	if webContext == "" {
		webContext = DefaultWebContext
	}
	cfg := transport.NewConfig(opts...)
	cfg.DecodeError = decodeError
	s := ext(cfg)
	if s.username != "" && s.staticToken != "" {
		return nil, apierror.Invalid(op, "use either WithCredentials or WithToken, not both")
	}
	if s.username != "" && s.password == "" {
		return nil, apierror.Invalid(op, "WithCredentials needs a password")
	}
	if s.referer == "" {
		s.referer = u.Scheme + "://" + u.Host
	}
	if s.expiration <= 0 {
		s.expiration = DefaultTokenExpiration
	}
	if s.margin <= 0 {
		s.margin = DefaultRefreshMargin
	}
	if s.now == nil {
		s.now = time.Now
	}
	c := &Client{context: webContext}
	if s.username != "" || s.staticToken != "" {
		c.auth = &tokenAuth{password: s.password, referer: s.referer, legacy: s.legacyQuery, margin: s.margin, now: s.now}
		if s.staticToken != "" {
			c.auth.current = &issuedToken{value: s.staticToken}
			c.auth.remember(s.staticToken)
		}
		cfg.Auth = c.auth
	}
	c.t, err = transport.New(cfg)
	if err != nil {
		return nil, err
	}
	c.raw, err = enterpriseadminapi.NewClient(baseURL, enterpriseadminapi.WithHTTPClient(c.t))
	if err != nil {
		return nil, err
	}
	if s.username != "" {
		gen, err := newTokenGenerator(cfg, c.auth, baseURL, webContext, s)
		if err != nil {
			return nil, err
		}
		c.auth.generate = gen
	}
	return c, nil
}

// newTokenGenerator returns the generateToken call. It runs on its own
// transport without the token authenticator (which would recurse) but with
// the same redaction list, and is marked not idempotent: a token request
// that may have reached the server is never sent again by the retry loop.
func newTokenGenerator(cfg *transport.Config, auth *tokenAuth, baseURL, webContext string, s *settings) (func(context.Context) (issuedToken, error), error) {
	const op = "enterpriseadmin.GenerateToken"
	tcfg := *cfg
	tcfg.Auth = secretsOnly{auth}
	t, err := transport.New(&tcfg)
	if err != nil {
		return nil, err
	}
	raw, err := enterpriseadminapi.NewClient(baseURL, enterpriseadminapi.WithHTTPClient(t))
	if err != nil {
		return nil, err
	}
	minutes := max(int(s.expiration/time.Minute), 1)
	username, password, referer, now := s.username, s.password, s.referer, s.now
	return func(ctx context.Context) (issuedToken, error) {
		var v form.Values
		v.Add("username", username)
		v.Add("password", password)
		v.Add("client", "referer")
		v.Add("referer", referer)
		v.Add("expiration", strconv.Itoa(minutes))
		v.Add("f", "json")
		obtained := now()
		resp, err := raw.GenerateTokenWithBody(transport.NotIdempotent(ctx), webContext, form.ContentType, v.Reader()) //nolint:bodyclose // decodeBody closes it
		var out enterpriseadminapi.IssuedToken
		if err := decodeBody(t, op, resp, err, &out); err != nil {
			return issuedToken{}, err
		}
		if out.Token == nil || *out.Token == "" {
			return issuedToken{}, t.VendorError(op, resp, nil, "", "generateToken answered without a token")
		}
		tok := issuedToken{value: *out.Token, obtained: obtained, ssl: out.Ssl != nil && *out.Ssl}
		if out.Expires != nil && *out.Expires > 0 {
			tok.expires = time.UnixMilli(*out.Expires)
		}
		return tok, nil
	}, nil
}

// Raw returns the generated client, for calls the wrappers do not cover.
// Its requests go through the same transport: they are authenticated and
// retried like the wrappers' (but errors inside 200 bodies are not decoded).
func (c *Client) Raw() *enterpriseadminapi.Client { return c.raw }

// WebContext is the deployment's web context the client calls under.
func (c *Client) WebContext() string { return c.context }

// call sends one request built by send and decodes its JSON answer into out,
// turning an error reported inside the body into a typed error. When the
// server rejects the token (498/499) and the client can generate a new one,
// the token is replaced and the request sent once more: a rejected token
// means the server did not act on the request, so even a POST is safe to
// repeat.
func (c *Client) call(ctx context.Context, op string, send func(ctx context.Context) (*http.Response, error), out any) error {
	for attempt := 0; ; attempt++ {
		actx, used := withUsedToken(ctx)
		resp, err := send(actx) //nolint:bodyclose // decodeBody closes it
		err = decodeBody(c.t, op, resp, err, out)
		if err == nil || attempt > 0 || c.auth == nil || !IsTokenError(err) || !c.auth.invalidate(used.get()) {
			return err
		}
	}
}

// decodeBody reads a JSON answer into out after checking it for the two
// error shapes the API sends with HTTP 200.
func decodeBody(t *transport.Client, op string, resp *http.Response, err error, out any) error {
	// Decoding into out below proves the body is JSON; only a caller that
	// wants nothing back needs the syntax checked here.
	var check any
	if out == nil {
		check = &json.RawMessage{}
	}
	body, err := t.JSONBody(op, resp, err, check)
	if err != nil {
		return err
	}
	if e := bodyError(t, op, resp, body); e != nil {
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		e := t.ResponseError(op, resp, body)
		e.Kind, e.Err = apierror.ErrUnexpectedResponse, err
		return e
	}
	return nil
}

// IsTokenError reports whether err is the server rejecting the token
// (codes 498 invalid/expired and 499 required, or messageCode GWM_0003).
func IsTokenError(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code == "498" || e.Code == "499" || e.MessageKey == "GWM_0003"
}
