// Package czertainlytest is an in-memory CZERTAINLY 1.x Administrator API
// for tests, in the manner of net/http/httptest: a TLS server that
// authenticates administrators by client certificate, keeps them in
// memory, applies the server's validation and checks every request and
// response against openapi/czertainly.yaml (SpecViolations lists
// mismatches).
//
// Each Server mints its own throwaway CA, its server certificate and the
// client certificate of a super administrator (ClientCertificate); nothing
// secret is stored anywhere. NewClient returns a client already configured
// with that certificate and the CA. The store starts with the sample
// administrator of the vendor's documentation (whose identifiers are not
// valid UUIDs) and the super administrator.
package czertainlytest

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// Fixed identifiers of the seeded store.
const (
	// BasePath is the servlet context path the API is served under, as in
	// a real deployment; Server.URL includes it.
	BasePath = "/api"
	// SampleAdminUUID is the sample administrator of the vendor's documentation (not a valid UUID).
	SampleAdminUUID = "7b55ge1c-844f-11dc-a8a3-0242ac120002"
	// SuperAdminUUID is the administrator ClientCertificate belongs to.
	SuperAdminUUID = "0b2f3a4c-5d6e-4f70-8a91-b2c3d4e5f607"
	// SuperAdminUsername is its username.
	SuperAdminUsername = "superadmin"
	// InventoryCertificateUUID names a certificate in the inventory that no
	// administrator uses yet (InventoryCertificate), for creating one by
	// certificateUuid.
	InventoryCertificateUUID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
)

//go:generate go run ../../internal/cmd/gensurface -kind fake -pkg czertainlytest -vendor "CZERTAINLY" -client github.com/certadmin/certadmin-go/czertainly -o surface.gen.go

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the base URL to give czertainly.NewClient: the server's root
	// plus the servlet context path BasePath, as in a real deployment.
	URL string
	// CA signed the server certificate and the client certificates below;
	// CA.Pool() (or RootCAs) is what a client trusts, and
	// CA.IssueClientCertificate issues more administrators' certificates.
	CA *CA
	// ClientCertificate (with its private key) authenticates as the seeded,
	// enabled super administrator SuperAdminUUID. WriteClientFiles writes
	// it, its key and the CA as PEM files.
	ClientCertificate tls.Certificate
	// InventoryCertificate is the inventory certificate
	// InventoryCertificateUUID, which no administrator uses yet.
	InventoryCertificate tls.Certificate

	base   *fakeserver.Server
	header string

	mu        sync.Mutex
	admins    map[string]*czertainlyapi.AdminDto
	order     []string
	inventory map[string]czertainlyapi.CertificateDto
}

type config struct{ header string }

// Option configures NewServer.
type Option func(*config)

// WithTLS is accepted for the shape every fake shares and changes nothing:
// this fake always serves HTTPS, since CZERTAINLY authenticates by client
// certificate.
func WithTLS() Option { return func(*config) {} }

// WithCertificateHeader makes the fake behave like a server behind a
// TLS-terminating proxy: the client certificate may come in header name
// (URL-encoded PEM or Base64 DER, as CZERTAINLY 1.x reads it) instead of
// the handshake, and NewClient configures its client that way.
func WithCertificateHeader(name string) Option {
	return func(c *config) { c.header = name }
}

// NewServer starts a fake on a loopback port. Close it when done.
func NewServer(opts ...Option) (*Server, error) {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	ca, err := NewCA("czertainlytest CA")
	if err != nil {
		return nil, err
	}
	serverCert, err := ca.IssueServerCertificate()
	if err != nil {
		return nil, err
	}
	s := &Server{
		CA:        ca,
		header:    cfg.header,
		admins:    map[string]*czertainlyapi.AdminDto{},
		inventory: map[string]czertainlyapi.CertificateDto{},
	}
	if err := s.seed(); err != nil {
		return nil, err
	}
	clientAuth := tls.RequireAndVerifyClientCert
	if cfg.header != "" {
		clientAuth = tls.VerifyClientCertIfGiven
	}
	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   clientAuth,
		ClientCAs:    ca.Pool(),
		MinVersion:   tls.VersionTLS12,
	}
	fs, err := fakeserver.Start(s.routes(), fakeserver.Options{Spec: "czertainly.yaml", TLSConfig: tlsConfig})
	if err != nil {
		return nil, fmt.Errorf("czertainlytest: %w", err)
	}
	s.base, s.URL = fs, fs.URL+BasePath
	return s, nil
}

