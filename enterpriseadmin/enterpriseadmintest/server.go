// Package enterpriseadmintest is an in-memory fake of the ArcGIS Enterprise
// Administrator API certificate resources and the portal generateToken
// operation, for testing code that uses package enterpriseadmin (like
// net/http/httptest).
//
// The fake issues tokens to known users (Username and Password by default),
// answers like the real server with errors inside HTTP 200 bodies: the
// administrator resources as {"status":"error","messages":[…],"code":…}
// (498 for an invalid or expired token, 499 for a missing one, 404 for an
// unknown resource or certificate, 405 for a method the operation does not
// take), the portal's generateToken as {"error":{"code":400,…}} for wrong
// credentials. It refuses POSTs whose body carries no token, answers HTML
// unless f=json or f=pjson is asked for, serves the identity certificate
// of the vendor's documentation under both identifiers the documentation
// shows (SeedCertificateID and SampleURLCertificateID) and keeps imported
// and deleted identity and trust certificates. It models the Kubernetes
// Ingress controller's security configuration (security/ingress and its
// update, which replaces the whole configuration and refuses a
// certificate name never imported; see IngressConfig, IngressUpdates,
// DelayIngressUpdates and WithServedCertificateProtected) and the SAML
// configuration's read (security/saml; see SetSAMLConfig). Every request
// and response is validated against openapi/enterpriseadmin.yaml
// (SpecViolations).
package enterpriseadmintest

import (
	"crypto/ecdsa"
	"crypto/md5" // #nosec G501 -- the API reports MD5 fingerprints; not used for security
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" // #nosec G505 -- the API reports SHA-1 fingerprints; not used for security
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/internal/certutil"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

//go:generate go run ../../internal/cmd/gensurface -kind fake -pkg enterpriseadmintest -vendor "ArcGIS Enterprise" -client github.com/certadmin/certadmin-go/enterpriseadmin -o surface.gen.go

// Credentials and names the fake knows by default. They are test values,
// not secrets.
const (
	Username   = "siteadmin"
	Password   = "fake-password-not-a-secret"
	WebContext = "arcgis"
	// SeedCertificateID is the id the identity certificate of the vendor's
	// documentation carries in its body; every fake starts with it.
	SeedCertificateID = "cc1mm3jpkfkhnkx243mp1"
	// SampleURLCertificateID is the id in the documentation's sample
	// request URL for that certificate. The fake answers it with the same
	// sample, as the documentation shows.
	SampleURLCertificateID = "cabf6af71-dc82-4b6b-854d-6f9fe6e64bd8"
	// SeedCertificateName is the seeded certificate's name.
	SeedCertificateName = "samlcert"
)

// SeedFixture is the file name (for Fixture) of the documentation's
// identity certificate response.
const SeedFixture = "identity-certificate.json"

// DefaultMaxTokenLifetime caps the expiration a client asks for.
const DefaultMaxTokenLifetime = 2 * time.Hour

//go:embed testdata
var testdata embed.FS

// Fixture returns a sample of the vendor's documentation from the fake's
// testdata folder, byte for byte (SeedFixture is the identity certificate).
func Fixture(name string) ([]byte, error) {
	b, err := testdata.ReadFile("testdata/" + name)
	if err != nil {
		return nil, fmt.Errorf("enterpriseadmintest: no fixture %s", name)
	}
	return b, nil
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	webContext       string
	user, password   string
	sslTokens        bool
	tls              bool
	maxTokenLifetime time.Duration
	protectServed    bool
}

// WithWebContext sets the web context the fake serves under (default
// WebContext); Server.URL ends in it.
func WithWebContext(webContext string) Option { return func(c *config) { c.webContext = webContext } }

// WithCredentials replaces the default user (Username and Password).
func WithCredentials(user, password string) Option {
	return func(c *config) { c.user, c.password = user, password }
}

// WithSSLTokens issues tokens with ssl: true even over plain HTTP (a TLS
// fake always does).
func WithSSLTokens() Option { return func(c *config) { c.sslTokens = true } }

// WithTLS serves HTTPS with httptest's self-signed certificate (see
// TLSRootCAs; Server.NewClient trusts it).
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithServedCertificateProtected makes the fake refuse to delete the
// identity certificate the ingress configuration names (400 in the
// administrator's error shape). The vendor documents no such refusal; it
// is off by default so that tests may delete the seeded certificate,
// which the ingress names.
func WithServedCertificateProtected() Option { return func(c *config) { c.protectServed = true } }

// WithMaxTokenLifetime caps token lifetimes (default DefaultMaxTokenLifetime).
func WithMaxTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.maxTokenLifetime = d }
}

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the fake's base URL including its web context
	// (http://127.0.0.1:port/arcgis), for enterpriseadmin.NewClient.
	URL string
	// Username and Password are the credentials the fake accepts.
	Username, Password string

	base        *fakeserver.Server
	webContext  string
	sslTokens   bool
	maxLifetime time.Duration

	created time.Time // when the fake's users were created, as community/self reports

	mu       sync.Mutex
	users    map[string]string
	tokens   map[string]*tokenRecord
	identity *store
	trust    *store

	// The ingress configuration (security/ingress), guarded by mu.
	ingress        map[string]json.RawMessage
	ingressPrev    map[string]json.RawMessage // shown while ingressLagLeft > 0
	ingressLag     int                        // reads an update stays unseen (DelayIngressUpdates)
	ingressLagLeft int
	ingressUpdates []string // every ingressSecurityConfig received, as sent
	protectServed  bool     // WithServedCertificateProtected
	// The SAML configuration (security/saml), guarded by mu.
	saml map[string]json.RawMessage
	// generated counts the certificates of AddGeneratedCertificates.
	generated int
}

