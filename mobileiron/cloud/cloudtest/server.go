// Package cloudtest is an in-memory fake of the MobileIron Cloud v1 user
// API for tests, in the manner of net/http/httptest: NewServer starts it on
// a loopback port, seeded with the vendor documentation's sample accounts.
//
// It is stateful and safe for concurrent use: accounts can be created,
// listed (start/rows paging, q and fq=UID=… search, sorting, facets),
// updated with the real API's rule that every absent field is cleared,
// deleted after a viability check; invitations, enrollment URLs,
// registration PINs and policy, custom attributes and LDAP import jobs
// (IN_PROGRESS, then COMPLETED or FAILED) behave like the documentation
// says. Like the real API it rejects rows above 500 with a 400 Range field
// error. Every request and answer is checked against
// openapi/mobileiron-cloud.yaml (see SpecViolations), and injected faults
// (Inject) make it fail on demand.
//
// Credentials are Username and Password. Error codes the documentation does
// not give (an unknown account, a duplicate UID) are the fake's own and
// start with "CLOUDTEST-".
package cloudtest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
)

//go:generate go run ../../../internal/cmd/gensurface -kind fake -pkg cloudtest -vendor "MobileIron Cloud" -client github.com/certadmin/certadmin-go/mobileiron/cloud -o surface.gen.go

// Credentials the fake accepts unless WithCredentials says otherwise
// (HTTP basic). They are test values, not secrets.
const (
	Username = "tenant-admin@example.test"
	Password = "cloudtest-not-a-secret"
)

// AdminID is the account ID the fake records as creator of new accounts.
const AdminID = 10001

// LDAPServer is the name of the fake tenant's LDAP server.
const LDAPServer = "ldap-2k"

// MaxRows is the largest rows value accepted, as on the real API.
const MaxRows = 500

// Option configures NewServer.
type Option func(*config)

type config struct {
	user, password string
	generated      int
	pageLatency    time.Duration
	noValidate     bool
	importPolls    int
	tls            bool
}

// WithTLS serves HTTPS with httptest's self-signed certificate; NewClient
// trusts it.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithGeneratedAccounts adds n synthetic accounts (IDs from 1 000 000,
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

// NewServer starts a fake tenant holding the documentation's sample accounts.
func NewServer(opts ...Option) (*Server, error) {
	s := &Server{
		cfg:        config{user: Username, password: Password, importPolls: 1},
		byID:       map[int64]*account{},
		nextID:     10023, // the first account the documentation's create samples show
		nextPIN:    37000,
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
	fs, err := fakeserver.Start(http.HandlerFunc(s.serve), fakeserver.Options{Spec: spec, TLS: s.cfg.tls})
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
	if pool := s.RootCAs(); pool != nil {
		opts = append(opts, cloud.WithRootCAs(pool))
	}
	return opts
}

func (s *Server) seed() error {
	for _, name := range []string{"get_all_accounts_response.json", "search_by_uid_response.json"} {
		raw, err := Fixture(name)
		if err != nil {
			return err
		}
		var env cloudapi.SearchResponse
		if err := Lenient(raw, &env); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, a := range *env.Result.SearchResults {
			s.insert(fromWire(a))
		}
	}
	meta, err := Fixture("metadata_response.json")
	if err != nil {
		return err
	}
	s.metadata = meta
	s.ldapUsers["ldapuser@example.test"] = LDAPUser{UID: "ldapuser@example.test", Email: "ldapuser@example.test", FirstName: "Lee", LastName: "Dap"}
	s.ldapUsers["broken@example.test"] = LDAPUser{UID: "broken@example.test", Email: "broken@example.test", Invalid: true}
	for i := 1; i <= s.cfg.generated; i++ {
		id := int64(1_000_000 + i)
		email := fmt.Sprintf("user%06d@example.test", i)
		s.insert(&account{
			ID: id, CreatedAt: 1442949222375 + int64(i), UID: email, Email: email,
			FirstName: "User", LastName: fmt.Sprintf("%06d", i), Display: fmt.Sprintf("User %06d", i),
			Source: "LOCAL", AccountType: "USER", InviteState: "Pending", Enabled: true, Mutable: true,
			PasswordHistory: "{}", AndroidWorkUserStatus: "NONE", Groups: allUsers,
		})
	}
	return nil
}

var allUsers = []string{"All Users"}

// insert adds a to the store; the caller holds mu (or owns s exclusively).
func (s *Server) insert(a *account) {
	s.byID[a.ID] = a
	i, _ := slices.BinarySearch(s.order, a.ID)
	s.order = slices.Insert(s.order, i, a.ID)
	s.facets = nil
}

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

// Account returns the stored account as the API shows it, nil when there
// is none.
func (s *Server) Account(id int64) *cloud.Account {
	s.mu.Lock()
	a, ok := s.byID[id]
	var b []byte
	if ok {
		b = a.encoded()
	}
	s.mu.Unlock()
	if !ok {
		return nil
	}
	var out cloud.Account
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("cloudtest: stored account %d does not decode: %v", id, err))
	}
	return &out
}

