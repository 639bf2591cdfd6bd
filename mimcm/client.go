package mimcm

import (
	"fmt"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

//go:generate go run ../internal/cmd/gensurface -kind client -workflow -pkg mimcm -vendor "MIM CM" -tokens -o surface.gen.go
//go:generate go run ../internal/cmd/genops -spec ../openapi/mimcm.yaml -pkg mimcm -o operations.gen.go

// Client talks to one MIM CM REST API deployment. It is safe for
// concurrent use.
type Client struct {
	t      *transport.Client
	raw    *mimcmapi.Client
	server string
	wait   workflow.Settings
}

// apiPath is the part of every URL the client adds after the base URL.
const apiPath = "/CertificateManagement/api/v1.0"

// NewClient returns a client for the deployment at baseURL: the host the
// API was deployed on, as an absolute https URL ("https://cm.contoso.com"),
// plus any prefix a reverse proxy adds, but without the
// /CertificateManagement/api/v1.0 part, which the client adds to every
// call. The URL is checked before anything is sent; a bad one is an
// ErrInvalidInput error.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "mimcm.NewClient"
	cfg := newConfig(opts)
	u, err := transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	if err := transport.RefuseAPIPath(op, baseURL, u, apiPath); err != nil {
		return nil, err
	}
	wait, err := workflow.ForClient(op, cfg, defaultWait)
	if err != nil {
		return nil, err
	}
	if err := setUpWindowsAuth(cfg); err != nil {
		return nil, apierror.Invalid(op, "%v", err)
	}
	ann := annotate
	if nt, ok := cfg.Transport.(*ntlmTransport); ok {
		ann = nt.annotate // names the causes of a refused NTLM sign-in
	}
	t, err := transport.New(cfg, transport.Rules{DecodeError: decodeError, ErrorInBody: errorInBody, Annotate: ann, Repeat: repeatRule, Operations: operations})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	raw, err := mimcmapi.NewClient(u.String(), mimcmapi.WithHTTPClient(t.RawDoer()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &Client{t: t, raw: raw, server: raw.Server, wait: wait}, nil
}

// Raw returns the client generated from the OpenAPI document, for calls the
// methods of Client do not cover. Its requests get the client's
// credentials, retries (as the spec allows the operation: its x-repeat,
// else its method) and logging, but its answers are handed over unchecked;
// send requests through Do to get the HTML check, redaction and the typed
// errors.
func (c *Client) Raw() *mimcmapi.Client { return c.raw }

// WithBasicAuth sends HTTP basic credentials on every attempt
// (preemptively; the client does not wait for a challenge). Deployments
// that only accept Windows Integrated Authentication need an NTLM or
// Negotiate round tripper too (see the package documentation).
func WithBasicAuth(user, password string) Option {
	return clientOption(transport.WithBasicAuth(user, password))
}

// WithToken sends "Authorization: Bearer <token>" with a token from ts on
// every attempt, for deployments that authenticate through ADFS. A nil ts
// (or an empty StaticToken) makes NewClient fail with ErrInvalidInput.
func WithToken(ts TokenSource) Option {
	return clientOption(func(c *transport.Config) {
		if err := transport.CheckTokenSource(ts); err != nil {
			transport.Refuse(c, "WithToken: %v", err)
			return
		}
		transport.SetAuth(c, "WithToken", transport.HeaderToken(ts, "Authorization", "Bearer "))
	})
}
