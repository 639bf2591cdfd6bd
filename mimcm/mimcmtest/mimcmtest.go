// Package mimcmtest is a stateful in-memory fake of the MIM Certificate
// Management REST API, for tests of code that uses package mimcm (like
// net/http/httptest). It serves every operation of the vendor's
// reference, checks every request and response against openapi/mimcm.yaml
// (see SpecViolations), and misbehaves on demand (Inject).
//
//	srv := mimcmtest.NewTestServer(t)
//	c, err := srv.NewClient()
//	if err != nil { … }
//	e, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
//
// # What it holds
//
// Every sample of the vendor's documentation, with its identifiers: the
// two sample requests (served byte for byte until they change), the two
// sample profile templates, the three sample profiles, the sample smart
// cards (by card ID, by GUID, and the one with the sample certificates),
// the sixteen sample user certificates, and the sample answers of the
// generation options, diversified key and authentication response calls
// for the sample request and card. Beside them the fake's own profile
// templates: TemplateSoftware (the sample's software template, approved
// at once, client-generated RSA 2048/SHA-256 keys, PKCS#7 answers: the
// CMC full response of the vendor's sample, or certs-only after
// SetCertsOnlyPKCS7),
// TemplateApproval (requests wait for ApproveRequest or DenyRequest),
// TemplateServerKey (the server generates the key and answers a PFX
// encrypted with the caller's PFX password; SetPFXPasswordMismatch
// mangles it) and TemplateSampleRequests.
//
// Requests move through the fake's status numbers. Only two are the
// reference's: 3 (Approved: the samples of get-request.md, executed as the
// walkthrough's step 8 allows only for an approved request) and 8
// (Completed, cancel-abandon-complete-request.md). The others are
// placeholders outside 0-8 (Pending 101, Denied 102, Executing 104,
// Failed 105, Canceled 106, Abandoned 107; StatusNumber returns them), so
// that a client that hard-codes a guessed number fails here; the status
// filter (?status=Name) files each under its published name, as a client
// must read them. Certificate data is taken for an approved request, and
// the request stays Approved (3) until it is completed: the reference
// shows no status between the two (sample-enrollment-walkthrough.md,
// steps 26-28). Each call has the fake's CA (CA) issue a certificate for
// each PKCS#10 request's key, a second call for the same request too
// (nothing in the reference refuses it), creates the request's new
// profile (NewProfileUuid, the profile the request produced) and adds the
// certificates to the user's list. Completing a Renew, Revoke or Retire
// request changes the profile it names; retired certificates leave the
// user's list. A request in the wrong state is answered 500 with a
// correlation ID, as the server answers the exceptions it does not
// handle. ApproveRequest, DenyRequest and FailRequest act as a person or
// the server would.
//
// # How it answers
//
// In the order a CM server behind IIS does:
//
//   - 401 with an HTML page to a request without valid credentials,
//     whatever its path or method: with a Basic challenge by default
//     (Username, or the WithCredentials user, may see everything;
//     NoAccessUsername signs in but is refused), with the Windows
//     authentication handshakes under WithNTLM, WithNegotiate,
//     WithKerberosCheck and WithKerberosKeytab (the NTLMv2 response is
//     verified against the user's password, see WithNTLM; a Kerberos
//     AP-REQ against a keytab, answered with an AP-REP).
//   - 404 with an HTML page to every request while the API is disabled
//     (SetEnabled(false), as Clm.WebApi.Enabled=false).
//   - 404 with a Web API error object ({"Message": …}) for a path under
//     /CertificateManagement/api/v1.0 that no route takes (an HTML page for
//     any other path), and 405 with an Allow header for a method the path
//     does not take.
//   - 403 {"Message":"Access is denied."} to NoAccessUsername.
//   - 400 to an id that is not a GUID or a body it cannot read, 204 to a
//     Get of something it does not have and to a list nothing matches.
//
// Where the vendor's pages disagree the fake takes every documented
// form: the workflow policy under policies/{type} and policy/workflow/{type},
// GET and PUT on requests/{reqid}/smartcards/{scid}, the proposed PIN
// under smartcards/{id} and requests/{reqid}/smartcards/{scid}, the data
// collection of a new request as a JSON string or an array, its priority
// as a number or a string. Paths match in any letter case and with or
// without a trailing slash, as on IIS (the vendor's examples write
// /certificatemanagement/…); query parameter and body member names too.
// Hits, faults and the spec check see the spec's spelling. The wording of
// every message is the fake's: the vendor's documentation gives none.
// InternalError is the 500 of an unhandled exception, with its
// correlation ID.
package mimcmtest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

