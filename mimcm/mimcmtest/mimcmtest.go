// Package mimcmtest is an in-memory fake of the MIM Certificate Management
// REST API requests endpoints, for tests of code that uses package mimcm
// (like net/http/httptest). It validates every request and response
// against openapi/mimcm.yaml, is seeded with the two requests of
// Microsoft's documentation samples (served byte for byte), and has the
// fault knobs of the embedded fakeserver.Server (Inject).
//
//	srv, err := mimcmtest.NewServer()
//	if err != nil { … }
//	defer srv.Close()
//	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(mimcmtest.User, mimcmtest.Password))
//
// The fake accepts basic authentication only. User may see every request;
// NoAccessUser is answered 403 on every call; anything else gets 401.
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
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Credentials the fake accepts. They are fixed test values, not secrets.
const (
	// User may read every request; targetuser=current selects the requests
	// whose target is UserUUID.
	User     = `CONTOSO\cmuser`
	Password = "fake-cmuser-password"
	// UserUUID is User's identity, the originator and target of the samples.
	UserUUID = "8f1590dc-d932-4b66-8e68-2e91c5880780"

	// NoAccessUser authenticates but is answered 403 Forbidden.
	NoAccessUser     = `CONTOSO\visitor`
	NoAccessPassword = "fake-visitor-password"
)

// The requests of Microsoft's samples, present in every new fake.
const (
	// SampleEnrollID is the smart card enroll request of the first sample.
	SampleEnrollID = "a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"
	// SampleUnblockID is the smart card unblock request of the second sample.
	SampleUnblockID = "0c96d73f-967b-420e-854a-43ad2a1504bc"
)

const basePath = "/CertificateManagement/api/v1.0"

//go:embed testdata/request-enroll.json testdata/request-unblock.json
var samples embed.FS

// SampleJSON returns the verbatim sample response body of the request
// with the given ID (SampleEnrollID or SampleUnblockID).
func SampleJSON(id string) ([]byte, error) {
	name := map[string]string{SampleEnrollID: "request-enroll.json", SampleUnblockID: "request-unblock.json"}[id]
	if name == "" {
		return nil, fmt.Errorf("mimcmtest: no sample request %s", id)
	}
	return samples.ReadFile("testdata/" + name)
}

// Fault describes how the fake misbehaves on matching requests (see
// Server.Inject): a status with a body, a Retry-After, a delay, a dropped
// connection or a truncated body.
type Fault = fakeserver.Fault

// HTMLLoginPage is what a sign-in proxy answers in place of the API; use it
// as a Fault body with ContentType "text/html".
const HTMLLoginPage = fakeserver.HTMLLoginPage

// InternalError is a Fault answering 500 with the correlation ID in the
// message, as the server does for an unhandled exception (Microsoft does
// not document the exact wording; this one is the fake's).
func InternalError(correlationID string, times int) Fault {
	return Fault{
		Status: http.StatusInternalServerError, Times: times, ContentType: "application/json; charset=utf-8",
		Body: string(message("An error has occurred. Correlation ID: " + correlationID)),
	}
}

// Server is a running fake. Close it when done.
type Server struct {
	*fakeserver.Server

	mu       sync.Mutex
	requests []stored
	users    map[string]account
	// names is the fake's own status number → filter name table (Microsoft
	// publishes no such table; see SetStatusName).
	names    map[int32]string
	disabled bool
}

type stored struct {
	id     uuid.UUID
	status int32
	target uuid.UUID
	body   []byte
}

type account struct {
	password string
	id       uuid.UUID
	allowed  bool
}

// Option configures NewServer.
type Option func(*config)

type config struct{ tls bool }

// WithTLS serves HTTPS with httptest's self-signed certificate (trust
// Server.Certificate()), as IIS deployments do.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// NewServer starts a fake on a loopback port, seeded with the two sample
// requests. Status 3 (what the samples show right after creation) is filed
// under "Pending" and 8 under "Completed" for the status filter; see
// SetStatusName.
func NewServer(opts ...Option) (*Server, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		users: map[string]account{
			User:         {password: Password, id: uuid.MustParse(UserUUID), allowed: true},
			NoAccessUser: {password: NoAccessPassword, id: uuid.New(), allowed: false},
		},
		names: map[int32]string{3: "Pending", 8: "Completed"},
	}
	for _, id := range []string{SampleEnrollID, SampleUnblockID} {
		b, err := SampleJSON(id)
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
	srv, err := fakeserver.Start(s.gate(mux), fakeserver.Options{Spec: "mimcm.yaml", TLS: cfg.tls})
	if err != nil {
		return nil, err
	}
	s.Server = srv
	return s, nil
}

// AddRequest stores r (replacing a stored request with the same Uuid).
// Unset times and GUIDs are written as the server writes them.
func (s *Server) AddRequest(r mimcmapi.Request) error {
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
	st := stored{id: r.Uuid, status: r.Status, target: r.TargetUserUuid, body: bytes.TrimSpace(body)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.requests, func(x stored) bool { return x.id == r.Uuid }); i >= 0 {
		s.requests[i] = st
	} else {
		s.requests = append(s.requests, st)
	}
	return nil
}

// AddUser lets name sign in with password as the user with the given
// identity; a user that is not allowed is answered 403.
func (s *Server) AddUser(name, password string, id uuid.UUID, allowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = account{password: password, id: id, allowed: allowed}
}

// SetStatusName files the status number under a filter name ("Pending",
// …) for ?status=. Microsoft publishes the names but not the numbers, so
// this table belongs to the fake only; the client never relies on it.
func (s *Server) SetStatusName(number int32, name mimcmapi.StatusName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[number] = string(name)
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
		case !acct.allowed:
			writeRaw(w, http.StatusForbidden, message("Access is denied."))
		default:
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxUser{}, acct.id)))
		}
	})
}

func (s *Server) getRequest(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id")) // the spec validator has rejected a malformed one
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
	status := q.Get("status")
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