type tokenRecord struct {
	user    string // the user generateToken issued it to
	referer string
	issued  time.Time
	expires time.Time
}

// NewServer starts a fake on a loopback port, seeded with the documented
// identity certificate and one user (Username and Password unless
// WithCredentials says otherwise). Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	cfg := config{webContext: WebContext, user: Username, password: Password, maxTokenLifetime: DefaultMaxTokenLifetime}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.webContext = strings.Trim(cfg.webContext, "/")
	if cfg.webContext == "" || strings.Contains(cfg.webContext, "/") {
		return nil, fmt.Errorf("enterpriseadmintest: web context %q is not one path segment", cfg.webContext)
	}
	if cfg.maxTokenLifetime <= 0 {
		cfg.maxTokenLifetime = DefaultMaxTokenLifetime
	}
	seed, err := Fixture(SeedFixture)
	if err != nil {
		return nil, err
	}
	s := &Server{
		Username: cfg.user, Password: cfg.password,
		webContext:    cfg.webContext,
		sslTokens:     cfg.sslTokens,
		maxLifetime:   cfg.maxTokenLifetime,
		protectServed: cfg.protectServed,
		created:       time.Now().Truncate(time.Second),
		users:         map[string]string{cfg.user: cfg.password},
		tokens:        map[string]*tokenRecord{},
		identity:      &store{typ: "IDENTITY"},
		trust:         &store{typ: "TRUST"},
	}
	s.identity.add(record{ids: []string{SeedCertificateID, SampleURLCertificateID}, name: SeedCertificateName, body: seed})
	s.ingress = seedIngress()
	s.saml = seedSAML()
	fs, err := fakeserver.Start(s.routes(), fakeserver.Options{Spec: "enterpriseadmin.yaml", TLS: cfg.tls})
	if err != nil {
		return nil, fmt.Errorf("enterpriseadmintest: %w", err)
	}
	s.base, s.URL = fs, fs.URL+"/"+cfg.webContext
	return s, nil
}

// clientOptions configure an enterpriseadmin.Client for this fake (see
// NewClient): its credentials and, with TLS, its certificate trusted.
func (s *Server) clientOptions() []enterpriseadmin.Option {
	opts := []enterpriseadmin.Option{enterpriseadmin.WithCredentials(s.Username, s.Password)}
	if pool := s.TLSRootCAs(); pool != nil {
		opts = append(opts, enterpriseadmin.WithRootCAs(pool))
	}
	return opts
}

// AddUser lets another user generate tokens.
func (s *Server) AddUser(username, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[username] = password
}

// IssueToken returns a valid token of the fake's user (Username unless
// WithCredentials says otherwise) for referer without a generateToken
// request, for clients configured with WithToken.
func (s *Server) IssueToken(referer string, lifetime time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueLocked(s.Username, referer, lifetime)
}