// clientOptions configure a czertainly.Client for this fake (see
// NewClient): the super administrator's certificate, in the handshake or,
// with WithCertificateHeader, in the header, and the fake's CA trusted.
func (s *Server) clientOptions() []czertainly.Option {
	opts := []czertainly.Option{czertainly.WithRootCAs(s.CA.Pool())}
	if s.header == "" {
		return append(opts, czertainly.WithClientCertificate(s.ClientCertificate))
	}
	opts = append(opts, czertainly.WithCertificateHeader(s.ClientCertificate.Leaf))
	if s.header != czertainly.DefaultCertificateHeader {
		opts = append(opts, czertainly.WithCertificateHeaderName(s.header))
	}
	return opts
}

// ClientFiles names PEM files a client can be configured from, for
// czertainly.WithClientCertificateFiles and czertainly.WithRootCAFile.
type ClientFiles struct {
	// CertFile and KeyFile hold ClientCertificate and its private key.
	CertFile, KeyFile string
	// CAFile holds the fake's CA certificate.
	CAFile string
}

// WriteClientFiles writes ClientCertificate, its private key and the CA
// certificate as PEM files into dir (the key readable by the owner only).
func (s *Server) WriteClientFiles(dir string) (ClientFiles, error) {
	certPEM, keyPEM, err := EncodePEM(s.ClientCertificate)
	if err != nil {
		return ClientFiles{}, err
	}
	f := ClientFiles{
		CertFile: filepath.Join(dir, "client.crt"),
		KeyFile:  filepath.Join(dir, "client.key"),
		CAFile:   filepath.Join(dir, "ca.pem"),
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{f.CertFile, certPEM}, {f.KeyFile, keyPEM}, {f.CAFile, s.CA.CertificatePEM()}} {
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return ClientFiles{}, fmt.Errorf("czertainlytest: %w", err)
		}
	}
	return f, nil
}

// seed loads the documentation's sample administrator and adds the super
// administrator and the unassigned inventory certificate.
func (s *Server) seed() error {
	sample, err := SampleJSON("admins")
	if err != nil {
		return err
	}
	var admins []czertainlyapi.AdminDto
	if err := json.Unmarshal(sample, &admins); err != nil {
		return fmt.Errorf("czertainlytest: sample admins: %w", err)
	}
	for i := range admins {
		s.store(&admins[i])
	}
	if s.ClientCertificate, err = s.CA.IssueClientCertificate(SuperAdminUsername); err != nil {
		return err
	}
	super := certificateDto(s.ClientCertificate.Leaf)
	s.inventory[super.Uuid] = super
	s.store(&czertainlyapi.AdminDto{
		Uuid: SuperAdminUUID, Username: SuperAdminUsername, Name: "Super", Surname: "Admin",
		Email: "superadmin@example.com", Role: "superAdministrator", Description: "bootstrap administrator",
		Enabled: true, SerialNumber: super.SerialNumber, Certificate: super,
	})
	if s.InventoryCertificate, err = s.CA.IssueClientCertificate("inventory admin"); err != nil {
		return err
	}
	inv := certificateDto(s.InventoryCertificate.Leaf)
	inv.Uuid = InventoryCertificateUUID
	s.inventory[inv.Uuid] = inv
	return nil
}

