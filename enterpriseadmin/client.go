package enterpriseadmin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
)

//go:generate go run ../internal/cmd/gensurface -kind client -workflow -pkg enterpriseadmin -vendor "ArcGIS Enterprise" -tokens -token-refused "rejects (code 498 or 499, or messageCode GWM_0003, as the status or in an error body, also inside a 200 answer)" -o surface.gen.go
//go:generate go run ../internal/cmd/genops -spec ../openapi/enterpriseadmin.yaml -pkg enterpriseadmin -o operations.gen.go

// DefaultTokenExpiration is the token lifetime asked of generateToken.
const DefaultTokenExpiration = 60 * time.Minute

// settings are the options only this package has.
type settings struct {
	username, password string
	credentials        bool
	source             TokenSource
	sourceSet          bool
	referer            string
	expiration         time.Duration
	margin             time.Duration
	legacyQuery        bool
	webContext         string
	webContextSet      bool
	now                func() time.Time
}

func ext(c *transport.Config) *settings { return transport.Extension[settings](c) }

// WithCredentials signs in as a named administrator: the client calls the
// portal's generateToken operation with these credentials when it first
// needs a token, caches the token, replaces it shortly before it expires
// (WithRefreshMargin) and once more when the server rejects it. The
// password is sent to generateToken only, in the request body, and never
// over plain http to a host that is not loopback unless
// WithInsecurePlainHTTP is given. It is a sign-in option: given with
// WithToken, NewClient fails with ErrInvalidInput (which of the two was
// meant would be a guess).
func WithCredentials(username, password string) Option {
	return clientOption(func(c *transport.Config) {
		s := ext(c)
		s.username, s.password, s.credentials = username, password, true
		transport.SetAuth(c, "WithCredentials", pendingAuth{})
	})
}

// WithToken uses tokens from ts, obtained elsewhere (StaticToken for a
// fixed one, NewRefreshingTokenSource for tokens that expire). The client
// asks ts for the token on every attempt. A token the server rejects is
// dropped and the request sent once more with a new one when ts can
// renew it (NewRefreshingTokenSource); a StaticToken cannot, so calls
// fail with an error IsTokenError recognises. It is a sign-in option:
// given with WithCredentials, NewClient fails with ErrInvalidInput.
func WithToken(ts TokenSource) Option {
	return clientOption(func(c *transport.Config) {
		s := ext(c)
		s.source, s.sourceSet = ts, true
		transport.SetAuth(c, "WithToken", pendingAuth{})
	})
}

// pendingAuth stands for the authenticator of WithCredentials or
// WithToken while options are read: NewClient builds the real one once
// the referer is known and installs it in pendingAuth's place, so
// pendingAuth never signs a request.
type pendingAuth struct{}

func (pendingAuth) Authenticate(*http.Request) error {
	return errors.New("enterpriseadmin: sign-in not set up by NewClient")
}

// WithReferer sets the referer the token is generated for and sent with on
// every request (default: the base URL's scheme and host). The server
// accepts a token only with the referer it was issued for. An empty
// referer makes NewClient fail (omit the option for the default).
func WithReferer(referer string) Option {
	return clientOption(func(c *transport.Config) {
		if strings.TrimSpace(referer) == "" {
			transport.Refuse(c, "WithReferer: empty referer (omit the option for the base URL's scheme and host)")
			return
		}
		ext(c).referer = referer
	})
}

// WithTokenExpiration sets the lifetime asked of generateToken, in whole
// minutes (the server may cap it). Default DefaultTokenExpiration; a zero
// or negative lifetime makes NewClient fail.
func WithTokenExpiration(d time.Duration) Option {
	return clientOption(func(c *transport.Config) {
		if d <= 0 {
			transport.Refuse(c, "WithTokenExpiration: token expiration %v is not positive (omit the option for %v)", d, DefaultTokenExpiration)
			return
		}
		ext(c).expiration = d
	})
}

// WithRefreshMargin sets how long before expiry a token the client
// generates (WithCredentials) is replaced (default DefaultRefreshMargin,
// at most half the token's lifetime).
func WithRefreshMargin(d time.Duration) Option {
	return clientOption(func(c *transport.Config) { ext(c).margin = d })
}

// WithLegacyTokenQuery sends the token of GET requests as the token query
// parameter instead of the X-Esri-Authorization header, for servers behind
// proxies that drop that header. POSTs keep it in the body either way.
func WithLegacyTokenQuery() Option {
	return clientOption(func(c *transport.Config) { ext(c).legacyQuery = true })
}

// WithWebContext names the deployment's web context (e.g. "arcgis") when
// the base URL given to NewClient is only the host, as in
// NewClient("https://gis.example.com", WithWebContext("arcgis")). A base
// URL with a path names the web context itself; giving both is an error.
func WithWebContext(name string) Option {
	return clientOption(func(c *transport.Config) {
		s := ext(c)
		s.webContext, s.webContextSet = name, true
	})
}

// Client talks to the certificate resources of one ArcGIS Enterprise
// deployment. It is safe for concurrent use.
type Client struct {
	t          *transport.Client
	raw        *enterpriseadminapi.Client
	server     string
	webContext string
	wf         workflow.Settings // the client's rhythm of the rotation's wait
}