func (s *Server) issueLocked(user, referer string, lifetime time.Duration) string {
	tok := randomText(40)
	now := time.Now()
	s.tokens[tok] = &tokenRecord{user: user, referer: referer, issued: now, expires: now.Add(lifetime)}
	return tok
}

// IssuedTokens lists every token issued so far, so tests can check that
// none of them leaks into an error or a log line.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for tok := range s.tokens {
		out = append(out, tok)
	}
	slices.Sort(out)
	return out
}

// ExpireTokens makes every token issued so far expired.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := time.Now().Add(-time.Second)
	for _, t := range s.tokens {
		t.expires = past
	}
}

// TokenRequests counts generateToken calls.
func (s *Server) TokenRequests() int {
	return s.Hits(http.MethodPost, s.GenerateTokenPath())
}

// GenerateTokenPath is the path of the generateToken operation.
func (s *Server) GenerateTokenPath() string {
	return "/" + s.webContext + "/sharing/rest/generateToken"
}

// CommunitySelfPath is the path of the portal's description of the
// signed-in user.
func (s *Server) CommunitySelfPath() string {
	return "/" + s.webContext + "/sharing/rest/community/self"
}

// CertificatesPath is the path of the certificates resource; the identity
// and trust resources are below it.
func (s *Server) CertificatesPath() string {
	return "/" + s.webContext + "/admin/security/certificates"
}

// IdentityCertificateNames lists the identity certificates' names in order.
func (s *Server) IdentityCertificateNames() []string { return s.identity.names() }

// TrustCertificateNames lists the trust certificates' names in order.
func (s *Server) TrustCertificateNames() []string { return s.trust.names() }

// record is one stored certificate and its JSON description. ids holds
// the id of its body first, then any other id it answers to.
type record struct {
	ids  []string
	name string
	body []byte
}

type store struct {
	typ       string // IDENTITY or TRUST
	mu        sync.Mutex
	list      []record
	generated []generatedRun
}

func (st *store) add(r record) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, x := range st.list {
		if strings.EqualFold(x.name, r.name) {
			return false
		}
	}
	st.list = append(st.list, r)
	return true
}

func (st *store) get(id string) (record, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, x := range st.list {
		if slices.Contains(x.ids, id) {
			return x, true
		}
	}
	return record{}, false
}

func (st *store) remove(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, x := range st.list {
		if slices.Contains(x.ids, id) {
			st.list = append(st.list[:i], st.list[i+1:]...)
			return true
		}
	}
	return false
}

func (st *store) names() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]string, 0, len(st.list))
	for _, x := range st.list {
		out = append(out, x.name)
	}
	return out
}

func (st *store) listJSON() string {
	st.mu.Lock()
	defer st.mu.Unlock()
	var b strings.Builder
	b.WriteString(`{"certificates":[`)
	for i, x := range st.list {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(x.body)
	}
	st.writeGenerated(&b, st.typ, len(st.list) > 0)
	b.WriteString("]}")
	return b.String()
}

// Bodies the fake answers, all with HTTP 200 as the vendor's server does.
// The administrator resources report errors as {"status":"error",…}; the
// portal's generateToken as {"error":{…}}.
const (
	bodySuccess       = `{"status":"success"}`
	bodyInvalidToken  = `{"status":"error","messages":["Invalid token."],"code":498}`
	bodyTokenExpired  = `{"status":"error","messages":["Token Expired."],"code":498}`
	bodyTokenRequired = `{"status":"error","messages":["Token Required."],"code":499}`
	bodyBadLogin      = `{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password."]}}`
)

// statusError is the administrator resources' error body.
func statusError(code int, messages ...string) string {
	b, _ := json.Marshal(map[string]any{"status": "error", "messages": messages, "code": code})
	return string(b)
}

// portalError is the portal's error body.
func portalError(code int, message string, details ...string) string {
	if details == nil {
		details = []string{}
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message, "details": details}})
	return string(b)
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write([]byte(body))
}

