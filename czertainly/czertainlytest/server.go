// Package czertainlytest is an in-memory CZERTAINLY 2.x Core for tests, in
// the manner of net/http/httptest: NewServer starts it on a loopback port
// and every request and answer is checked against the hand-written
// openapi/czertainly.yaml and against the vendor's published 2.17.0
// documents (SpecViolations and VendorViolations list mismatches;
// NewTestServer fails the test for either).
//
// It models Core's semantics as CZERTAINLY-Core cad4432a implements them;
// SEMANTICS.md beside this file gives the evidence for every route. It
// keeps state: users, roles, groups and custom attributes; a certificate
// inventory with Core's search filters, relations and paging (newest
// first); an authority with its connector and two RA profiles backed by
// an in-memory CA that issues real certificates from CSRs, one of them
// needing an approval; approvals with Core's recipient rules. What Core
// does in the background (bulk delete and update, revocation, the action
// of a closed approval) happens here a request later, or at
// RunBackground, never on a timer. It authenticates callers as Core
// does: a client certificate by mutual TLS or in the ssl-client-cert
// header, an OIDC bearer token (TokenFor), the czertainly-session
// cookie; only the health probes are open. Errors come in Core's shapes:
// {"message"} for 400, 404 and 409, a list of messages for 422,
// problem+json for 403 and the Auth service's 400 (ENTITY_NOT_UNIQUE),
// no body for 401, and a connector that is down (WithConnectorDown) as
// Core reports it per call. Faults are injected with Inject.
package czertainlytest

import (
	"crypto/tls"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

//go:generate go run ../../internal/cmd/gensurface -kind fake -pkg czertainlytest -vendor "CZERTAINLY" -client github.com/certadmin/certadmin-go/czertainly -o surface.gen.go

//go:embed testdata
var testdata embed.FS

// Fixture returns a file of the fake's testdata folder verbatim, e.g.
// "vendor/2.17.0/doc-openapi-core-certificate.yaml".
func Fixture(name string) ([]byte, error) {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("czertainlytest: no fixture %s", name)
	}
	return b, nil
}

// Fixed identifiers of the seeded objects.
const (
	AuthorityUUID         = "6e9146a6-da8a-403f-99cb-d5d64d93ce1c"
	RAProfileUUID         = "b2a3e6c4-3f1c-4d61-8d8a-1c2e6f0a9b10"
	ApprovalRAProfileUUID = "c7d1f0e2-5b4a-4e3c-9a2b-7f6e5d4c3b21"
	ApprovalProfileUUID   = "0f3a9d8e-1c2b-4a5f-8e7d-6c5b4a392817"
	AdminUserUUID         = "3a1d7c52-2519-11ed-861d-0242ac120002"
	SuperadminRoleUUID    = "d34f960b-6a2c-4b0a-a1a8-9a7e52a1b001"
	RAProfileName         = "default"
	ApprovalRAProfileName = "with-approval"
)

// Credentials the fake accepts besides the admin's client certificate.
// They are test values, not secrets.
const (
	BearerToken  = "czertainlytest-oidc-token"
	SessionValue = "czertainlytest-session"
)

// Option configures NewServer.
type Option func(*config)

type config struct {
	tls, mtls, noSeed bool
	noValidate        bool
	issuePolls        int
	lifetime          time.Duration
	backgroundLag     int
}

// WithBackgroundLag sets how many requests after Core's answer still see
// the state from before the work it does in the background (bulk delete,
// bulk update, revocation, an approval's action). Default 1: the next
// request sees the old state, the one after it the new. Server.RunBackground
// finishes the work at once.
func WithBackgroundLag(n int) Option { return func(c *config) { c.backgroundLag = max(n, 0) } }

// WithTLS serves HTTPS with httptest's certificate.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithMutualTLS serves HTTPS and asks for a client certificate, as the
// platform's ingress does; a certificate the fake's CA issued to a user
// authenticates that user. NewClient presents the admin's.
func WithMutualTLS() Option { return func(c *config) { c.tls, c.mtls = true, true } }

// WithIssuePolls sets how many reads of a submitted certificate pass
// before the authority has issued it (default 1: the first read after the
// submission sees it still requested).
func WithIssuePolls(n int) Option { return func(c *config) { c.issuePolls = n } }

// WithCertificateLifetime sets the validity of issued certificates
// (default 90 days).
func WithCertificateLifetime(d time.Duration) Option { return func(c *config) { c.lifetime = d } }

// WithoutSeed starts with an empty inventory (the admin, the roles and
// the RA profiles are still there).
func WithoutSeed() Option { return func(c *config) { c.noSeed = true } }

// WithoutValidation skips checking traffic against the spec, ours and the
// vendor's OpenAPI documents. Validating an exchange costs far more CPU
// than answering it (the vendor's JSON Schemas compiled for each one), so
// benchmarks turn it off.
func WithoutValidation() Option { return func(c *config) { c.noValidate = true } }