// NewClient returns a client for the ArcGIS Enterprise deployment at
// baseURL, the URL of its web context as every ArcGIS URL writes it:
// "https://gis.example.com/arcgis" (the Administrator API is then under
// https://gis.example.com/arcgis/admin). The last path segment is the web
// context; anything before it is kept, for a deployment behind a path
// prefix. A base URL without a path needs WithWebContext.
//
// Authenticate with WithCredentials (the client generates its tokens) or
// WithToken, not both. Both send a secret, so a plain-http base URL is refused
// unless its host is loopback or WithInsecurePlainHTTP is given.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "enterpriseadmin.NewClient"
	cfg := newConfig(opts)
	// Refused options first: two sign-in options before either is built.
	if err := transport.CheckOptions(op, cfg); err != nil {
		return nil, err
	}
	s := ext(cfg)
	// generateToken goes through the client's own transport, so the
	// token cache's fetch refers to the client built below; nothing is
	// fetched before NewClient returns.
	var c *Client
	referer := s.referer
	auth, err := newTokenAuth(op, s, func(ctx context.Context) (transport.Token, error) {
		return c.generateToken(ctx, s, referer)
	})
	if err != nil {
		return nil, err
	}
	// The authenticator is installed before the URL check, so the check
	// knows that a password or token would travel to this URL.
	if auth != nil {
		cfg.Auth = auth
	}
	u, err := transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	root, webContext, err := splitWebContext(op, u, s)
	if err != nil {
		return nil, err
	}
	if referer == "" {
		referer = u.Scheme + "://" + u.Host
	}
	if auth != nil {
		auth.Place = tokenPlacement(referer, s.legacyQuery)
	}
	wf, err := workflow.ForClient(op, cfg, defaultWait)
	if err != nil {
		return nil, err
	}
	t, err := transport.New(cfg, transport.Rules{
		DecodeError: decodeError,
		ErrorInBody: errorInBody,
		Annotate:    annotate,
		Operations:  operations,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	raw, err := enterpriseadminapi.NewClient(root.String(), enterpriseadminapi.WithHTTPClient(t.RawDoer()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	c = &Client{t: t, raw: raw, server: raw.Server, webContext: webContext, wf: wf}
	return c, nil
}

// webContextName is what a web context may be: one path segment of
// unreserved characters.
var webContextName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]*$`)

// splitWebContext separates the web context from the checked base URL:
// the option's name, or the URL path's last segment. It returns the URL
// the generated request builders start from (the base without the web
// context).
func splitWebContext(op string, u *url.URL, s *settings) (*url.URL, string, error) {
	path := strings.Trim(u.Path, "/")
	root := *u
	var name string
	switch {
	case s.webContextSet && path != "":
		return nil, "", apierror.Invalid(op, "base URL %q already names web context %q: give the web context in the URL or with WithWebContext, not both", u.String(), path[strings.LastIndex(path, "/")+1:])
	case s.webContextSet:
		name = strings.Trim(s.webContext, "/")
		root.Path = ""
	case path == "":
		return nil, "", apierror.Invalid(op, "base URL %q names no web context: want e.g. %s://%s/arcgis, or use WithWebContext", u.String(), u.Scheme, u.Host)
	default:
		i := strings.LastIndex(path, "/")
		name = path[i+1:]
		root.Path = ""
		if i >= 0 {
			root.Path = "/" + path[:i]
		}
	}
	switch {
	case name == "admin" || name == "sharing" || name == "rest":
		return nil, "", apierror.Invalid(op, "base URL %q ends in /%s: give the URL of the web context, e.g. %s://%s/arcgis", u.String(), name, u.Scheme, u.Host)
	case !webContextName.MatchString(name):
		return nil, "", apierror.Invalid(op, "web context %q is not one path segment of letters, digits and . _ ~ -", name)
	}
	root.RawPath = ""
	return &root, name, nil
}

// Raw returns the client generated from the OpenAPI document, for calls the
// methods of Client do not cover. Its requests carry the token and get the
// client's retries (as the spec allows the operation: its x-repeat, else
// its method) and logging, but its answers are handed over unchecked; send
// requests through Do to get the HTML, error-in-body and redaction checks
// and the typed errors. Its operations take the web context as an argument
// (see WebContext).
func (c *Client) Raw() *enterpriseadminapi.Client { return c.raw }

// WebContext is the deployment's web context the client calls under
// ("arcgis" for https://gis.example.com/arcgis).
func (c *Client) WebContext() string { return c.webContext }

// call sends one operation and decodes its JSON answer into dst (nil:
// checked and discarded). A token the server rejects is replaced and the
// request sent once more inside the transport (this package's auth.go says
// which answers are a refusal; internal/transport's auth.go and retry.go
// renew and repeat).
func (c *Client) call(ctx context.Context, call transport.Call, dst any) error {
	return c.t.JSON(ctx, call, dst)
}

// IsTokenError reports whether err is the server rejecting the token a
// request carried (codes 498 invalid or expired and 499 required, or
// messageCode GWM_0003). A token that could not be had in the first place
// (a refused password) is ErrUnauthorized but no token error.
func IsTokenError(err error) bool {
	var e *Error
	if !errors.As(err, &e) || transport.IsNoToken(err) {
		return false
	}
	return isTokenCode(e.Code, e.MessageKey)
}
