// Package transport is the one HTTP stack every certadmin-go vendor client
// uses: retries with backoff and Retry-After, authentication applied on every
// attempt, verified TLS, typed errors, redaction and debug logging. A vendor
// package builds a Client from a Config and its Rules, builds each request
// with its generated request builder and sends it through the one call path
// (JSON, NoContent, Stream, Decode, Do); nothing in a vendor package
// re-implements any of this.
package transport

import (
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net/http"
	"reflect"
	"time"
)

// Version is the SDK version reported in the default User-Agent.
const Version = "0.1.0"

// DefaultUserAgent is sent unless WithUserAgent replaces it.
const DefaultUserAgent = "certadmin-go/" + Version

// Config holds the settings shared by every vendor client. Vendor packages
// keep their own settings beside it with Extension.
type Config struct {
	// HTTPClient, when set, supplies the base transport (and its cookie jar);
	// the SDK wraps its Transport with auth, logging and retries. Use it for
	// proxies or Windows Integrated Authentication round trippers.
	HTTPClient *http.Client
	// Transport, when set, is the base round tripper (takes precedence over HTTPClient.Transport).
	Transport http.RoundTripper
	Auth      Authenticator
	Retry     RetryPolicy
	Logger    *slog.Logger
	UserAgent string
	TLS       TLSSettings
	// Timeout bounds each attempt until the response headers arrive
	// (a slow server), coarsely: see headerWatch. Reading a streamed body
	// is bounded by the context only.
	Timeout   time.Duration
	CookieJar http.CookieJar
	// Headers are added to every request.
	Headers http.Header
	// AllowPlainHTTP lets credentials go over plain http:// to a host that
	// is not loopback (WithInsecurePlainHTTP).
	AllowPlainHTTP bool
	// MaxJSONBody caps a JSON answer read into memory, after decompression
	// (0: DefaultMaxJSONBody).
	MaxJSONBody int64
	// MaxExpansion bounds how many times a gzip answer may grow when
	// inflated (0: DefaultMaxExpansion).
	MaxExpansion int64

	ext map[reflect.Type]any
}

// TLSSettings configure the default transport's TLS. Verification is on
// unless InsecureSkipVerify is set through WithInsecureSkipVerify.
type TLSSettings struct {
	RootCAs      *x509.CertPool
	Certificates []tls.Certificate
	// InsecureSkipVerify disables server certificate checks. Only
	// WithInsecureSkipVerify sets it.
	InsecureSkipVerify bool
	MinVersion         uint16
}

// Option changes a Config. Vendor packages wrap these in their own Option
// types (see internal/cmd/gensurface), so one vendor's option does not fit
// another vendor's client.
type Option func(*Config)

func (c *Config) maxJSONBody() int64 {
	if c.MaxJSONBody > 0 {
		return c.MaxJSONBody
	}
	return DefaultMaxJSONBody
}

// NewConfig applies opts to a Config with the SDK defaults.
func NewConfig(opts ...Option) *Config {
	c := &Config{
		Retry:     DefaultRetryPolicy(),
		UserAgent: DefaultUserAgent,
		Timeout:   60 * time.Second,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// Extension returns the vendor settings of type T kept in c, creating them
// on first use. It lets a vendor package define options of the shared
// Option type that set its own fields.
func Extension[T any](c *Config) *T {
	t := reflect.TypeFor[T]()
	if c.ext == nil {
		c.ext = map[reflect.Type]any{}
	}
	if v, ok := c.ext[t]; ok {
		return v.(*T)
	}
	v := new(T)
	c.ext[t] = v
	return v
}

// WithBasicAuth sends HTTP basic credentials preemptively on every attempt
// (the vendors' APIs do not send a challenge first).
// An empty username is refused.
func WithBasicAuth(username, password string) Option {
	return func(c *Config) {
		if username == "" {
			Refuse(c, "WithBasicAuth: empty username")
		}
		SetAuth(c, "WithBasicAuth", BasicAuth(username, password))
	}
}

// WithAuth installs any Authenticator (a token source, a custom scheme).
func WithAuth(a Authenticator) Option {
	return func(c *Config) { SetAuth(c, "WithAuth", a) }
}

// WithHTTPClient uses hc's Transport (and Jar) as the base below the SDK's
// retry, auth and logging layers. Its Timeout is ignored in favour of
// WithTimeout and the context, so that long downloads are not cut off.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Config) {
		if IsNil(hc) {
			Refuse(c, "WithHTTPClient: nil *http.Client")
		}
		c.HTTPClient = hc
	}
}

