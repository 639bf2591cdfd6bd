package core

import (
	"fmt"
	"net/http/cookiejar"

	"github.com/certadmin/certadmin-go/internal/apierror"
	"github.com/certadmin/certadmin-go/internal/transport"
	"github.com/certadmin/certadmin-go/internal/workflow"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
)

//go:generate go run ../../internal/cmd/gensurface -kind client -workflow -pkg core -vendor "MobileIron Core" -o surface.gen.go
//go:generate go run ../../internal/cmd/genops -spec ../../openapi/mobileiron-core.yaml -pkg core -o operations.gen.go

// Client talks to the v2 API of one MobileIron Core server. It is safe for
// concurrent use.
type Client struct {
	t       *transport.Client
	raw     *coreapi.Client
	server  string
	spaceID int64
	wf      workflow.Settings // the client's rhythm of the export waits
	// inventoryCE are the enrollments of WithInventoryCESettings (nil:
	// every enrollment the CE configurations list).
	inventoryCE []string
}

// DefaultAdminDeviceSpaceID is the device space used unless
// WithAdminDeviceSpaceID says otherwise: 1, the global space of a Core
// server and the value of the vendor's samples.
const DefaultAdminDeviceSpaceID = 1

type settings struct {
	spaceID    int64
	spaceIDSet bool
}

// WithAdminDeviceSpaceID sets the administrator's device space, sent as
// adminDeviceSpaceId with every call that needs it, for every call (given
// to NewClient) or for one.
func WithAdminDeviceSpaceID(id int64) ClientOrCallOption {
	return clientOrCallOption{
		client: func(c *transport.Config) {
			s := transport.Extension[settings](c)
			s.spaceID, s.spaceIDSet = id, true
		},
		call: func(s *transport.CallSettings) {
			cs := transport.CallExtension[settings](s)
			cs.spaceID, cs.spaceIDSet = id, true
		},
	}
}

// WithBasicAuth sends the Core administrator's credentials on every
// request. Core does not answer with a challenge, so they are sent
// preemptively.
func WithBasicAuth(user, password string) Option {
	return clientOption(transport.WithBasicAuth(user, password))
}

// NewClient returns a client for the Core server at baseURL, an absolute
// http(s) URL such as "https://core.example.com" (the /api/v2 paths are
// added per call). It keeps cookies in memory unless WithCookieJar or
// WithHTTPClient brings a jar: Core's multipart calls may need the session
// cookie of an earlier call.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	const op = "core.NewClient"
	cfg := newConfig(opts)
	u, err := transport.CheckBaseURL(op, baseURL, cfg)
	if err != nil {
		return nil, err
	}
	if err := transport.RefuseAPIPath(op, baseURL, u, "/api/v2"); err != nil {
		return nil, err
	}
	wf, err := workflow.ForClient(op, cfg, defaultWait)
	if err != nil {
		return nil, err
	}
	inventoryCE, err := inventoryNames(op, cfg)
	if err != nil {
		return nil, err
	}
	s := transport.Extension[settings](cfg)
	spaceID := int64(DefaultAdminDeviceSpaceID)
	if s.spaceIDSet {
		if s.spaceID <= 0 {
			return nil, apierror.Invalid(op, "adminDeviceSpaceId must be positive, got %d", s.spaceID)
		}
		spaceID = s.spaceID
	}
	if cfg.CookieJar == nil && (cfg.HTTPClient == nil || cfg.HTTPClient.Jar == nil) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, fmt.Errorf("%s: cookie jar: %w", op, err)
		}
		cfg.CookieJar = jar
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
	raw, err := coreapi.NewClient(u.String(), coreapi.WithHTTPClient(t.RawDoer()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return &Client{t: t, raw: raw, server: raw.Server, spaceID: spaceID, wf: wf, inventoryCE: inventoryCE}, nil
}

// Raw returns the client generated from the OpenAPI document, for calls the
// methods of Client do not cover. Its requests get the client's
// credentials, retries (as the spec allows the operation: its x-repeat,
// else its method) and logging, but its answers are handed over unchecked;
// send requests through Do to get the HTML, error-in-body and redaction
// checks and the typed errors.
func (c *Client) Raw() *coreapi.Client { return c.raw }

// AdminDeviceSpaceID is the device space the client sends unless a call's
// WithAdminDeviceSpaceID says otherwise.
func (c *Client) AdminDeviceSpaceID() int64 { return c.spaceID }

// spaceFor is the device space of one call.
func (c *Client) spaceFor(s *transport.CallSettings) (int64, error) {
	if cs := transport.LookupCallExtension[settings](s); cs != nil && cs.spaceIDSet {
		if cs.spaceID <= 0 {
			return 0, fmt.Errorf("adminDeviceSpaceId must be positive, got %d", cs.spaceID)
		}
		return cs.spaceID, nil
	}
	return c.spaceID, nil
}