//go:generate go run ../../internal/cmd/gensurface -kind fake -pkg mimcmtest -vendor "MIM CM" -client github.com/certadmin/certadmin-go/mimcm -o surface.gen.go

// Credentials the fake accepts unless WithCredentials says otherwise. They
// are fixed test values, not secrets.
const (
	// Username may read every request; targetuser=current selects the
	// requests whose target is UserUUID.
	Username = `CONTOSO\cmuser`
	Password = "fake-cmuser-password"

	// NoAccessUsername authenticates but is answered 403 Forbidden.
	NoAccessUsername = `CONTOSO\visitor`
	NoAccessPassword = "fake-visitor-password"
)

// Identities of the seeded data.
var (
	// UserUUID is the identity of the fake's main user (Username), the
	// originator and target of the sample requests.
	UserUUID = uuid.MustParse("8f1590dc-d932-4b66-8e68-2e91c5880780")
	// SampleEnrollID is the smart card enroll request of the first sample.
	SampleEnrollID = uuid.MustParse("a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099")
	// SampleUnblockID is the smart card unblock request of the second sample.
	SampleUnblockID = uuid.MustParse("0c96d73f-967b-420e-854a-43ad2a1504bc")
)

// The fixtures Fixture returns: the sample bodies of the vendor's
// documentation, verbatim (the walkthrough's with its typographic quotes,
// indentation and trailing comma).
const (
	// FixtureEnroll is the answer to GET requests/{SampleEnrollID}.
	FixtureEnroll = "request-enroll.json"
	// FixtureUnblock is the answer to GET requests/{SampleUnblockID}.
	FixtureUnblock = "request-unblock.json"
	// FixtureCompleted is the answer to the PUT that completed SampleEnrollID.
	FixtureCompleted = "request-completed.json"
	// FixtureProfileTemplates is the answer to GET profiletemplates.
	FixtureProfileTemplates = "profile-templates.json"
	// FixtureGenerationOptions is the answer to GET requests/{id}/certificaterequestgenerationoptions.
	FixtureGenerationOptions = "generation-options.json"
	// FixtureCertificateData is the answer to POST requests/{id}/certificatedata.
	FixtureCertificateData = "certificate-data.json"
	// FixtureProfiles is the answer to GET profiles?status=Active.
	FixtureProfiles = "profiles-active.json"
	// FixtureSmartcardOperations is the answer to GET smartcards/{id}/operations.
	FixtureSmartcardOperations = "smartcard-operations.json"
	// FixtureSmartcardByCardID is the answer to GET smartcards?cardid={SampleCardID}.
	FixtureSmartcardByCardID = "smartcard-by-cardid.json"
	// FixtureSmartcard is the answer to GET smartcards/{SampleSmartcardID}.
	FixtureSmartcard = "smartcard.json"
	// FixtureSmartcardRetired is the answer to the PUT that retired SampleSmartcardID.
	FixtureSmartcardRetired = "smartcard-retired.json"
	// FixtureSmartcardCertificates is the answer to GET smartcards/{SampleCertificatesCard}/certificates.
	FixtureSmartcardCertificates = "smartcard-certificates.json"
	// FixtureUserCertificates is the answer to GET certificates.
	FixtureUserCertificates = "user-certificates.json"
	// FixtureDiversifiedKey and FixtureAuthenticationResponse are the
	// answers of the smart card key calls.
	FixtureDiversifiedKey         = "diversified-key.json"
	FixtureAuthenticationResponse = "authentication-response.json"
	// The request bodies of the vendor's examples.
	FixtureCreateEnrollBody      = "create-request-enroll.json"
	FixtureCreateUnblockBody     = "create-request-unblock.json"
	FixtureCreateTargetBody      = "create-request-target.json"
	FixtureCreatedEnroll         = "created-enroll.json"
	FixtureCreatedUnblock        = "created-unblock.json"
	FixtureAssignSmartcardBody   = "assign-smartcard-request.json"
	FixtureAssignedSmartcard     = "assigned-smartcard.json"
	FixtureCertificateDataBody   = "certificate-data-request.json"
	FixtureSetStatusBody         = "set-status-request.json"
	FixtureWalkthroughCreateBody = "walkthrough-create-request.json"
	FixtureWalkthroughAssignBody = "walkthrough-assign-smartcard.json"
	FixtureWalkthroughSubmitBody = "walkthrough-certificate-data-request.json"
)