// WithTransport sets the base round tripper (e.g. an NTLM/Negotiate transport).
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Config) {
		if IsNil(rt) {
			Refuse(c, "WithTransport: nil round tripper")
		}
		c.Transport = rt
	}
}

// WithRetry replaces the retry policy.
func WithRetry(p RetryPolicy) Option {
	return func(c *Config) { c.Retry = p }
}

// WithMaxAttempts sets how many attempts a retryable call gets (1 disables retries).
// n below 1 is refused.
func WithMaxAttempts(n int) Option {
	return func(c *Config) {
		if n < 1 {
			Refuse(c, "WithMaxAttempts: %d attempts (1 disables retries)", n)
		}
		c.Retry.MaxAttempts = n
	}
}

// WithLogger logs each attempt at debug level (method, redacted URL,
// status, attempt, duration). Clients are silent without it.
// A nil logger is refused: leaving the option out is how a caller asks for
// silence.
func WithLogger(l *slog.Logger) Option {
	return func(c *Config) {
		if l == nil {
			Refuse(c, "WithLogger: nil logger")
		}
		c.Logger = l
	}
}

// WithUserAgent replaces the User-Agent header; an empty one is refused.
func WithUserAgent(ua string) Option {
	return func(c *Config) {
		if ua == "" {
			Refuse(c, "WithUserAgent: empty user agent")
		}
		c.UserAgent = ua
	}
}

// WithTimeout bounds each attempt's wait for the response headers, from
// the moment the attempt has a connection (with a round tripper that is not
// an *http.Transport, from the start of the attempt), sending the request
// included: an attempt still waiting is given up after d, at the watch's
// next tick, a sixteenth of d later at most (at least 1 ms, at most 1 s;
// later only on a machine too loaded to run the watch; see headerWatch). Getting
// a connection is bounded by the dialer (30 s) and the TLS handshake
// (10 s). Zero disables it; the context still applies.
func WithTimeout(d time.Duration) Option {
	return func(c *Config) { c.Timeout = d }
}

// WithRootCAs trusts pool instead of the system roots (a private CA). A
// nil pool means the system roots, as in crypto/tls: the fakes' TLSRootCAs
// is nil when they serve plain HTTP, and passing it along must work.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(c *Config) { c.TLS.RootCAs = pool }
}

// WithClientCertificate presents cert for mutual TLS.
func WithClientCertificate(cert tls.Certificate) Option {
	return func(c *Config) { c.TLS.Certificates = append(c.TLS.Certificates, cert) }
}

// WithInsecureSkipVerify turns off server certificate verification. It
// exposes credentials to anyone on the network path: use it only against a
// lab server, never in production.
func WithInsecureSkipVerify() Option {
	return func(c *Config) { c.TLS.InsecureSkipVerify = true }
}

// WithCookieJar keeps cookies (session cookies) across calls. A nil jar
// is refused, as a nil client or transport is.
func WithCookieJar(jar http.CookieJar) Option {
	return func(c *Config) {
		if IsNil(jar) {
			Refuse(c, "WithCookieJar: nil jar")
		}
		c.CookieJar = jar
	}
}

// WithHeader adds a header to every request.
func WithHeader(name, value string) Option {
	return func(c *Config) {
		if c.Headers == nil {
			c.Headers = http.Header{}
		}
		c.Headers.Add(name, value)
	}
}

// WithInsecurePlainHTTP lets credentials go over plain http:// to a host
// that is not loopback. Anyone on the path can read them: only for a lab.
func WithInsecurePlainHTTP() Option {
	return func(c *Config) { c.AllowPlainHTTP = true }
}
