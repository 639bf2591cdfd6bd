// Package cloudtest is an in-memory fake of the MobileIron Cloud v1 user
// API for tests, in the manner of net/http/httptest: NewServer starts it on
// a loopback port, holding the accounts of the vendor documentation's
// samples.
//
// It is stateful and safe for concurrent use: accounts can be created,
// listed (start/rows paging, q and fq=UID=… search, sorting, facets),
// updated, deleted after a viability check; invitations, enrollment URLs,
// registration PINs and policy, custom attributes, account metadata and
// LDAP import jobs (IN_PROGRESS, then COMPLETED or FAILED) behave as the
// documentation says. Every request and answer is checked against
// openapi/mobileiron-cloud.yaml (see SpecViolations), and injected faults
// (Inject) make it fail on demand.
//
// # A tenant as the documentation shows it
//
// Each account is kept as the members of its JSON object, so answers look
// like the documentation's: the create calls answer every member, null
// ones too; the listing and the UID search leave null members out, so an
// account whose field was never set (or was cleared) is answered without
// that member. The update call (PUT /api/v1/account) clears every field of
// its parameter table it does not carry, as the documentation says; a PUT
// that carries only id, emailAddress, password, confirmPassword and
// enabled is the documentation's Change Password call and changes only the
// password and the enabled state. With WithGDPRProfile the API user has a
// GDPR profile: the chosen members are answered as "*****".
//
// The seeded accounts carry every identifier and every member the
// documentation's samples show (accountSettings, androidWorkRetryCount,
// the null members of the create answers): 6150167 (Get All Accounts),
// 10022 (Search by UID), 10023 and 10024 (the create samples), 10051 and
// 10004 (registration PINs), 10552 (invitation), 11193157 (Update User
// Account, with the example's edipi as a JSON number, its GDPR profile ID
// as text, its managed Apple ID and password settings), 12477207 (Change Password), 9931017 (custom attributes),
// 47252222 (Delete User), 47253017 (Check Delete Viability) and 10001, the
// tenant administrator the metadata sample describes and who created the
// others. The documentation obfuscates the e-mail addresses of its samples
// (they read "[email protected]"); the fake gives every account a clean
// address of its own under example.test instead, and the same to the
// metadata answer.
//
// Answers follow the vendor: bad credentials are answered 401 before
// anything else, an unknown path 404 and a known path with the wrong
// method 405 (with Allow), all in the API's errors envelope. Credentials
// are Username and Password. Error codes the documentation does not give
// (an unknown account, a duplicate UID, these 401, 404 and 405 answers)
// are the fake's own and start with "CLOUDTEST-".
package cloudtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
)

//go:generate go run ../../../internal/cmd/gensurface -kind fake -pkg cloudtest -vendor "MobileIron Cloud" -client github.com/certadmin/certadmin-go/mobileiron/cloud -o surface.gen.go

// Credentials the fake accepts unless WithCredentials says otherwise
// (HTTP basic). They are test values, not secrets.
const (
	Username = "tenant-admin@example.test"
	Password = "cloudtest-not-a-secret"
)

// AdminID is the account ID of the tenant administrator (the metadata
// sample's accountId), the creator of new accounts.
const AdminID = 10001

// LDAPServer is the name of the fake tenant's LDAP server.
const LDAPServer = "ldap-2k"

// MaxRows is the largest rows value accepted, as on the real API.
const MaxRows = 500

// defaultMasked are the members WithGDPRProfile masks unless told others.
var defaultMasked = []string{"emailAddress", "firstName", "lastName", "displayName"}

// Option configures NewServer.
type Option func(*config)

type config struct {
	user, password string
	generated      int
	pageLatency    time.Duration
	noValidate     bool
	importPolls    int
	tls            bool
	masked         masking
}

// WithGeneratedAccounts adds n synthetic accounts (IDs from 1 000 001,
// user000001@example.test …) after the sample accounts.
func WithGeneratedAccounts(n int) Option { return func(c *config) { c.generated = n } }

// WithPageLatency delays every listing answer by d, like a busy tenant.
func WithPageLatency(d time.Duration) Option { return func(c *config) { c.pageLatency = d } }

// WithoutValidation skips checking traffic against the spec. Validating a
// 500-row page costs far more CPU than answering it, so benchmarks turn it off.
func WithoutValidation() Option { return func(c *config) { c.noValidate = true } }

// WithCredentials replaces the Tenant Admin credentials the fake accepts
// (default Username and Password).
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// WithImportPolls sets how many status checks an LDAP import answers
// IN_PROGRESS before it ends (default 1).
func WithImportPolls(n int) Option { return func(c *config) { c.importPolls = n } }

