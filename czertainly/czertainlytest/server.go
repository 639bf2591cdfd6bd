// Package czertainlytest is an in-memory CZERTAINLY 1.x Administrator API
// for tests, in the manner of net/http/httptest: a TLS server that
// requires a client certificate, keeps administrators in memory, applies
// the server's validation (422 with a list of messages, 404 for unknown
// UUIDs, 400 for duplicates) and checks every request and response against
// openapi/czertainly.yaml.
//
// Each Server mints its own throwaway CA, its server certificate and the
// client certificate of a super administrator (AdminCertificate); nothing
// secret is stored anywhere. The store starts with the seed's sample
// administrator (whose identifiers are, as in the vendor's samples, not
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
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

// Fixed identifiers of the seeded store.
const (
	// BasePath is the servlet context path the API is served under, as in
	// a real deployment; Server.BaseURL includes it.
	BasePath = "/api"
	// SampleAdminUUID is the seed's sample administrator (not a valid UUID).
	SampleAdminUUID = "7b55ge1c-844f-11dc-a8a3-0242ac120002"
	// SuperAdminUUID is the administrator AdminCertificate belongs to.
	SuperAdminUUID = "0b2f3a4c-5d6e-4f70-8a91-b2c3d4e5f607"
	// SuperAdminUsername is its username.
	SuperAdminUsername = "superadmin"
	// InventoryCertificateUUID names a certificate in the inventory that no
	// administrator uses yet (InventoryCertificate), for creating one by
	// certificateUuid.
	InventoryCertificateUUID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
)

// Server is a running fake. Close it when done.
type Server struct {
	*fakeserver.Server
	// CA signed the server certificate and the client certificates below;
	// issue more with CA.IssueClientCertificate.
	CA *CA
	// AdminCertificate authenticates as the enabled super administrator.
	AdminCertificate tls.Certificate
	// InventoryCertificate is the inventory certificate InventoryCertificateUUID.
	InventoryCertificate tls.Certificate

	header string

	mu        sync.Mutex
	admins    map[string]*czertainlyapi.AdminDto
	order     []string
	inventory map[string]czertainlyapi.CertificateDto
}

type serverConfig struct{ header string }

// Option configures NewServer.
type Option func(*serverConfig)

// WithCertificateHeader makes the fake behave like a server behind a
// TLS-terminating proxy: the client certificate may come in header name
// (URL-encoded PEM or Base64 DER, as CZERTAINLY 1.x reads it) instead of
// the handshake. The TLS handshake then asks for a certificate without
// requiring one.
func WithCertificateHeader(name string) Option {
	return func(c *serverConfig) { c.header = name }
}

// NewServer starts a fake on a loopback port.
func NewServer(opts ...Option) (*Server, error) {
	var cfg serverConfig
	for _, o := range opts {
		o(&cfg)
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
	s.Server, err = fakeserver.Start(s.routes(), fakeserver.Options{Spec: "czertainly.yaml", TLSConfig: tlsConfig})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// BaseURL is the URL to give czertainly.NewClient (URL plus BasePath).
func (s *Server) BaseURL() string { return s.URL + BasePath }

// seed loads the seed's sample administrator and adds the super
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
	if s.AdminCertificate, err = s.CA.IssueClientCertificate(SuperAdminUsername); err != nil {
		return err
	}
	super := certificateDto(s.AdminCertificate.Leaf)
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

// Admin returns a copy of the stored administrator.
func (s *Server) Admin(id string) (czertainlyapi.AdminDto, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.admins[id]
	if !ok {
		return czertainlyapi.AdminDto{}, false
	}
	return *a, true
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

// Fault is a misbehaviour to inject with Inject (see fakeserver.Fault):
// status codes, Retry-After, delays, dropped connections, cut bodies.
type Fault = fakeserver.Fault

// HTMLLoginPage is what a single-sign-on proxy answers in place of the API,
// for a Fault's Body.
const HTMLLoginPage = fakeserver.HTMLLoginPage