const basePath = "/CertificateManagement/api/v1.0"

//go:embed testdata
var testdata embed.FS

// Fixture returns a sample of the vendor's documentation from the fake's
// testdata folder, verbatim (the Fixture… constants).
func Fixture(name string) ([]byte, error) {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("mimcmtest: no fixture %s", name)
	}
	return b, nil
}

// InternalError is a Fault answering 500 with the correlation ID in the
// message, as the server does for an unhandled exception. The vendor's
// documentation does not give the wording; this one is the fake's.
func InternalError(correlationID string, times int) Fault {
	return Fault{
		Status: http.StatusInternalServerError, Times: times, ContentType: "application/json; charset=utf-8",
		Body: string(message("An error has occurred. Correlation ID: " + correlationID)),
	}
}

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the base URL of the fake, for mimcm.NewClient.
	URL string
	// Username and Password are the credentials of the fake's main user
	// (UserUUID), who may see everything.
	Username, Password string

	base *fakeserver.Server
	ca   *ca
	auth authMode

	mu         sync.Mutex
	users      map[string]account
	templates  []*template
	requests   []*request
	profiles   []*profile
	smartcards []*smartcard
	// userCerts are the certificates GET certificates answers, each as
	// the server's JSON.
	userCerts []userCert
	// generated are the profiles of AddGeneratedProfiles.
	generated []generatedRun
	// names is the fake's own status number → filter name table (Microsoft
	// publishes no such table; see SetStatusName).
	names       map[mimcm.StatusNumber]mimcm.Status
	disabled    bool
	pfxMismatch bool
	certsOnly   bool
	ntlm        *ntlmState
	kerberos    func([]byte) (string, bool)
	epa         bool
}

type account struct {
	name      string
	password  string
	id        uuid.UUID
	forbidden bool
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	tls            bool
	user, password string
	auth           authMode
	kerberos       func([]byte) (string, bool)
	epa            bool
}

