package adminv1

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"

	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/czertainly/internal/certheader"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
)

//go:generate go run ../../internal/cmd/gensurface -kind client -pkg adminv1 -vendor "CZERTAINLY 1.x" -o surface.gen.go
//go:generate go run ../../internal/cmd/genops -spec ../../openapi/czertainly-adminv1.yaml -pkg adminv1 -o operations.gen.go

// Client manages the administrators of one CZERTAINLY 1.x platform. It is
// safe for concurrent use.
type Client struct {
	t      *transport.Client
	raw    *adminv1api.Client
	server string
}

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

// WithClientCertificateFiles loads the client certificate (a PEM chain,
// leaf first) and its PEM private key when NewClient runs; a file that is
// missing or does not match, or an empty file name, makes NewClient fail.
// CZERTAINLY looks the administrator up by the certificate's serial number.
func WithClientCertificateFiles(certFile, keyFile string) Option {
	return clientOption(func(c *transport.Config) {
		if certFile == "" || keyFile == "" {
			transport.Refuse(c, "WithClientCertificateFiles: certificate file %q or key file %q not named", certFile, keyFile)
			return
		}
		s := transport.Extension[settings](c)
		s.certFile, s.keyFile = certFile, keyFile
	})
}

// WithRootCAFile trusts the PEM certificates in file (the platform's CA)
// instead of the system roots; it is read when NewClient runs. An empty
// file name makes NewClient fail.
func WithRootCAFile(file string) Option {
	return clientOption(func(c *transport.Config) {
		if file == "" {
			transport.Refuse(c, "WithRootCAFile: no file named")
			return
		}
		transport.Extension[settings](c).caFile = file
	})
}

// WithCertificateHeader sends cert in a request header instead of the TLS
// handshake, for servers behind a TLS-terminating proxy that forwards the
// client certificate (header DefaultCertificateHeader unless
// WithCertificateHeaderName says otherwise). The value is URL-encoded PEM,
// which the server decodes. Anyone who can reach the server past the proxy
// with this header can act as the administrator: use it only where the
// proxy is the only way in. It is a sign-in option: a nil certificate, or
// a second sign-in option, makes NewClient fail with ErrInvalidInput.
func WithCertificateHeader(cert *x509.Certificate) Option {
	return clientOption(func(c *transport.Config) {
		if cert == nil || len(cert.Raw) == 0 {
			transport.Refuse(c, "WithCertificateHeader: no certificate (nil, or no DER content)")
			return
		}
		s := transport.Extension[settings](c)
		s.headerCert = cert
		transport.SetAuth(c, "WithCertificateHeader", &certheader.Auth{Name: &s.headerName, Default: DefaultCertificateHeader, Value: certheader.Value(cert)})
	})
}

// WithCertificateHeaderName changes the header WithCertificateHeader uses
// (the server's HEADER_NAME). A name that is no header name, or the option
// without WithCertificateHeader, makes NewClient fail.
func WithCertificateHeaderName(name string) Option {
	return clientOption(func(c *transport.Config) {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, " :\r\n\t") {
			transport.Refuse(c, "WithCertificateHeaderName: %q is not a valid header name", name)
			return
		}
		transport.Extension[settings](c).headerName = name
	})
}

// NewClient returns a client for the platform at baseURL, including the
// servlet context path of the deployment: "https://czertainly.example.com/api"
// (the /v1/admins paths are added per call; a URL that already holds /v1
// is refused with ErrInvalidInput). Authenticate with
// WithClientCertificate or WithClientCertificateFiles (or, behind a
// TLS-terminating proxy, WithCertificateHeader, a sign-in option: given
// twice, NewClient fails), and trust the platform's
// CA with WithRootCAs or WithRootCAFile.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "adminv1.NewClient"
	cfg := newConfig(opts)
	u, err := transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	if err := transport.RefuseVersionedPath(op, baseURL, u, "/v1/admins/...", "https://"+u.Host+"/api"); err != nil {
		return nil, err
	}
	if err := applySettings(op, cfg); err != nil {
		return nil, err
	}
	// Again, now that the files are loaded: a certificate from a file needs
	// https too.
	u, err = transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	t, err := transport.New(cfg, transport.Rules{DecodeError: decodeError, Annotate: annotate, Operations: operations})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	raw, err := adminv1api.NewClient(u.String(), adminv1api.WithHTTPClient(t.RawDoer()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &Client{t: t, raw: raw, server: raw.Server}, nil
}

// applySettings loads the files named by options.
func applySettings(op string, cfg *transport.Config) error {
	s := transport.Extension[settings](cfg)
	if s.certFile != "" {
		cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
		if err != nil {
			return &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "client certificate files", Err: err}
		}
		cfg.TLS.Certificates = append(cfg.TLS.Certificates, cert)
	}
	if s.caFile != "" {
		data, err := os.ReadFile(s.caFile)
		if err != nil {
			return &apierror.Error{Op: op, Kind: apierror.ErrInvalidInput, Message: "root CA file", Err: err}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return apierror.Invalid(op, "root CA file %s holds no PEM certificate", s.caFile)
		}
		cfg.TLS.RootCAs = pool
	}
	if s.headerName != "" && s.headerCert == nil {
		return apierror.Invalid(op, "WithCertificateHeaderName needs WithCertificateHeader")
	}
	return nil
}

// Raw returns the client generated from the OpenAPI document, for calls the
// methods of Client do not cover. Its requests get the client's TLS
// settings, retries (as the spec allows the operation: its x-repeat, else
// its method) and logging, but its answers are handed over unchecked; send
// requests through Do to get the HTML and redaction checks and the typed
// errors.
func (c *Client) Raw() *adminv1api.Client { return c.raw }