const htmlPage = "<!DOCTYPE html>\n<html><head><title>ArcGIS Enterprise Administrator Directory</title></head><body>f=json is required for JSON</body></html>\n"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+s.GenerateTokenPath(), s.generateToken)
	mux.HandleFunc("GET "+s.CommunitySelfPath(), s.communitySelf)
	root := s.CertificatesPath()
	mux.Handle("GET "+root, s.admin(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, `{"resources":["identity","trust"]}`)
	}))
	for _, st := range []struct {
		path, typ string
		store     *store
	}{{"/identity", "IDENTITY", s.identity}, {"/trust", "TRUST", s.trust}} {
		mux.Handle("GET "+root+st.path, s.admin(func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, st.store.listJSON())
		}))
		mux.Handle("POST "+root+st.path+"/import", s.admin(func(w http.ResponseWriter, r *http.Request) {
			s.importCertificate(w, r, st.store, st.typ)
		}))
		mux.Handle("GET "+root+st.path+"/{id}", s.admin(func(w http.ResponseWriter, r *http.Request) {
			rec, ok := st.store.get(r.PathValue("id"))
			if !ok {
				writeJSON(w, statusError(404, fmt.Sprintf("Certificate '%s' does not exist.", r.PathValue("id"))))
				return
			}
			writeJSON(w, string(rec.body))
		}))
		mux.Handle("POST "+root+st.path+"/{id}/delete", s.admin(func(w http.ResponseWriter, r *http.Request) {
			if st.store == s.identity && s.protectServed && s.servedByIngress(r.PathValue("id")) {
				writeJSON(w, statusError(400, "The certificate is used by the Ingress controller and cannot be deleted."))
				return
			}
			if !st.store.remove(r.PathValue("id")) {
				writeJSON(w, statusError(404, fmt.Sprintf("Certificate '%s' does not exist.", r.PathValue("id"))))
				return
			}
			writeJSON(w, bodySuccess)
		}))
	}
	mux.Handle("GET "+s.IngressPath(), s.admin(s.getIngress))
	mux.Handle("POST "+s.IngressPath()+"/update", s.admin(s.updateIngress))
	mux.Handle("GET "+s.SAMLPath(), s.admin(s.getSAML))
	return fakeserver.Route(mux, s.noRoute)
}

// noRoute answers a path the fake does not serve (404) or a method its
// operation does not take (405), inside HTTP 200 as the vendor does: in
// the portal's shape under sharing/, in the administrator's elsewhere.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request, status int) {
	var msg string
	if status == http.StatusMethodNotAllowed {
		msg = fmt.Sprintf("%s does not take %s requests (allowed: %s).", r.URL.Path, r.Method, w.Header().Get("Allow"))
	} else {
		msg = fmt.Sprintf("No resource or operation at %s.", r.URL.Path)
	}
	if strings.HasPrefix(r.URL.Path, "/"+s.webContext+"/sharing/") {
		writeJSON(w, portalError(status, msg))
		return
	}
	writeJSON(w, statusError(status, msg))
}

// admin wraps an administrator operation with what every one of them
// checks first: a readable body, f=json (the default format is HTML) and
// the token.
func (s *Server) admin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			if err := parseBody(r); err != nil {
				writeJSON(w, statusError(400, "Unable to read the request body."))
				return
			}
		}
		if f := format(r); f != "json" && f != "pjson" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(htmlPage))
			return
		}
		if !s.authorized(w, r) {
			return
		}
		next(w, r)
	})
}

func parseBody(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(8 << 20)
	}
	return r.ParseForm()
}

