package czertainly

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

// Client manages the administrators of one CZERTAINLY 1.x platform. It is
// safe for concurrent use.
type Client struct {
	t   *transport.Client
	raw *czertainlyapi.Client
}

// Option configures a Client.
type Option = transport.Option

// RetryPolicy says when and how long to wait between attempts of a call
// that is safe to repeat.
type RetryPolicy = transport.RetryPolicy

// DefaultCertificateHeader is the header a CZERTAINLY 1.x server behind a
// TLS-terminating proxy reads the client certificate from (server settings
// HEADER_ENABLED and HEADER_NAME). 2.x servers default to "ssl-client-cert".
const DefaultCertificateHeader = "X-APP-CERTIFICATE"

// settings are the options that need loading or combining, applied in NewClient.
type settings struct {
	certFile, keyFile string
	caFile            string
	headerCert        *x509.Certificate
	headerName        string
}

// WithClientCertificate presents cert in the TLS handshake. CZERTAINLY
// looks the administrator up by the certificate's serial number, so this is
// how a client authenticates.
func WithClientCertificate(cert tls.Certificate) Option {
	return transport.WithClientCertificate(cert)
}

// WithClientCertificateFiles loads the client certificate (a PEM chain,
// leaf first) and its PEM private key when NewClient runs; a file that is
// missing or does not match makes NewClient fail.
func WithClientCertificateFiles(certFile, keyFile string) Option {
	return func(c *transport.Config) {
		s := transport.Extension[settings](c)
		s.certFile, s.keyFile = certFile, keyFile
	}
}

// WithRootCAs trusts pool (the platform's private CA) instead of the
// system roots when verifying the server.
func WithRootCAs(pool *x509.CertPool) Option { return transport.WithRootCAs(pool) }

// WithRootCAFile trusts the PEM certificates in file instead of the
// system roots; it is read when NewClient runs.
func WithRootCAFile(file string) Option {
	return func(c *transport.Config) { transport.Extension[settings](c).caFile = file }
}

// WithCertificateHeader sends cert in a request header instead of the TLS
// handshake, for servers behind a TLS-terminating proxy that forwards the
// client certificate (header DefaultCertificateHeader unless
// WithCertificateHeaderName says otherwise). The value is URL-encoded PEM,
// which the server decodes. Anyone who can reach the server past the proxy
// with this header can act as the administrator: use it only where the
// proxy is the only way in.
func WithCertificateHeader(cert *x509.Certificate) Option {
	return func(c *transport.Config) { transport.Extension[settings](c).headerCert = cert }
}

// WithCertificateHeaderName changes the header WithCertificateHeader uses
// (the server's HEADER_NAME).
func WithCertificateHeaderName(name string) Option {
	return func(c *transport.Config) { transport.Extension[settings](c).headerName = name }
}

// WithHTTPClient uses hc's transport beneath the SDK's retries,
// authentication and logging. TLS options need hc.Transport to be an
// *http.Transport (or nil).
func WithHTTPClient(hc *http.Client) Option { return transport.WithHTTPClient(hc) }

// WithLogger logs every attempt at debug level (method, redacted URL,
// status, duration).
func WithLogger(l *slog.Logger) Option { return transport.WithLogger(l) }

// WithRetry replaces the retry policy of the calls that are safe to repeat
// (ListAdmins, GetAdmin). Create, edit, remove, enable and disable are
// never repeated once they may have reached the server.
func WithRetry(p RetryPolicy) Option { return transport.WithRetry(p) }

// WithMaxAttempts sets how many attempts a repeatable call gets (1 disables retries).
func WithMaxAttempts(n int) Option { return transport.WithMaxAttempts(n) }

// WithTimeout bounds each attempt until the response headers arrive.
func WithTimeout(d time.Duration) Option { return transport.WithTimeout(d) }

// WithInsecureSkipVerify turns off verification of the server certificate.
// Only for a lab server: anyone on the path could pose as the platform.
func WithInsecureSkipVerify() Option { return transport.WithInsecureSkipVerify() }

// WithUserAgent replaces the User-Agent header.
func WithUserAgent(ua string) Option { return transport.WithUserAgent(ua) }

// NewClient returns a client for the platform at baseURL, including the
// servlet context path of the deployment: "https://czertainly.example.com/api"
// (the /v1/admins paths are added per call).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "czertainly.NewClient"
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, apierror.Invalid(op, "base URL %q is not an http(s) URL", baseURL)
	}
	cfg := transport.NewConfig(opts...)
	cfg.DecodeError = decodeError
	if err := applySettings(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	t, err := transport.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	raw, err := czertainlyapi.NewClient(baseURL, czertainlyapi.WithHTTPClient(t))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &Client{t: t, raw: raw}, nil
}

// applySettings loads the files named by options and installs the
// certificate header.
func applySettings(cfg *transport.Config) error {
	s := transport.Extension[settings](cfg)
	if s.certFile != "" || s.keyFile != "" {
		cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
		if err != nil {
			return fmt.Errorf("client certificate files: %w", err)
		}
		cfg.TLS.Certificates = append(cfg.TLS.Certificates, cert)
	}
	if s.caFile != "" {
		data, err := os.ReadFile(s.caFile)
		if err != nil {
			return fmt.Errorf("root CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return fmt.Errorf("root CA file %s holds no PEM certificate", s.caFile)
		}
		cfg.TLS.RootCAs = pool
	}
	if s.headerName != "" && s.headerCert == nil {
		return errors.New("WithCertificateHeaderName needs WithCertificateHeader")
	}
	if s.headerCert != nil {
		name := s.headerName
		if name == "" {
			name = DefaultCertificateHeader
		}
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, " :\r\n") {
			return fmt.Errorf("certificate header name %q is not a valid header name", name)
		}
		value := url.QueryEscape(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.headerCert.Raw})))
		// An authenticator rather than a fixed header: its value counts as a
		// secret and is masked wherever a server echoes it back.
		cfg.Auth = transport.HeaderToken(transport.StaticToken(value), name, "")
	}
	return nil
}

// Raw returns the client generated from the OpenAPI document, for calls the
// methods of Client do not cover. Its requests go through the same retries,
// TLS settings and logging.
func (c *Client) Raw() *czertainlyapi.Client { return c.raw }