func (s *Server) store(a *czertainlyapi.AdminDto) {
	if _, ok := s.admins[a.Uuid]; !ok {
		s.order = append(s.order, a.Uuid)
	}
	s.admins[a.Uuid] = a
}

// Admin returns a copy of the stored administrator with the given UUID, as
// GetAdmin would return it, and whether there is one.
func (s *Server) Admin(id string) (*czertainly.Admin, bool) {
	s.mu.Lock()
	a, ok := s.admins[id]
	var b []byte
	var err error
	if ok {
		b, err = json.Marshal(a)
	}
	s.mu.Unlock()
	if !ok || err != nil {
		return nil, false
	}
	var out czertainly.Admin
	if json.Unmarshal(b, &out) != nil {
		return nil, false
	}
	return &out, true
}

// AdminCount is the number of stored administrators.
func (s *Server) AdminCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.admins)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	p := BasePath + "/v1/admins"
	mux.HandleFunc("GET "+p, s.list)
	mux.HandleFunc("POST "+p, s.create)
	mux.HandleFunc("DELETE "+p, s.bulk(s.removeLocked))
	mux.HandleFunc("PUT "+p+"/enable", s.bulk(s.setEnabledLocked(true)))
	mux.HandleFunc("PUT "+p+"/disable", s.bulk(s.setEnabledLocked(false)))
	mux.HandleFunc("GET "+p+"/{uuid}", s.get)
	mux.HandleFunc("POST "+p+"/{uuid}", s.edit)
	mux.HandleFunc("DELETE "+p+"/{uuid}", s.single(s.removeLocked, false))
	mux.HandleFunc("PUT "+p+"/{uuid}/enable", s.single(s.setEnabledLocked(true), true))
	mux.HandleFunc("PUT "+p+"/{uuid}/disable", s.single(s.setEnabledLocked(false), true))
	return s.authenticate(mux)
}

// authenticate is Spring Security's x509 login: the administrator is the
// enabled one whose certificate serial number (hex) matches.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cert := s.clientCertificate(r)
		if cert == nil || !s.enabledAdminWithSerial(cert.SerialNumber.Text(16)) {
			writeSpringError(w, r, http.StatusForbidden, "Access Denied")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) clientCertificate(r *http.Request) *x509.Certificate {
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		return r.TLS.PeerCertificates[0]
	}
	if s.header == "" || r.Header.Get(s.header) == "" {
		return nil
	}
	cert, err := parseHeaderCertificate(r.Header.Get(s.header))
	if err != nil {
		return nil
	}
	_, err = cert.Verify(x509.VerifyOptions{Roots: s.CA.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return nil
	}
	return cert
}

// parseHeaderCertificate reads the header the way CZERTAINLY 1.x does:
// URL-decode, drop the PEM armour, Base64-decode.
func parseHeaderCertificate(v string) (*x509.Certificate, error) {
	decoded, err := url.QueryUnescape(v)
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode([]byte(decoded)); block != nil {
		return x509.ParseCertificate(block.Bytes)
	}
	der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(decoded))
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func (s *Server) enabledAdminWithSerial(serial string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.admins {
		if a.Enabled && strings.EqualFold(a.SerialNumber, serial) {
			return true
		}
	}
	return false
}

