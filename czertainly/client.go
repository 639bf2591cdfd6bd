package czertainly

import (
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/czertainly/internal/certheader"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
)

//go:generate go run ../internal/cmd/gensurface -kind client -workflow -pkg czertainly -vendor "CZERTAINLY" -tokens -o surface.gen.go
//go:generate go run ../internal/cmd/genops -spec ../openapi/czertainly.yaml -pkg czertainly -o operations.gen.go

// Client talks to the Core API of one CZERTAINLY 2.x (ILM) platform. It is
// safe for concurrent use.
type Client struct {
	t      *transport.Client
	raw    *czertainlyapi.Client
	server string
	wf     workflow.Settings // the client's rhythm of the waits
}

// DefaultCertificateHeader is the header in which the platform's ingress
// forwards the client certificate it verified (Core's
// server.ssl.certificate-header-name, HEADER_NAME in its deployment).
const DefaultCertificateHeader = "ssl-client-cert"

// SessionCookie is the name of Core's session cookie.
const SessionCookie = "czertainly-session"

type settings struct {
	headerName string
	headerCert *x509.Certificate
}

// WithCertificateHeader authenticates as the owner of cert by sending it,
// URL-escaped PEM, in the header the platform's ingress uses to forward a
// client certificate it verified (ssl-client-cert unless
// WithCertificateHeaderName says otherwise). Use it where TLS is
// terminated in front of Core by a proxy you operate and Core trusts that
// header; anyone who can reach Core directly can send the header too, so
// it is a credential and masked like one. Against the ingress itself use
// WithClientCertificate (mutual TLS) instead.
func WithCertificateHeader(cert *x509.Certificate) Option {
	return clientOption(func(c *transport.Config) {
		s := transport.Extension[settings](c)
		s.headerCert = cert
		value := ""
		if cert == nil || len(cert.Raw) == 0 {
			transport.Refuse(c, "WithCertificateHeader: no certificate")
		} else {
			value = certheader.Value(cert)
		}
		transport.SetAuth(c, "WithCertificateHeader", &certheader.Auth{Name: &s.headerName, Default: DefaultCertificateHeader, Value: value})
	})
}

// WithCertificateHeaderName replaces the header WithCertificateHeader
// sends (default DefaultCertificateHeader), for a platform deployed with
// another HEADER_NAME.
func WithCertificateHeaderName(name string) Option {
	return clientOption(func(c *transport.Config) {
		if name == "" || strings.ContainsAny(name, " \t\r\n:") {
			transport.Refuse(c, "WithCertificateHeaderName: %q is not a header name", name)
		}
		transport.Extension[settings](c).headerName = name
	})
}

// WithToken sends an OIDC access token from ts as a bearer token on
// every attempt. ts may cache and refresh the token (see
// NewRefreshingTokenSource, whose token is also replaced once when Core
// answers 401); it is asked once per attempt. A nil ts makes NewClient
// fail with ErrInvalidInput.
func WithToken(ts TokenSource) Option {
	return clientOption(func(c *transport.Config) {
		if err := transport.CheckTokenSource(ts); err != nil {
			transport.Refuse(c, "WithToken: %v", err)
			return
		}
		transport.SetAuth(c, "WithToken", transport.HeaderToken(ts, "Authorization", "Bearer "))
	})
}

// WithBearerToken sends a fixed OIDC access token. A token expires; for a
// long-running program use WithToken with a refreshing source.
func WithBearerToken(token string) Option { return WithToken(StaticToken(token)) }

// WithSessionCookie sends an existing czertainly-session cookie (from a
// browser login) with every request.
func WithSessionCookie(value string) Option {
	return clientOption(func(c *transport.Config) {
		if value == "" {
			transport.Refuse(c, "WithSessionCookie: empty cookie value")
		}
		transport.SetAuth(c, "WithSessionCookie", sessionAuth(value))
	})
}

type sessionAuth string

func (s sessionAuth) Authenticate(req *http.Request) error {
	req.AddCookie(&http.Cookie{Name: SessionCookie, Value: string(s)})
	return nil
}

func (s sessionAuth) Secrets() []string { return []string{string(s)} }

// NewClient returns a client for the platform at baseURL, an absolute
// https URL such as "https://ilm.example.com" (Core's context path /api is
// added unless the URL already ends in it; a URL that goes on into the
// versioned API, such as ".../api/v1", is refused). Authenticate with
// WithClientCertificate (mutual TLS to the platform's ingress) or with one
// sign-in option: WithCertificateHeader, WithToken (WithBearerToken) or
// WithSessionCookie; two of them make NewClient fail with ErrInvalidInput.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "czertainly.NewClient"
	cfg := newConfig(opts)
	u, err := transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	if err := transport.RefuseVersionedPath(op, baseURL, u, "/api/v1/...", "https://"+u.Host+" or https://"+u.Host+"/api"); err != nil {
		return nil, err
	}
	if !strings.HasSuffix(u.Path, "/api") {
		u.Path += "/api"
	}
	wf, err := workflow.ForClient(op, cfg, defaultWait)
	if err != nil {
		return nil, err
	}
	t, err := transport.New(cfg, transport.Rules{DecodeError: decodeError, ErrorInBody: errorInBody, Annotate: annotate, Operations: operations})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	raw, err := czertainlyapi.NewClient(u.String(), czertainlyapi.WithHTTPClient(t.RawDoer()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &Client{t: t, raw: raw, server: raw.Server, wf: wf}, nil
}

// Raw returns the client generated from openapi/czertainly.yaml, for calls
// the methods of Client do not cover. Its requests get the client's
// credentials, retries (as the spec allows the operation: its x-repeat,
// else its method) and logging, but its answers are handed over unchecked;
// send requests through Do for the checks and typed errors.
func (c *Client) Raw() *czertainlyapi.Client { return c.raw }

// parseUUID checks that s is a UUID, as Core requires for every object
// identifier; name says which input it is.
func parseUUID(op, name, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(strings.TrimSpace(s))
	if err != nil {
		return uuid.UUID{}, apierror.Invalid(op, "%s %q is not a UUID", name, s)
	}
	return id, nil
}

// parseUUIDs checks every element of ids.
func parseUUIDs(op, name string, ids []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(ids))
	for i, s := range ids {
		id, err := parseUUID(op, fmt.Sprintf("%s[%d]", name, i), s)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}