// HasPassword reports whether a password was set for the account.
func (s *Server) HasPassword(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.byID[id]
	return ok && a.PasswordSet
}

// CustomAttributes returns the custom attributes set on an account.
func (s *Server) CustomAttributes(id int64) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.byID[id]; ok {
		out := make(map[string][]string, len(a.Attrs))
		for k, v := range a.Attrs {
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

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !fakeserver.CheckBasicAuth(w, r, s.Username, s.Password) {
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "POST /api/v1/accounts":
		s.createAccounts(w, r)
	case "POST /api/v1/account":
		s.createAccount(w, r)
	case "GET /api/v1/account":
		if r.URL.Query().Get("checkDeleteViability") == "true" {
			s.deleteViability(w, r)
		} else {
			s.list(w, r)
		}
	case "PUT /api/v1/account":
		s.update(w, r)
	case "DELETE /api/v1/account":
		s.delete(w, r)
	case "GET /api/v1/account/metadata":
		writeRaw(w, http.StatusOK, s.metadata)
	case "PATCH /api/v1/account/customattributes":
		s.customAttributes(w, r)
	case "POST /api/v1/account/regpin":
		s.regpin(w, r)
	case "POST /api/v1/invite/enduser":
		s.invite(w, r)
	case "POST /api/v1/tenant/enrollment/url":
		s.enrollmentURL(w, r)
	case "POST /api/v1/ldap/import/user":
		s.ldapImport(w, r)
	case "GET /api/v1/ldap/import/user/status":
		s.ldapStatus(w, r)
	case "PUT /api/v1/userpolicy":
		s.setPolicy(w, r)
	default:
		writeError(w, http.StatusNotFound, "CLOUDTEST-404", "no such call: "+r.Method+" "+r.URL.Path, "")
	}
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

// --- accounts ---

func (s *Server) uidTaken(uid string) bool {
	for _, a := range s.byID {
		if strings.EqualFold(a.UID, uid) {
			return true
		}
	}
	return false
}

func (s *Server) newAccount(email, source string) *account {
	now := nowMS()
	a := &account{
		ID: s.nextID, CreatedAt: now, ModifiedAt: now, CreatedBy: AdminID, ModifiedBy: AdminID,
		UID: email, Email: email, Source: source, AccountType: "USER", Locale: "en_US", Mutable: true,
		PasswordHistory: `{"passwords":[]}`, AndroidWorkUserStatus: "NONE", Groups: allUsers,
	}
	s.nextID++
	return a
}

func (s *Server) createAccounts(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	var created []*cloudapi.Account
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; ; i++ {
		key := fmt.Sprintf("accounts[%d].", i)
		email := r.PostForm.Get(key + "emailAddress")
		if _, present := r.PostForm[key+"emailAddress"]; !present {
			break
		}
		if email == "" {
			writeError(w, http.StatusBadRequest, "NotEmpty", "may not be empty", key+"emailAddress")
			return
		}
		uid := r.PostForm.Get(key + "uid")
		if uid == "" {
			uid = email
		}
		if s.uidTaken(uid) {
			writeError(w, http.StatusBadRequest, "CLOUDTEST-DUPLICATE", "an account with UID "+uid+" exists", "")
			return
		}
		a := s.newAccount(email, orDefault(r.PostForm.Get(key+"accountSource"), "LOCAL"))
		a.UID = uid
		s.invited(a, r.URL.Query().Get("sendInvite") == "true", "")
		s.insert(a)
		created = append(created, toWire(*a))
	}
	if len(created) == 0 {
		writeError(w, http.StatusBadRequest, "NotEmpty", "may not be empty", "accounts[0].emailAddress")
		return
	}
	ok(w, created)
}

func (s *Server) invited(a *account, send bool, ownership string) {
	if !send {
		return
	}
	a.enc = nil
	if a.InviteState != "" {
		a.InviteResendCount++
	}
	a.InviteState = "Pending"
	a.InviteLastSentAt = nowMS()
	s.invites = append(s.invites, Invite{AccountID: a.ID, Ownership: ownership})
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	if f.Get("password") != f.Get("confirmPassword") {
		writeError(w, http.StatusBadRequest, "PasswordMismatch", "passwords do not match", "confirmPassword")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := orDefault(f.Get("uid"), f.Get("emailAddress"))
	if s.uidTaken(uid) {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-DUPLICATE", "an account with UID "+uid+" exists", "")
		return
	}
	a := s.newAccount(f.Get("emailAddress"), orDefault(f.Get("accountSource"), "LOCAL"))
	a.UID, a.FirstName, a.LastName, a.Display = uid, f.Get("firstName"), f.Get("lastName"), f.Get("displayName")
	a.Enabled, a.PasswordSet = true, true
	s.invited(a, r.URL.Query().Get("sendInvite") == "true", "")
	s.insert(a)
	ok(w, toWire(*a))
}

// searchTail is the listing answer after its searchResults member; every
// member is always present, as in the documentation's samples.
type searchTail struct {
	Offset          int64                       `json:"offset"`
	QueryTime       int64                       `json:"queryTime"`
	FacetedResults  map[string]map[string]int64 `json:"facetedResults"`
	TotalUnfiltered int64                       `json:"totalUnfilteredResultCount"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	q := r.URL.Query()
	rows, start := 20, 0
	if v := q.Get("rows"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxRows {
			writeError(w, http.StatusBadRequest, "Range", "must be between 1 and 500", "rows")
			return
		}
		rows = n
	}
	if v := q.Get("start"); v != "" {
		start, _ = strconv.Atoi(v)
	}
	if d := s.cfg.pageLatency; d > 0 {
		if !sleep(r.Context(), d) {
			return
		}
	}
	text := strings.ToLower(q.Get("q"))
	fq := q.Get("fq")
	sortBy, desc := q.Get("sortFields[0].name"), q.Get("sortFields[0].order") == "DESC"

	s.mu.Lock()
	filtered := text != "" || fq != ""
	var matches []*account
	if filtered || sortBy != "" {
		for _, id := range s.order {
			if a := s.byID[id]; match(a, text, fq) {
				matches = append(matches, a)
			}
		}
		if sortBy != "" {
			slices.SortStableFunc(matches, func(a, b *account) int {
				c := strings.Compare(sortKey(a, sortBy), sortKey(b, sortBy))
				if desc {
					c = -c
				}
				return c
			})
		}
	}
	total := len(s.order)
	if filtered || sortBy != "" {
		total = len(matches)
	}
	// The page is streamed from the cached encodings rather than built in
	// one buffer, so the fake adds little to a client's measured heap.
	parts := make([][]byte, 0, max(0, min(rows, total-start)))
	for i := start; i < total && i < start+rows; i++ {
		if matches != nil {
			parts = append(parts, matches[i].encoded())
		} else {
			parts = append(parts, s.byID[s.order[i]].encoded())
		}
	}
	var facets map[string]map[string]int64
	if filtered {
		facets = facetsOf(matches)
	} else {
		if s.facets == nil {
			all := make([]*account, 0, len(s.order))
			for _, id := range s.order {
				all = append(all, s.byID[id])
			}
			s.facets = facetsOf(all)
		}
		facets = s.facets
	}
	tail, err := json.Marshal(searchTail{Offset: int64(start), QueryTime: time.Since(began).Milliseconds(), FacetedResults: facets, TotalUnfiltered: int64(len(s.order))})
	s.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 32<<10)
	_, _ = fmt.Fprintf(bw, `{"errors":null,"result":{"totalCount":%d,"searchResults":[`, total)
	for i, p := range parts {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		_, _ = bw.Write(p)
	}
	_, _ = bw.WriteString("],")
	_, _ = bw.Write(tail[1:]) // the tail's members, after its opening brace
	_ = bw.WriteByte('}')
	_ = bw.Flush()
}

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

func match(a *account, text, fq string) bool {
	if fq != "" {
		field, want, _ := strings.Cut(fq, "=")
		if !strings.EqualFold(field, "UID") || !strings.EqualFold(a.UID, want) {
			return false
		}
	}
	if text == "" {
		return true
	}
	for _, v := range []string{a.UID, a.Email, a.FirstName, a.LastName, a.Display} {
		if strings.Contains(strings.ToLower(v), text) {
			return true
		}
	}
	return false
}

func sortKey(a *account, field string) string {
	switch field {
	case "displayName":
		return strings.ToLower(a.Display)
	case "firstName":
		return strings.ToLower(a.FirstName)
	case "lastName":
		return strings.ToLower(a.LastName)
	case "emailAddress":
		return strings.ToLower(a.Email)
	case "uid":
		return strings.ToLower(a.UID)
	case "createdAt":
		return fmt.Sprintf("%020d", a.CreatedAt)
	}
	return fmt.Sprintf("%020d", a.ID)
}

func facetsOf(list []*account) map[string]map[string]int64 {
	f := map[string]map[string]int64{
		"ACCOUNTSOURCE": {}, "TERMSACCEPTED": {"false": 0, "true": 0}, "INVITESTATE": {},
		"ANDROIDWORKSTATUS": {}, "ACCOUNTGROUP": {},
	}
	for _, a := range list {
		f["ACCOUNTSOURCE"][a.Source]++
		f["TERMSACCEPTED"][strconv.FormatBool(a.TermsAccepted)]++
		f["INVITESTATE"][orDefault(a.InviteState, "None")]++
		f["ANDROIDWORKSTATUS"][orDefault(a.AndroidWorkUserStatus, "NONE")]++
		for _, g := range a.Groups {
			f["ACCOUNTGROUP"][g]++
		}
	}
	return f
}

func (s *Server) deleteViability(w http.ResponseWriter, r *http.Request) {
	var blocking []*cloudapi.Account
	s.mu.Lock()
	for _, v := range r.URL.Query()["ids"] {
		id, _ := strconv.ParseInt(v, 10, 64)
		// A super user cannot be deleted; the fake reports it as a blocking entry.
		if a, found := s.byID[id]; found && a.SuperUser {
			blocking = append(blocking, &cloudapi.Account{Id: &a.ID, SuperUser: &a.SuperUser})
		}
	}
	s.mu.Unlock()
	ok(w, map[string]any{"searchResults": append([]*cloudapi.Account{}, blocking...), "totalCount": len(blocking), "offset": 0, "limit": 0})
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, found := s.byID[id]; !found {
		writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", fmt.Sprintf("no account with id %d", id), "")
		return
	}
	delete(s.byID, id)
	if i, found := slices.BinarySearch(s.order, id); found {
		s.order = slices.Delete(s.order, i, i+1)
	}
	s.facets = nil
	ok(w, 1)
}

// update applies the documentation's rule: every field of the update call that the
// request does not carry is cleared.
func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	id, _ := strconv.ParseInt(f.Get("id"), 10, 64)
	if _, set := f["password"]; set || f.Get("confirmPassword") != "" {
		if f.Get("password") != f.Get("confirmPassword") {
			writeError(w, http.StatusBadRequest, "PasswordMismatch", "passwords do not match", "confirmPassword")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, found := s.byID[id]
	if !found {
		writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", fmt.Sprintf("no account with id %d", id), "")
		return
	}
	a.Display, a.Email = f.Get("displayName"), f.Get("emailAddress")
	a.FirstName, a.LastName = f.Get("firstName"), f.Get("lastName")
	a.Enabled = f.Get("enabled") == "true"
	a.PasswordNeverExpire = f.Get("passwordNeverExpire") == "true"
	a.AndroidWorkDeviceAccountEnabled = f.Get("androidWorkDeviceAccountEnabled") == "true"
	a.GDPRProfileID, _ = strconv.ParseInt(f.Get("gdprProfileId"), 10, 64)
	a.ManagedAppleID, a.EDIPI = f.Get("managedAppleId"), f.Get("edipi")
	if uid := f.Get("uid"); uid != "" {
		a.UID = uid
	}
	if f.Get("password") != "" {
		a.PasswordSet = true
	}
	a.ModifiedAt, a.ModifiedBy = nowMS(), AdminID
	a.enc = nil
	s.facets = nil
	ok(w, 1)
}

// --- invitations, enrollment, PINs, policy, attributes ---

func (s *Server) idsFromForm(w http.ResponseWriter, r *http.Request) ([]*account, bool) {
	if !parseForm(w, r) {
		return nil, false
	}
	var out []*account
	for _, v := range r.PostForm["accountIds"] {
		id, _ := strconv.ParseInt(v, 10, 64)
		a, found := s.byID[id]
		if !found {
			writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", "no account with id "+v, "")
			return nil, false
		}
		out = append(out, a)
	}
	return out, true
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	accts, good := s.idsFromForm(w, r)
	if !good {
		return
	}
	own := r.PostForm.Get("deviceOwnershipType")
	for _, a := range accts {
		a.Ownership = own
		s.invited(a, true, own)
	}
	s.facets = nil
	ok(w, true)
}

func (s *Server) enrollmentURL(w http.ResponseWriter, r *http.Request) {
	var req cloudapi.EnrollmentUrlRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-JSON", "malformed JSON body", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, id := range req.AccountIds {
		if _, found := s.byID[id]; !found {
			writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", fmt.Sprintf("no account with id %d", id), "")
			return
		}
		u := "https://" + r.Host + "/c/i/reg/enroll.mobileconfig?token=" + randomHex(64)
		out[strconv.FormatInt(id, 10)] = u
		s.enrollments = append(s.enrollments, Enrollment{AccountID: id, Lifetime: time.Duration(req.TokenLifetime) * time.Millisecond, URL: u})
	}
	ok(w, out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

func (s *Server) regpin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.policy == nil || s.policy.Mode != cloud.RegistrationAuthModePIN {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-PIN-MODE", "registration authentication mode is not PIN", "")
		return
	}
	accts, good := s.idsFromForm(w, r)
	if !good {
		return
	}
	length := 4
	if s.policy.PINLength > 0 {
		length = s.policy.PINLength
	}
	life := int64(7 * 24 * time.Hour / time.Millisecond)
	if s.policy.PINLifetime > 0 {
		life = s.policy.PINLifetime.Milliseconds()
	}
	var out []cloudapi.RegistrationPin
	for _, a := range accts {
		now := nowMS()
		pin := randomDigits(length)
		exp := now + life
		id, creator, acct, used := s.nextPIN, int64(AdminID), a.ID, false
		s.nextPIN++
		out = append(out, cloudapi.RegistrationPin{Id: &id, CreatedAt: &now, CreatedBy: &creator, AccountId: &acct, Pin: &pin, ExpiresAt: &exp, Used: &used})
		a.PIN = &cloudapi.AccountPin{CreatedAt: &now, ExpiresAt: &exp, Pin: &pin, Used: &used}
		a.enc = nil
	}
	ok(w, out)
}

func randomDigits(n int) string {
	var b strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteString(d.String())
	}
	return b.String()
}

func (s *Server) setPolicy(w http.ResponseWriter, r *http.Request) {
	var p cloud.RegistrationPolicy
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-JSON", "malformed JSON body", "")
		return
	}
	s.mu.Lock()
	s.policy = &p
	s.mu.Unlock()
	ok(w, 1)
}

func (s *Server) customAttributes(w http.ResponseWriter, r *http.Request) {
	var req cloudapi.CustomAttributesRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "CLOUDTEST-JSON", "malformed JSON body", "")
		return
	}
	force := req.ForceOverwrite != nil && *req.ForceOverwrite
	s.mu.Lock()
	defer s.mu.Unlock()
	var targets []*account
	for _, v := range req.Ids {
		id, _ := strconv.ParseInt(v, 10, 64)
		a, found := s.byID[id]
		if !found {
			writeError(w, http.StatusNotFound, "CLOUDTEST-NO-ACCOUNT", "no account with id "+v, "")
			return
		}
		targets = append(targets, a)
	}
	for _, a := range targets {
		if a.Attrs == nil {
			a.Attrs = map[string][]string{}
		}
		for k, v := range req.Attrs.Attrs {
			if _, set := a.Attrs[k]; set && !force {
				continue
			}
			a.Attrs[k] = slices.Clone(v)
		}
	}
	ok(w, 1)
}

// --- LDAP import ---

func (s *Server) ldapImport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if name := q.Get("ldapServerName"); name != "" && name != LDAPServer {
		writeError(w, http.StatusOK, "LDAP_USER_IMPORT-103", "No LDAP server with name "+name+" found.", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	job := &importJob{id: s.nextImport, user: q.Get("uidOrEmail"), invite: q.Get("sendInvite") == "true", ownership: q.Get("deviceOwnershipType"), status: "IN_PROGRESS"}
	s.nextImport++
	s.imports[job.id] = job
	ok(w, job.id)
}

func (s *Server) ldapStatus(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.URL.Query().Get("requestId"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	job, found := s.imports[id]
	if !found {
		writeError(w, http.StatusOK, "LDAP_USER_IMPORT-100", fmt.Sprintf("The LDAP user import request id %d not found.", id), "")
		return
	}
	job.checks++
	if job.status == "IN_PROGRESS" && job.checks > s.cfg.importPolls {
		s.finishImport(job)
	}
	writeJSON(w, http.StatusOK, map[string]any{"requestId": job.id, "status": job.status, "errorCode": job.code, "errorMessage": job.msg})
}

func (s *Server) finishImport(job *importJob) {
	u, found := s.ldapUsers[strings.ToLower(job.user)]
	switch {
	case !found:
		job.status, job.code, job.msg = "FAILED", "LDAP_USER_IMPORT-106", "The LDAP user "+job.user+" not found to import."
	case u.Invalid:
		job.status, job.code, job.msg = "FAILED", "KC-103", "The LDAP entry has invalid attribute to be imported."
	default:
		job.status = "COMPLETED"
		if s.uidTaken(u.UID) {
			return
		}
		a := s.newAccount(orDefault(u.Email, u.UID), "LDAP")
		a.UID, a.FirstName, a.LastName = u.UID, u.FirstName, u.LastName
		a.Display = strings.TrimSpace(u.FirstName + " " + u.LastName)
		a.Enabled, a.Ownership = true, job.ownership
		s.invited(a, job.invite, job.ownership)
		s.insert(a)
	}
}
