// Package adminv1test is an in-memory CZERTAINLY 1.x Administrator API
// for tests, in the manner of net/http/httptest: a TLS server that
// authenticates administrators by client certificate, keeps them in
// memory, answers as the vendor's server does and checks every request
// and response against openapi/czertainly-adminv1.yaml (SpecViolations lists
// mismatches; NewTestServer fails the test on them).
//
// Each Server mints its own throwaway CA, its server certificate and the
// client certificate of a super administrator (ClientCertificate); nothing
// secret is stored anywhere. NewClient returns a client already configured
// with that certificate and the CA.
//
// # What it answers
//
// The fake follows the server's source (CZERTAINLY-Core, releases 2.0.2 to
// 2.4.0, where the Administrator API lives; see handlers.go for the files):
//
//   - TLS asks for a client certificate without requiring one; a request
//     without the certificate of an enabled super administrator is refused
//     with 403 and Spring Boot's error body (any other administrator signs
//     in but the API is for super administrators only).
//   - A path outside the /api context path gets Tomcat's HTML 404, an
//     unknown path under it Spring Boot's 404, a known path with another
//     method or Content-Type the server's 500 {"message":"Internal server
//     error."} (its catch-all exception handler sees those before the
//     framework's 405 and 415 would be sent), and a body that is not the
//     expected JSON 400 "Unable to read HTTP message".
//   - Unknown administrators are 404 with the server's message, duplicates
//     400 "already exists", a blank username, name, surname or email 422
//     with an empty list (the server keeps its text out of the list).
//   - Edit is not a patch: name, surname, email and description become
//     what is sent (an absent description clears it), and adminCertificate
//     without certificateUuid beside it fails with 500, as on the server.
//   - Bulk remove, enable and disable skip UUIDs they do not know and
//     answer 204; SkippedUUIDs stands in for the server's log warning.
//   - A plain http:// request to its port gets the 400 of Go's TLS server
//     ("Client sent an HTTP request to an HTTPS server."); the vendor's
//     Tomcat answers such a request with a 400 of its own words, and the
//     client recognises both.
//   - An uploaded certificate whose serial number the inventory holds is
//     refused with 400, on create (as up to Core 2.3.0; 2.4.0 meant to reuse
//     it but fails on a new one with 500) and on edit.
//
// # Identifiers
//
// The store starts with the sample administrator of the vendor's
// documentation and the super administrator. The sample's UUID,
// 7b55ge1c-844f-11dc-a8a3-0242ac120002, is not an RFC 4122 UUID, yet it is
// addressable: the released servers keep identifiers as text and look them
// up verbatim (AdminRepository.findByUuid(String)), so the fake does too,
// and the client sends any identifier of that shape as it is. (An
// unreleased development state parsed them with UUID.fromString and would
// have failed on such an identifier with 500.)
//
// # Behind a proxy
//
// WithCertificateHeader makes the fake read the client certificate from a
// header, as the server does behind a TLS-terminating proxy: URL-encoded
// PEM or Base64 DER, URL-decoded first (so a bare '+' of Base64 becomes a
// space and fails). A header that does not decode or verify is refused
// with 403 and a line of text.
package adminv1test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
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

//go:generate go run ../../../internal/cmd/gensurface -kind fake -pkg adminv1test -vendor "CZERTAINLY 1.x" -client github.com/certadmin/certadmin-go/czertainly/adminv1 -o surface.gen.go

// Server is a running fake. Close it when done.
type Server struct {
	// URL is the base URL to give adminv1.NewClient: the server's root
	// plus the servlet context path BasePath, as in a real deployment.
	URL string
	// CA signed the server certificate and the client certificates below;
	// CA.Pool() (or TLSRootCAs) is what a client trusts, and
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
	admins    map[string]*adminv1api.AdminDto
	order     []string
	inventory map[string]adminv1api.CertificateDto
	skipped   []string
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
// (see the package documentation) instead of the handshake, and a header
// that is present wins. NewClient configures its client that way.
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
	ca, err := NewCA("adminv1test CA")
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
		admins:    map[string]*adminv1api.AdminDto{},
		inventory: map[string]adminv1api.CertificateDto{},
	}
	if err := s.seed(); err != nil {
		return nil, err
	}
	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{serverCert},
		// The server's connector only asks for a client certificate
		// (server.ssl.client-auth=want): a request without one reaches
		// Spring Security, which refuses it with 403. A certificate of a
		// CA it does not trust fails the handshake.
		ClientAuth: tls.VerifyClientCertIfGiven,
		ClientCAs:  ca.Pool(),
		MinVersion: tls.VersionTLS12,
	}
	fs, err := fakeserver.Start(s.routes(), fakeserver.Options{Spec: "czertainly-adminv1.yaml", TLSConfig: tlsConfig})
	if err != nil {
		return nil, fmt.Errorf("adminv1test: %w", err)
	}
	s.base, s.URL = fs, fs.URL+BasePath
	return s, nil
}

// clientOptions configure a adminv1.Client for this fake (see
// NewClient): the super administrator's certificate, in the handshake or,
// with WithCertificateHeader, in the header, and the fake's CA trusted.
func (s *Server) clientOptions() []adminv1.Option {
	opts := []adminv1.Option{adminv1.WithRootCAs(s.CA.Pool())}
	if s.header == "" {
		return append(opts, adminv1.WithClientCertificate(s.ClientCertificate))
	}
	opts = append(opts, adminv1.WithCertificateHeader(s.ClientCertificate.Leaf))
	if s.header != adminv1.DefaultCertificateHeader {
		opts = append(opts, adminv1.WithCertificateHeaderName(s.header))
	}
	return opts
}

// ClientFiles names PEM files a client can be configured from, for
// adminv1.WithClientCertificateFiles and adminv1.WithRootCAFile.
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
			return ClientFiles{}, fmt.Errorf("adminv1test: %w", err)
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
	var admins []adminv1api.AdminDto
	if err := json.Unmarshal(sample, &admins); err != nil {
		return fmt.Errorf("adminv1test: sample admins: %w", err)
	}
	for i := range admins {
		s.store(&admins[i])
	}
	if s.ClientCertificate, err = s.CA.IssueClientCertificate(SuperAdminUsername); err != nil {
		return err
	}
	super := certificateDto(s.ClientCertificate.Leaf)
	s.inventory[super.Uuid] = super
	s.store(&adminv1api.AdminDto{
		Uuid: SuperAdminUUID, Username: SuperAdminUsername, Name: "Super", Surname: "Admin",
		Email: "superadmin@example.com", Role: "superAdministrator", Description: new("bootstrap administrator"),
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

func (s *Server) store(a *adminv1api.AdminDto) {
	if _, ok := s.admins[a.Uuid]; !ok {
		s.order = append(s.order, a.Uuid)
	}
	s.admins[a.Uuid] = a
}

// Admin returns a copy of the stored administrator with the given UUID, as
// GetAdmin would return it, and whether there is one.
func (s *Server) Admin(id string) (*adminv1.Admin, bool) {
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
	var out adminv1.Admin
	if json.Unmarshal(b, &out) != nil {
		return nil, false
	}
	return &out, true
}

// SkippedUUIDs lists, in order, the UUIDs bulk calls named that the fake
// did not know: the server skips them, logging a warning, and answers 204
// all the same, so this is the only trace of them.
func (s *Server) SkippedUUIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.skipped...)
}

// AdminCount is the number of stored administrators.
func (s *Server) AdminCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.admins)
}