// WithTLS serves HTTPS with httptest's self-signed certificate (see
// Certificate and TLSRootCAs), as IIS deployments do.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithCredentials replaces the credentials of the fake's main user
// (default Username and Password).
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// NewServer starts a fake on a loopback port, seeded with the samples of
// the vendor's documentation (see the package documentation) and the
// fake's own profile templates (TemplateSoftware, TemplateApproval,
// TemplateServerKey).
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{user: Username, password: Password}
	for _, o := range opts {
		o(&cfg)
	}
	authority, err := newCA()
	if err != nil {
		return nil, fmt.Errorf("mimcmtest: CA: %w", err)
	}
	s := &Server{
		Username: cfg.user, Password: cfg.password, ca: authority, auth: cfg.auth, kerberos: cfg.kerberos, epa: cfg.epa,
		users: map[string]account{
			cfg.user:         {password: cfg.password, id: UserUUID},
			NoAccessUsername: {password: NoAccessPassword, id: uuid.New(), forbidden: true},
		},
		names: map[mimcm.StatusNumber]mimcm.Status{},
		ntlm:  newNTLMState(),
	}
	for n, name := range requestStatusNumbers {
		s.names[n] = name
	}
	if err := s.seed(); err != nil {
		return nil, fmt.Errorf("mimcmtest: %w", err)
	}
	base, err := fakeserver.Start(s.handler(), fakeserver.Options{Spec: "mimcm.yaml", TLS: cfg.tls, Canonical: canonicalRequest})
	if err != nil {
		return nil, fmt.Errorf("mimcmtest: %w", err)
	}
	s.base, s.URL = base, base.URL
	return s, nil
}

// clientOptions configure a mimcm.Client for this fake (see NewClient).
func (s *Server) clientOptions() []mimcm.Option {
	opts := s.authOptions()
	if pool := s.TLSRootCAs(); pool != nil {
		opts = append(opts, mimcm.WithRootCAs(pool))
	}
	return opts
}

// AddRequest stores r (replacing a stored request with the same UUID),
// written as the server writes it (see mimcm.Request.MarshalJSON).
func (s *Server) AddRequest(r mimcm.Request) error {
	if r.UUID == uuid.Nil {
		return fmt.Errorf("mimcmtest: the request has no UUID")
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("mimcmtest: %w", err)
	}
	return s.AddRequestJSON(b)
}

// AddRequestJSON stores a request given as the server's JSON, served back
// byte for byte until the request changes.
func (s *Server) AddRequestJSON(body []byte) error {
	var r mimcmapi.Request
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("mimcmtest: request JSON: %w", err)
	}
	if r.Uuid == uuid.Nil {
		return fmt.Errorf("mimcmtest: the request JSON has no Uuid")
	}
	st := &request{w: r, raw: bytes.TrimSpace(body)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.requests, func(x *request) bool { return x.w.Uuid == r.Uuid }); i >= 0 {
		s.requests[i] = st
	} else {
		s.requests = append(s.requests, st)
	}
	return nil
}

// User is an account of the fake (see AddUser).
type User struct {
	// Username and Password sign the user in with basic authentication.
	Username, Password string
	// ID is the user's identity: targetuser=current selects the requests
	// whose target it is.
	ID uuid.UUID
	// Forbidden users authenticate but are answered 403 on every call.
	Forbidden bool
}

// AddUser lets u sign in (replacing an account of the same name).
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Username] = account{password: u.Password, id: u.ID, forbidden: u.Forbidden}
}

// SetStatusName files the status number under a published name for the
// status filter (?status=). Microsoft publishes the names but not the
// numbers, so this table belongs to the fake only; the client never relies
// on it.
func (s *Server) SetStatusName(number mimcm.StatusNumber, name mimcm.Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[number] = name
}

// SetEnabled switches the API on or off. While off the fake answers 404 to
// every call, as a server with Clm.WebApi.Enabled=false does.
func (s *Server) SetEnabled(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disabled = !on
}

// ctxUser carries the signed-in user's account to the routes; ctxSent the
// URL as the client sent it, before canonicalPath.
type (
	ctxUser struct{}
	ctxSent struct{}
)

// handler answers in the order a CM server behind IIS does: IIS
// authenticates first (401 before anything else, also for a path that
// does not exist), then a disabled API answers 404 to everything, then
// Web API routes the request (404 for an unknown path, 405 for a method
// the path does not take) and the action checks the caller's permission
// (403). Paths match in any letter case, as on IIS.
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	routed := fakeserver.Route(mux, s.notRouted)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sent := *r.URL
		if orig, ok := r.Context().Value(ctxSent{}).(*url.URL); ok {
			sent = *orig
		}
		acct, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		disabled := s.disabled
		s.mu.Unlock()
		if disabled {
			// The API's routes are not mapped: the request never reaches
			// Web API, and IIS answers with its own page.
			writeHTML(w, http.StatusNotFound, "404 - Not Found", "Nothing is served at this address.")
			return
		}
		ctx := context.WithValue(context.WithValue(r.Context(), ctxUser{}, acct), ctxSent{}, &sent)
		routed.ServeHTTP(w, r.WithContext(ctx))
	})
}