func (s *Server) list(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := make([]czertainlyapi.AdminDto, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, *s.admins[id])
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	s.mu.Lock()
	a, ok := s.admins[id]
	var out czertainlyapi.AdminDto
	if ok {
		out = *a
	}
	s.mu.Unlock()
	if !ok {
		writeMessage(w, http.StatusNotFound, adminNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var in czertainlyapi.AddAdminRequestDto
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeMessage(w, http.StatusBadRequest, "Malformed JSON request")
		return
	}
	var problems []string
	for _, f := range []struct{ name, value string }{
		{"username", in.Username}, {"name", in.Name}, {"surname", in.Surname}, {"email", in.Email},
	} {
		if strings.TrimSpace(f.value) == "" {
			problems = append(problems, f.name+" must not be blank")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cert, status, msg := s.resolveCertificateLocked(in.AdminCertificate, in.CertificateUuid)
	if status == http.StatusUnprocessableEntity {
		problems = append(problems, msg)
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, problems)
		return
	}
	if status != 0 {
		writeMessage(w, status, msg)
		return
	}
	for _, a := range s.admins {
		switch {
		case a.Username == in.Username:
			writeMessage(w, http.StatusBadRequest, fmt.Sprintf("Admin with username %s already exists", in.Username))
			return
		case strings.EqualFold(a.SerialNumber, cert.SerialNumber):
			writeMessage(w, http.StatusBadRequest, fmt.Sprintf("Admin with serial number %s already exists", cert.SerialNumber))
			return
		}
	}
	a := &czertainlyapi.AdminDto{
		Uuid: uuid.NewString(), Username: in.Username, Name: in.Name, Surname: in.Surname, Email: in.Email,
		Role: czertainlyapi.AdminDtoRole(in.Role), Description: deref(in.Description),
		Enabled: in.Enabled != nil && *in.Enabled, SerialNumber: cert.SerialNumber, Certificate: cert,
	}
	s.inventory[cert.Uuid] = cert
	s.store(a)
	writeJSON(w, http.StatusCreated, czertainlyapi.UuidDto{Uuid: a.Uuid})
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	var in czertainlyapi.EditAdminRequestDto
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeMessage(w, http.StatusBadRequest, "Malformed JSON request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.admins[id]
	if !ok {
		writeMessage(w, http.StatusNotFound, adminNotFound(id))
		return
	}
	cert, status, msg := s.resolveCertificateLocked(in.AdminCertificate, in.CertificateUuid)
	switch status {
	case 0:
	case http.StatusUnprocessableEntity:
		writeJSON(w, status, []string{msg})
		return
	default:
		writeMessage(w, status, msg)
		return
	}
	b := *a
	setIf(&b.Name, in.Name)
	setIf(&b.Surname, in.Surname)
	setIf(&b.Email, in.Email)
	setIf(&b.Description, in.Description)
	if in.Role != nil {
		b.Role = czertainlyapi.AdminDtoRole(*in.Role)
	}
	b.Certificate, b.SerialNumber = cert, cert.SerialNumber
	s.inventory[cert.Uuid] = cert
	s.admins[id] = &b
	writeJSON(w, http.StatusOK, b)
}

// resolveCertificateLocked finds the certificate a create or edit names:
// status 0 on success, else the status and message to answer with.
func (s *Server) resolveCertificateLocked(content, certUUID *string) (czertainlyapi.CertificateDto, int, string) {
	switch {
	case deref(content) != "":
		der, err := base64.StdEncoding.DecodeString(*content)
		if err != nil {
			return czertainlyapi.CertificateDto{}, http.StatusUnprocessableEntity, "Admin certificate is not Base64 encoded"
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return czertainlyapi.CertificateDto{}, http.StatusUnprocessableEntity, "Admin certificate is not a valid X.509 certificate"
		}
		fp := fingerprint(cert)
		for _, c := range s.inventory {
			if c.Fingerprint == fp {
				return c, 0, ""
			}
		}
		return certificateDto(cert), 0, ""
	case deref(certUUID) != "":
		c, ok := s.inventory[*certUUID]
		if !ok {
			return c, http.StatusNotFound, fmt.Sprintf("Certificate with uuid %s not found", *certUUID)
		}
		return c, 0, ""
	}
	return czertainlyapi.CertificateDto{}, http.StatusUnprocessableEntity, "Admin certificate or certificate UUID is required"
}

type change func(id string) error

var errNotFound = errors.New("not found")

func (s *Server) removeLocked(id string) error {
	if _, ok := s.admins[id]; !ok {
		return errNotFound
	}
	delete(s.admins, id)
	for i, v := range s.order {
		if v == id {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
	return nil
}

func (s *Server) setEnabledLocked(enabled bool) change {
	return func(id string) error {
		a, ok := s.admins[id]
		if !ok {
			return errNotFound
		}
		b := *a
		b.Enabled = enabled
		s.admins[id] = &b
		return nil
	}
}

// single applies fn to the administrator in the path and answers 204, as
// the server does (the vendor document says 200 for enable/disable).
// needsJSON reproduces consumes=application/json on the bodiless PUTs.
func (s *Server) single(fn change, needsJSON bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if needsJSON {
			if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
				writeSpringError(w, r, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
				return
			}
		}
		id := r.PathValue("uuid")
		s.mu.Lock()
		err := fn(id)
		s.mu.Unlock()
		if err != nil {
			writeMessage(w, http.StatusNotFound, adminNotFound(id))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// bulk applies fn to every administrator in the body. Unknown UUIDs are
// reported before anything changes (the fake is all-or-nothing).
func (s *Server) bulk(fn change) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ids []string
		if err := json.NewDecoder(r.Body).Decode(&ids); err != nil {
			writeMessage(w, http.StatusBadRequest, "Malformed JSON request")
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, id := range ids {
			if _, ok := s.admins[id]; !ok {
				writeMessage(w, http.StatusNotFound, adminNotFound(id))
				return
			}
		}
		for _, id := range ids {
			_ = fn(id) // every id was found above
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func adminNotFound(id string) string { return fmt.Sprintf("Admin with uuid %s not found", id) }

// certificateDto describes cert the way the platform's inventory does.
func certificateDto(cert *x509.Certificate) czertainlyapi.CertificateDto {
	typ := czertainlyapi.CertificateDtoCertificateTypeX509
	status := czertainlyapi.CertificateDtoStatusValid
	if time.Now().After(cert.NotAfter) {
		status = czertainlyapi.CertificateDtoStatusExpired
	}
	return czertainlyapi.CertificateDto{
		Uuid:               uuid.NewString(),
		CommonName:         cert.Subject.CommonName,
		SerialNumber:       cert.SerialNumber.Text(16),
		IssuerCommonName:   cert.Issuer.CommonName,
		CertificateContent: base64.StdEncoding.EncodeToString(cert.Raw),
		IssuerDn:           cert.Issuer.String(),
		SubjectDn:          cert.Subject.String(),
		NotBefore:          cert.NotBefore.UTC(),
		NotAfter:           cert.NotAfter.UTC(),
		PublicKeyAlgorithm: cert.PublicKeyAlgorithm.String(),
		SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		KeySize:            keySize(cert),
		KeyUsage:           []string{},
		BasicConstraints:   basicConstraints(cert),
		Status:             status,
		Fingerprint:        fingerprint(cert),
		CertificateType:    &typ,
	}
}

func keySize(cert *x509.Certificate) int32 {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return int32(k.N.BitLen()) // #nosec G115 -- an RSA modulus is far below 2^31 bits
	case *ecdsa.PublicKey:
		return int32(k.Curve.Params().BitSize) // #nosec G115 -- a curve size is a few hundred bits
	}
	return 0
}

func basicConstraints(cert *x509.Certificate) string {
	if cert.IsCA {
		return "Subject Type=CA"
	}
	return "Subject Type=End Entity"
}

func fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func setIf(dst *string, v *string) {
	if v != nil && *v != "" {
		*dst = *v
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeMessage answers with the application's ErrorMessageDto.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, czertainlyapi.ErrorMessageDto{Message: msg})
}

// writeSpringError answers with Spring Boot's default error body, as the
// framework does for requests the application never sees.
func writeSpringError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeJSON(w, status, map[string]any{
		"timestamp": time.Now().UTC().Format(time.RFC3339),
		"status":    status,
		"error":     http.StatusText(status),
		"message":   msg,
		"path":      r.URL.Path,
	})
}