func bodyValue(r *http.Request, key string) string {
	if r.MultipartForm != nil {
		if v := r.MultipartForm.Value[key]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	return r.PostForm.Get(key)
}

func format(r *http.Request) string {
	if r.Method == http.MethodPost {
		return bodyValue(r, "f")
	}
	return r.URL.Query().Get("f")
}

func (s *Server) generateToken(w http.ResponseWriter, r *http.Request) {
	if err := parseBody(r); err != nil {
		writeJSON(w, portalError(400, "Unable to generate token.", "The request body could not be read."))
		return
	}
	user, pass := bodyValue(r, "username"), bodyValue(r, "password")
	client, referer := bodyValue(r, "client"), bodyValue(r, "referer")
	if client == "referer" && referer == "" {
		writeJSON(w, portalError(400, "Unable to generate token.", "Referer is required."))
		return
	}
	lifetime := 60 * time.Minute
	if m, err := strconv.Atoi(bodyValue(r, "expiration")); err == nil && m > 0 {
		lifetime = time.Duration(m) * time.Minute
	}
	lifetime = min(lifetime, s.maxLifetime)
	s.mu.Lock()
	want, known := s.users[user]
	if !known || want != pass {
		s.mu.Unlock()
		writeJSON(w, bodyBadLogin)
		return
	}
	tok := s.issueLocked(user, referer, lifetime)
	expires := s.tokens[tok].expires
	s.mu.Unlock()
	ssl := s.sslTokens || r.TLS != nil
	writeJSON(w, fmt.Sprintf(`{"token":%q,"expires":%d,"ssl":%t}`, tok, expires.UnixMilli(), ssl))
}

// communitySelf answers the portal's description of the signed-in user,
// the request Esri's arcgis-rest-js makes right after generateToken
// (ArcGISIdentityManager.signIn waits for it: AuthenticationManagerBase.js
// getUser, 4.10.2). That client reads username from it; the other members
// are the ones its IUser type (types/user.d.ts) names for an Enterprise
// administrator. The token is checked as on the administrator resources,
// but a refusal comes in the portal's error shape, as generateToken's does.
func (s *Server) communitySelf(w http.ResponseWriter, r *http.Request) {
	if f := format(r); f != "json" && f != "pjson" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(htmlPage))
		return
	}
	user, ok := s.tokenUser(w, r, portalShape)
	if !ok {
		return
	}
	body, _ := json.Marshal(map[string]any{
		"username":          user.name,
		"id":                user.id,
		"fullName":          user.name,
		"firstName":         user.name,
		"lastName":          "",
		"email":             user.name + "@example.invalid",
		"description":       nil,
		"idpUsername":       nil,
		"favGroupId":        nil,
		"lastLogin":         user.lastLogin.UnixMilli(),
		"mfaEnabled":        false,
		"access":            "org",
		"storageUsage":      0,
		"storageQuota":      2199023255552,
		"orgId":             "0123456789ABCDEF",
		"role":              "org_admin",
		"privileges":        []string{"portal:admin:viewUsers", "portal:admin:updateUsers", "portal:user:createItem"},
		"level":             "2",
		"userLicenseTypeId": "creatorUT",
		"disabled":          false,
		"tags":              []string{},
		"culture":           "en",
		"region":            "",
		"units":             "metric",
		"thumbnail":         nil,
		"created":           user.created.UnixMilli(),
		"modified":          user.created.UnixMilli(),
		"provider":          "arcgis",
		"groups":            []any{},
	})
	writeJSON(w, string(body))
}

// errorShape says in which of the vendor's two error bodies a token
// refusal is written.
type errorShape bool

const (
	adminShape  errorShape = false // {"status":"error","messages":[…],"code":…}
	portalShape errorShape = true  // {"error":{"code":…,"message":…,"details":[]}}
)

// tokenUser is what the token of a request names: its user, with the
// times the portal reports.
type sessionUser struct {
	name, id           string
	created, lastLogin time.Time
}

// authorized checks the token where the API expects it: in the body of a
// POST (a header alone is not enough), in the X-Esri-Authorization header
// or token query parameter of a GET. It answers the vendor's 498/499
// bodies otherwise.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	_, ok := s.tokenUser(w, r, adminShape)
	return ok
}

// tokenUser checks the request's token as authorized does and returns the
// user it was issued to, answering a refusal in the given shape.
func (s *Server) tokenUser(w http.ResponseWriter, r *http.Request, shape errorShape) (sessionUser, bool) {
	// adminBody is the administrator's answer byte for byte.
	refuse := func(code int, message, adminBody string) (sessionUser, bool) {
		if shape == portalShape {
			writeJSON(w, portalError(code, message))
		} else {
			writeJSON(w, adminBody)
		}
		return sessionUser{}, false
	}
	var tok string
	if r.Method == http.MethodPost {
		tok = bodyValue(r, "token")
	} else {
		tok, _ = strings.CutPrefix(r.Header.Get("X-Esri-Authorization"), "Bearer ")
		if tok == "" {
			tok = r.URL.Query().Get("token")
		}
	}
	if tok == "" {
		return refuse(499, "Token Required.", bodyTokenRequired)
	}
	s.mu.Lock()
	rec, ok := s.tokens[tok]
	var expired, refererOK bool
	var user sessionUser
	if ok {
		expired = !time.Now().Before(rec.expires)
		refererOK = rec.referer == "" || rec.referer == r.Referer()
		user = sessionUser{name: rec.user, id: userID(rec.user), created: s.created, lastLogin: rec.issued}
	}
	s.mu.Unlock()
	switch {
	case !ok || !refererOK:
		return refuse(498, "Invalid token.", bodyInvalidToken)
	case expired:
		return refuse(498, "Token Expired.", bodyTokenExpired)
	}
	return user, true
}