// allowed answers 403 to a user without access before the action runs.
func (s *Server) allowed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if acct, _ := r.Context().Value(ctxUser{}).(account); acct.forbidden {
			writeRaw(w, http.StatusForbidden, message("Access is denied."))
			return
		}
		next(w, r)
	}
}

// notRouted answers a request no route takes: Web API's JSON error for a
// path under the API, IIS's page for any other path.
func (s *Server) notRouted(w http.ResponseWriter, r *http.Request, status int) {
	sent, _ := r.Context().Value(ctxSent{}).(*url.URL)
	if sent == nil {
		sent = r.URL
	}
	switch {
	case status == http.StatusMethodNotAllowed:
		writeRaw(w, status, message(fmt.Sprintf("The resource at this URI does not take the HTTP method '%s'.", r.Method)))
	case r.URL.Path == basePath || strings.HasPrefix(r.URL.Path, basePath+"/"):
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		writeRaw(w, status, message(fmt.Sprintf("No resource of the API matches the request URI '%s://%s%s'.", scheme, r.Host, sent.RequestURI())))
	default:
		writeHTML(w, status, "404 - Not Found", "Nothing is served at this address.")
	}
}

// routeSegments are the fixed path segments of the API's routes, by their
// lower-case form.
var routeSegments = map[string]string{}

func init() {
	for _, seg := range []string{"CertificateManagement", "api", "v1.0", "profiletemplates", "policies", "policy", "workflow",
		"configuration", "smartcards", "requests", "certificaterequestgenerationoptions", "certificatedata", "profiles",
		"diversifiedkey", "authenticationresponse", "serverproposedpin", "operations", "certificates"} {
		routeSegments[strings.ToLower(seg)] = seg
	}
}

// canonicalPath spells the fixed segments of p as the routes do and drops
// a trailing slash, so that "/certificatemanagement/API/v1.0/Requests/"
// (the spelling of the vendor's examples, or any other) routes like
// "/CertificateManagement/api/v1.0/requests". IIS and Web API match paths
// in any letter case.
func canonicalPath(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if c, ok := routeSegments[strings.ToLower(seg)]; ok {
			segs[i] = c
		}
	}
	out := strings.Join(segs, "/")
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	return out
}

// canonicalRequest runs before hit counts, faults and validation (see
// fakeserver.Options.Canonical), so all of them see the spec's spelling;
// the URL as sent stays in the context for the 404 text.
func canonicalRequest(r *http.Request) *http.Request {
	p := canonicalPath(r.URL.Path)
	if p == r.URL.Path {
		return r
	}
	sent := *r.URL
	return withPath(r.WithContext(context.WithValue(r.Context(), ctxSent{}, &sent)), p)
}

// withPath is r with its URL path replaced.
func withPath(r *http.Request, path string) *http.Request {
	if path == r.URL.Path {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = path, ""
	r2.URL = &u
	return r2
}

func message(text string) []byte {
	b, _ := json.Marshal(map[string]string{"Message": text})
	return b
}

// writeHTML answers with a page in the manner of IIS's error pages (the
// wording is the fake's).
func writeHTML(w http.ResponseWriter, status int, title, text string) {
	page := "<!DOCTYPE html>\n<html><head><title>" + html.EscapeString(title) + "</title></head>\n<body><h1>Server Error</h1><h2>" +
		html.EscapeString(title) + "</h2><p>" + html.EscapeString(text) + "</p></body></html>\n"
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", fmt.Sprint(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