// WithTLS serves HTTPS with httptest's self-signed certificate; NewClient
// trusts it.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithGDPRProfile gives the API user a GDPR profile: every answer shows
// the named account members (by default emailAddress, firstName, lastName
// and displayName, what names a person) as "*****" wherever they have a
// value. Which members a real profile masks is the tenant's choice. The stored accounts keep their values
// (Account and AccountJSON show them); a client that writes a masked value
// back stores the mask.
func WithGDPRProfile(members ...string) Option {
	return func(c *config) {
		if len(members) == 0 {
			members = defaultMasked
		}
		c.masked = masking{}
		for _, m := range members {
			c.masked[m] = true
		}
	}
}

// Server is a running fake tenant. Close it when done.
type Server struct {
	// URL is the base URL of the fake, for cloud.NewClient.
	URL string
	// Username and Password are the Tenant Admin credentials it accepts.
	Username, Password string

	base *fakeserver.Server
	cfg  config

	mu          sync.Mutex
	byID        map[int64]*account
	order       []int64 // IDs in ascending order
	nextID      int64
	nextPIN     int64
	nextImport  int64
	policy      *cloud.RegistrationPolicy
	ldapUsers   map[string]LDAPUser
	imports     map[int64]*importJob
	enrollments []Enrollment
	invites     []Invite
	facets      map[string]map[string]int64 // of all accounts; nil when stale
	metadata    []byte
}

// LDAPUser is an entry of the fake tenant's LDAP directory.
type LDAPUser struct {
	UID, Email, FirstName, LastName string
	// Invalid makes its import fail with KC-103 (an invalid attribute).
	Invalid bool
}

// Enrollment records a created enrollment URL.
type Enrollment struct {
	AccountID int64
	Lifetime  time.Duration
	URL       string
}

// Invite records an invitation.
type Invite struct {
	AccountID int64
	Ownership string
}

type importJob struct {
	id        int64
	user      string
	invite    bool
	ownership string
	checks    int
	status    string
	code, msg string
}

// NewServer starts a fake tenant holding the sample accounts. Close it
// when done.
func NewServer(opts ...Option) (*Server, error) {
	s := &Server{
		cfg:        config{user: Username, password: Password, importPolls: 1},
		byID:       map[int64]*account{},
		nextID:     10023, // the first account the documentation's create samples show
		nextPIN:    37000, // the PIN sample's id
		nextImport: 1,
		ldapUsers:  map[string]LDAPUser{},
		imports:    map[int64]*importJob{},
	}
	for _, o := range opts {
		o(&s.cfg)
	}
	if err := s.seed(); err != nil {
		return nil, err
	}
	spec := "mobileiron-cloud.yaml"
	if s.cfg.noValidate {
		spec = ""
	}
	fs, err := fakeserver.Start(s.routes(), fakeserver.Options{Spec: spec, TLS: s.cfg.tls})
	if err != nil {
		return nil, err
	}
	s.base, s.URL = fs, fs.URL
	s.Username, s.Password = s.cfg.user, s.cfg.password
	return s, nil
}

