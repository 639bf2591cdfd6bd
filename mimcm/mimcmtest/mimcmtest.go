// Package mimcmtest is an in-memory fake of the MIM Certificate Management
// REST API requests endpoints, for tests of code that uses package mimcm
// (like net/http/httptest). It checks every request and response against
// openapi/mimcm.yaml (see SpecViolations), is seeded with the two requests
// of the samples in the vendor's documentation (served byte for byte), and
// misbehaves on demand (Inject).
//
//	srv := mimcmtest.NewTestServer(t)
//	c, err := srv.NewClient()
//	if err != nil { … }
//	pending, err := c.ListRequests(ctx, mimcm.RequestFilter{Status: mimcm.StatusPending})
//
// The fake accepts basic authentication only. Username may see every
// request; NoAccessUsername is answered 403 on every call; anything else
// gets 401.
package mimcmtest

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
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

// The fixtures Fixture returns: the sample responses of the vendor's
// documentation, verbatim.
const (
	// FixtureEnroll is the answer to GET requests/{SampleEnrollID}.
	FixtureEnroll = "request-enroll.json"
	// FixtureUnblock is the answer to GET requests/{SampleUnblockID}.
	FixtureUnblock = "request-unblock.json"
)

const basePath = "/CertificateManagement/api/v1.0"

//go:embed testdata
var testdata embed.FS

// Fixture returns a sample of the vendor's documentation from the fake's
// testdata folder, verbatim (FixtureEnroll, FixtureUnblock).
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
	// (UserUUID), who may see every request.
	Username, Password string

	base *fakeserver.Server

	mu       sync.Mutex
	requests []stored
	users    map[string]account
	// names is the fake's own status number → filter name table (Microsoft
	// publishes no such table; see SetStatusName).
	names    map[mimcm.StatusNumber]mimcm.Status
	disabled bool
}

type stored struct {
	id     uuid.UUID
	status mimcm.StatusNumber
	target uuid.UUID
	body   []byte
}

type account struct {
	password  string
	id        uuid.UUID
	forbidden bool
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	tls            bool
	user, password string
}

// WithTLS serves HTTPS with httptest's self-signed certificate (see
// Certificate and RootCAs), as IIS deployments do.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithCredentials replaces the credentials of the fake's main user
// (default Username and Password).
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// NewServer starts a fake on a loopback port, seeded with the two sample
// requests. Status 3 (what the samples show right after creation) is filed
// under "Pending" and 8 under "Completed" for the status filter; see
// SetStatusName.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{user: Username, password: Password}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		Username: cfg.user, Password: cfg.password,
		users: map[string]account{
			cfg.user:         {password: cfg.password, id: UserUUID},
			NoAccessUsername: {password: NoAccessPassword, id: uuid.New(), forbidden: true},
		},
		names: map[mimcm.StatusNumber]mimcm.Status{3: mimcm.StatusPending, 8: mimcm.StatusCompleted},
	}
	for _, name := range []string{FixtureEnroll, FixtureUnblock} {
		b, err := Fixture(name)
		if err != nil {
			return nil, err
		}
		if err := s.AddRequestJSON(b); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+basePath+"/requests", s.listRequests)
	mux.HandleFunc("GET "+basePath+"/requests/{id}", s.getRequest)
	base, err := fakeserver.Start(s.gate(mux), fakeserver.Options{Spec: "mimcm.yaml", TLS: cfg.tls})
	if err != nil {
		return nil, fmt.Errorf("mimcmtest: %w", err)
	}
	s.base, s.URL = base, base.URL
	return s, nil
}

// clientOptions configure a mimcm.Client for this fake (see NewClient).
func (s *Server) clientOptions() []mimcm.Option {
	opts := []mimcm.Option{mimcm.WithBasicAuth(s.Username, s.Password)}
	if pool := s.RootCAs(); pool != nil {
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
// byte for byte.
func (s *Server) AddRequestJSON(body []byte) error {
	var r mimcmapi.Request
	if err := json.Unmarshal(body, &r); err != nil {
		return fmt.Errorf("mimcmtest: request JSON: %w", err)
	}
	if r.Uuid == uuid.Nil {
		return fmt.Errorf("mimcmtest: the request JSON has no Uuid")
	}
	st := stored{id: r.Uuid, status: mimcm.StatusNumber(r.Status), target: r.TargetUserUuid, body: bytes.TrimSpace(body)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.requests, func(x stored) bool { return x.id == r.Uuid }); i >= 0 {
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

// ctxUser carries the signed-in user's identity to the routes.
type ctxUser struct{}

// gate answers 404 while disabled, 401 without valid credentials and 403
// for a user without access, before any route runs.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		disabled := s.disabled
		name, password, ok := r.BasicAuth()
		acct, known := s.users[name]
		s.mu.Unlock()
		switch {
		case disabled:
			writeRaw(w, http.StatusNotFound, message("No HTTP resource was found that matches the request URI."))
		case !ok || !known || acct.password != password:
			w.Header().Set("WWW-Authenticate", `Basic realm="CertificateManagement"`)
			writeRaw(w, http.StatusUnauthorized, message("Authorization has been denied for this request."))
		case acct.forbidden:
			writeRaw(w, http.StatusForbidden, message("Access is denied."))
		default:
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxUser{}, acct.id)))
		}
	})
}

func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.requests {
		if st.id == id {
			writeRaw(w, http.StatusOK, st.body)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	status := mimcm.Status(q.Get("status"))
	var target uuid.UUID
	if q.Get("targetuser") == "current" {
		target, _ = r.Context().Value(ctxUser{}).(uuid.UUID)
	}
	s.mu.Lock()
	var bodies [][]byte
	for _, st := range s.requests {
		if status != "" && s.names[st.status] != status {
			continue
		}
		if target != uuid.Nil && st.target != target {
			continue
		}
		bodies = append(bodies, st.body)
	}
	s.mu.Unlock()
	if len(bodies) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var b bytes.Buffer
	b.WriteByte('[')
	b.Write(bytes.Join(bodies, []byte(",")))
	b.WriteByte(']')
	writeRaw(w, http.StatusOK, b.Bytes())
}

func message(text string) []byte {
	b, _ := json.Marshal(map[string]string{"Message": text})
	return b
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