// userID is a stable 32-hex-digit id for a user name, the form the
// portal's user ids take.
func userID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:16])
}

func (s *Server) importCertificate(w http.ResponseWriter, r *http.Request, st *store, typ string) {
	name := bodyValue(r, "certificateName")
	fileField := "certificateFile"
	if typ == "IDENTITY" {
		fileField = "certificatePfxFile"
	}
	data, err := formFile(r, fileField)
	if err != nil || name == "" {
		writeJSON(w, statusError(400, "certificateName and "+fileField+" are required."))
		return
	}
	var leaf *x509.Certificate
	if typ == "IDENTITY" {
		info, err := certutil.CheckPKCS12(data, bodyValue(r, "certificatePassword"))
		if err != nil {
			writeJSON(w, statusError(400, "Unable to import the certificate: the file or its password is not valid."))
			return
		}
		leaf = info.Leaf
	} else if leaf, err = certutil.ParseCertificate(data); err != nil {
		writeJSON(w, statusError(400, "Unable to import the certificate: not a PEM or DER certificate."))
		return
	}
	id := "cc" + randomText(19)
	if !st.add(record{ids: []string{id}, name: name, body: describe(leaf, id, name, typ)}) {
		writeJSON(w, statusError(400, fmt.Sprintf("A certificate with the name '%s' already exists.", name)))
		return
	}
	writeJSON(w, bodySuccess)
}

func formFile(r *http.Request, field string) ([]byte, error) {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil, fmt.Errorf("no %s part", field)
	}
	f, err := r.MultipartForm.File[field][0].Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// javaDate writes t as java.util.Date.toString() does in a UTC JVM.
func javaDate(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 MST 2006") }

// describe builds the server's JSON description of an imported
// certificate, with every member the documentation's sample has.
func describe(c *x509.Certificate, id, name, typ string) []byte {
	sha1Sum, md5Sum, sha256Sum := sha1.Sum(c.Raw), md5.Sum(c.Raw), sha256.Sum256(c.Raw) // #nosec G401 -- fingerprints only
	sans := []string{}
	for _, d := range c.DNSNames {
		sans = append(sans, "DNSName: "+d)
	}
	keySize := 0
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		keySize = k.N.BitLen()
	case *ecdsa.PublicKey:
		keySize = k.Curve.Params().BitSize
	}
	body, _ := json.Marshal(map[string]any{
		"validUntilAsEpoch":       c.NotAfter.UnixMilli(),
		"keyAlgorithm":            c.PublicKeyAlgorithm.String(),
		"serialNumber":            c.SerialNumber.Text(16),
		"keySize":                 keySize,
		"subject":                 c.Subject.String(),
		"subjectAlternativeNames": sans,
		"sha1Fingerprint":         hex.EncodeToString(sha1Sum[:]),
		"validFrom":               javaDate(c.NotBefore),
		"type":                    typ,
		"version":                 c.Version,
		"md5Fingerprint":          hex.EncodeToString(md5Sum[:]),
		"issuer":                  c.Issuer.String(),
		"signatureAlgorithm":      strings.Replace(c.SignatureAlgorithm.String(), "-", "with", 1),
		"keyUsage":                []string{},
		"name":                    name,
		"sha256Fingerprint":       hex.EncodeToString(sha256Sum[:]),
		"validUntil":              javaDate(c.NotAfter),
		"id":                      id,
		"validFromAsEpoch":        c.NotBefore.UnixMilli(),
	})
	return body
}

const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