// Server is a running fake Core. Close it when done.
type Server struct {
	// URL is the base URL, for czertainly.NewClient.
	URL string
	// AdminCertificate is the admin's client certificate with its key,
	// issued by the fake's CA.
	AdminCertificate tls.Certificate

	base   *fakeserver.Server
	vendor *vendorValidator
	cfg    config

	mu            sync.Mutex
	ca            *ca
	certs         map[string]*certificate
	order         []string // creation order
	generated     []generatedRun
	users         map[string]*user
	roles         map[string]*role
	approvals     map[string]*approval
	groups        map[string]*group
	connectorDown int
	clock         func() time.Time
	tokens        map[string]string // bearer token → user UUID (TokenFor)
	// seq counts requests; jobs is Core's background work, each due
	// before a later request (see later).
	seq  int
	jobs []job
}

// NewServer starts a fake Core on a loopback port.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{issuePolls: 1, lifetime: 90 * 24 * time.Hour, backgroundLag: 1}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, certs: map[string]*certificate{}, users: map[string]*user{}, roles: map[string]*role{},
		approvals: map[string]*approval{}, groups: map[string]*group{}, tokens: map[string]string{}, clock: time.Now}
	var err error
	if s.ca, err = newCA("czertainlytest CA"); err != nil {
		return nil, fmt.Errorf("czertainlytest: %w", err)
	}
	if err := s.seed(); err != nil {
		return nil, fmt.Errorf("czertainlytest: %w", err)
	}
	fo := fakeserver.Options{Spec: "czertainly.yaml", TLS: cfg.tls}
	handler := s.routes()
	if cfg.noValidate {
		fo.Spec = ""
	} else {
		if s.vendor, err = loadVendorDocs(); err != nil {
			return nil, fmt.Errorf("czertainlytest: vendor documents: %w", err)
		}
		fo.VendorViolations = s.vendor.list
		handler = s.vendor.middleware(handler)
	}
	if cfg.mtls {
		pool := x509.NewCertPool()
		pool.AddCert(s.ca.cert)
		fo.TLSConfig = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	}
	fs, err := fakeserver.Start(handler, fo)
	if err != nil {
		return nil, fmt.Errorf("czertainlytest: %w", err)
	}
	s.base, s.URL = fs, fs.URL
	return s, nil
}

// clientOptions authenticate as the admin: by mutual TLS when the fake
// asks for it, else with the bearer token.
func (s *Server) clientOptions() []czertainly.Option {
	var opts []czertainly.Option
	if s.cfg.mtls {
		opts = append(opts, czertainly.WithClientCertificate(s.AdminCertificate))
	} else {
		opts = append(opts, czertainly.WithBearerToken(BearerToken))
	}
	if pool := s.TLSRootCAs(); pool != nil {
		opts = append(opts, czertainly.WithRootCAs(pool))
	}
	return opts
}

// CACertificate is the certificate of the fake's authority.
func (s *Server) CACertificate() *x509.Certificate { return s.ca.cert }

// IssuingCAs is a pool holding the fake's authority, which issues every
// certificate: the roots to verify the certificates and chains an
// enrollment receives (x509.VerifyOptions.Roots). It is not the TLS root
// (TLSRootCAs, for czertainly.WithRootCAs): the fake's connections and its
// authority have different roots, as a deployment's usually do.
func (s *Server) IssuingCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.ca.cert)
	return pool
}

// WithConnectorDown makes the next n calls that reach the authority's
// connector fail as Core does when it cannot be reached: issue, renew and
// rekey answer 400 "Failed to submit certificate request…"
// (ClientOperationServiceImpl.java:237, 436, 582; ExceptionHandlingAdvice.java:420),
// attribute calls 503 (ExceptionHandlingAdvice.java:288), and a revocation,
// answered 204 before it reaches the connector, leaves the certificate
// issued with a failed event (ClientOperationServiceImpl.java:790-796).
func (s *Server) WithConnectorDown(n int) {
	s.mu.Lock()
	s.connectorDown = n
	s.mu.Unlock()
}

// authenticate finds the caller: the TLS peer certificate, the
// certificate header (URL-escaped PEM), the bearer token or the session
// cookie. nil means anonymous, which Core refuses with 401.
func (s *Server) authenticate(r *http.Request) *user {
	var der []byte
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		der = r.TLS.PeerCertificates[0].Raw
	} else if h := r.Header.Get(czertainly.DefaultCertificateHeader); h != "" {
		text, err := url.QueryUnescape(h)
		if err != nil {
			return nil
		}
		if block, _ := pem.Decode([]byte(text)); block != nil {
			der = block.Bytes
		}
	}
	if der != nil {
		fp := fingerprint(der)
		for _, u := range s.users {
			if u.certFingerprint == fp && u.enabled {
				return u
			}
		}
		return nil
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if tok == BearerToken {
			return s.users[AdminUserUUID]
		}
		if u := s.users[s.tokens[tok]]; u != nil && u.enabled {
			return u
		}
		return nil
	}
	if c, err := r.Cookie(czertainly.SessionCookie); err == nil && c.Value == SessionValue {
		return s.users[AdminUserUUID]
	}
	return nil
}

// TokenFor returns an OIDC bearer token that authenticates the user
// userUUID (created through the API), as the identity provider of a real
// platform would issue one: a test acts as a second user with it, e.g. a
// recipient deciding an approval its creator may not decide.
func (s *Server) TokenFor(userUUID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := "czertainlytest-oidc-" + userUUID
	s.tokens[tok] = userUUID
	return tok
}

func newUUID() string { return uuid.NewString() }