// clientOptions configure a cloud.Client for this fake (see NewClient).
func (s *Server) clientOptions() []cloud.Option {
	opts := []cloud.Option{cloud.WithBasicAuth(s.Username, s.Password)}
	if pool := s.TLSRootCAs(); pool != nil {
		opts = append(opts, cloud.WithRootCAs(pool))
	}
	return opts
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/accounts", s.createAccounts)
	mux.HandleFunc("POST /api/v1/account", s.createAccount)
	mux.HandleFunc("GET /api/v1/account", s.getAccount)
	mux.HandleFunc("PUT /api/v1/account", s.update)
	mux.HandleFunc("DELETE /api/v1/account", s.delete)
	mux.HandleFunc("GET /api/v1/account/metadata", s.writeMetadata)
	mux.HandleFunc("PATCH /api/v1/account/customattributes", s.customAttributes)
	mux.HandleFunc("POST /api/v1/account/regpin", s.regpin)
	mux.HandleFunc("POST /api/v1/invite/enduser", s.invite)
	mux.HandleFunc("POST /api/v1/tenant/enrollment/url", s.enrollmentURL)
	mux.HandleFunc("POST /api/v1/ldap/import/user", s.ldapImport)
	mux.HandleFunc("GET /api/v1/ldap/import/user/status", s.ldapStatus)
	mux.HandleFunc("PUT /api/v1/userpolicy", s.setPolicy)
	routed := fakeserver.Route(mux, func(w http.ResponseWriter, r *http.Request, status int) {
		if status == http.StatusMethodNotAllowed {
			writeError(w, status, "CLOUDTEST-405", r.Method+" is not allowed on "+r.URL.Path, "")
			return
		}
		writeError(w, status, "CLOUDTEST-404", "no such call: "+r.Method+" "+r.URL.Path, "")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != s.Username || p != s.Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="MobileIron Cloud"`)
			writeError(w, http.StatusUnauthorized, "CLOUDTEST-401", "bad credentials", "")
			return
		}
		routed.ServeHTTP(w, r)
	})
}

// getAccount is GET /api/v1/account, which carries four of the
// documentation's calls: the metadata (?metadata), the delete viability
// check, and the listing and UID search.
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Has("metadata"):
		s.writeMetadata(w, r)
	case q.Get("checkDeleteViability") == "true":
		s.deleteViability(w, r)
	default:
		s.list(w, r)
	}
}

// --- inspection ---

// AddLDAPUser puts u into the fake LDAP directory, importable by UID or email.
func (s *Server) AddLDAPUser(u LDAPUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ldapUsers[strings.ToLower(u.UID)] = u
	if u.Email != "" {
		s.ldapUsers[strings.ToLower(u.Email)] = u
	}
}

// AccountCount is the number of stored accounts.
func (s *Server) AccountCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.order)
}

// AccountIDs lists the stored accounts' IDs in ascending order.
func (s *Server) AccountIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
}

// Account returns the stored account as a create answer would show it
// without a GDPR profile, nil when there is none.
func (s *Server) Account(id int64) *cloud.Account {
	b := s.AccountJSON(id)
	if b == nil {
		return nil
	}
	var out cloud.Account
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("cloudtest: stored account %d does not decode: %v", id, err))
	}
	return &out
}

// AccountJSON returns the stored account's JSON object with every member,
// null ones too, unmasked; nil when there is none.
func (s *Server) AccountJSON(id int64) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	if !ok {
		return nil
	}
	return bytes.Clone(a.encode(true, nil))
}

// HasPassword reports whether a password was set for the account.
func (s *Server) HasPassword(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	return ok && a.passwordSet
}

// CustomAttributes returns the custom attributes set on an account.
func (s *Server) CustomAttributes(id int64) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.byID[id]; ok {
		out := make(map[string][]string, len(a.attrs))
		for k, v := range a.attrs {
			out[k] = slices.Clone(v)
		}
		return out
	}
	return nil
}

// Policy returns the last registration policy set, nil when none was.
func (s *Server) Policy() *cloud.RegistrationPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.policy == nil {
		return nil
	}
	p := *s.policy
	return &p
}

// Enrollments lists the enrollment URLs created so far.
func (s *Server) Enrollments() []Enrollment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.enrollments)
}

// Invites lists the invitations sent so far.
func (s *Server) Invites() []Invite {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invites)
}

// RemoveAccountsAbove deletes every account whose ID is above id, as an
// administrator working in the console at the same time would; tests use
// it to shrink the total while a listing runs.
func (s *Server) RemoveAccountsAbove(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.order {
		if x > id {
			delete(s.byID, x)
		}
	}
	i, _ := slices.BinarySearch(s.order, id+1)
	s.order = s.order[:i]
	s.facets = nil
}

// insert adds a to the store; the caller holds mu (or owns s exclusively).
func (s *Server) insert(a *account) {
	s.byID[a.id] = a
	i, _ := slices.BinarySearch(s.order, a.id)
	s.order = slices.Insert(s.order, i, a.id)
	s.facets = nil
}

// newID returns the next free account ID; the caller holds mu.
func (s *Server) newID() int64 {
	for s.byID[s.nextID] != nil {
		s.nextID++
	}
	id := s.nextID
	s.nextID++
	return id
}

// --- answers ---

type envelope struct {
	Errors *wireErrors `json:"errors"`
	Result any         `json:"result"`
}

// wireErrors writes both lists, null when empty, as the real API does.
type wireErrors struct {
	GlobalErrors []globalError `json:"globalErrors"`
	FieldErrors  []fieldError  `json:"fieldErrors"`
}

type globalError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type fieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func ok(w http.ResponseWriter, result any) { writeJSON(w, http.StatusOK, envelope{Result: result}) }

// okRaw answers {"errors":null,"result":<result>} with result already JSON.
func okRaw(w http.ResponseWriter, result []byte) {
	b := make([]byte, 0, len(result)+32)
	b = append(b, `{"errors":null,"result":`...)
	b = append(b, result...)
	b = append(b, '}')
	writeRaw(w, http.StatusOK, b)
}

// writeError answers the errors envelope: a global error, or a field error
// when field is set.
func writeError(w http.ResponseWriter, status int, code, msg, field string) {
	errs := &wireErrors{}
	if field != "" {
		errs.FieldErrors = []fieldError{{Code: code, Message: msg, Field: field}}
	} else {
		errs.GlobalErrors = []globalError{{Code: code, Message: msg}}
	}
	writeJSON(w, status, envelope{Errors: errs})
}

func parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-FORM", "malformed form body", "")
		return false
	}
	return true
}

func nowMS() int64 { return time.Now().UnixMilli() }

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
