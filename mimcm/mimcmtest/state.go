package mimcmtest

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
)

// Profile templates of the fake. The first two are those of the vendor's
// profile template sample; the others are the fake's own.
var (
	// TemplateSoftware is the sample's software template ("FIM CM Sample
	// Profile Template"): requests are approved as soon as they are
	// created, the client generates the key (RSA 2048, SHA-256) and gets
	// its certificate as PKCS#7.
	TemplateSoftware = uuid.MustParse("12bd5120-86a2-4ee1-8d05-131066871578")
	// TemplateSmartcard is the sample's smart card template.
	TemplateSmartcard = uuid.MustParse("2b7044cf-aa96-4911-b886-177947e9271b")
	// TemplateApproval is a software template whose requests wait for
	// one approval (ApproveRequest) before they can be executed.
	TemplateApproval = uuid.MustParse("5e0c4d1a-7f7b-4a53-9a61-2f1e8b6c0d42")
	// TemplateServerKey is a software template whose keys the server
	// generates: certificates come back as a PFX encrypted with the
	// caller's PFX password.
	TemplateServerKey = uuid.MustParse("c3a8f2b4-1d6e-4f0a-8b7c-9e5d2a1f3c64")
	// TemplateSampleRequests is the (smart card) template of the sample
	// requests and smart cards.
	TemplateSampleRequests = uuid.MustParse("a039b4d0-5ce8-4eff-8651-181c6576fda3")
)

// Identities of the other seeded samples.
var (
	// SampleSmartcardID is the smart card of the "get smart card" sample
	// (assigned by the sample enroll request); SampleSmartcardCardID its
	// card ID.
	SampleSmartcardID     = uuid.MustParse("17cf063d-e337-4aa9-a822-346554ddd3c9")
	SampleSmartcardCardID = "bc88f13f-83ba-4037-8262-46eba1291c6e"
	// SampleCardIDCard is the smart card the ?cardid= sample finds by
	// SampleCardID.
	SampleCardIDCard = uuid.MustParse("438d1b30-f3b4-4bed-85fa-285e08605ba7")
	SampleCardID     = "d1ef6869-5517-42a0-8f05-16ca1a0b834d"
	// SampleCertificatesCard is the smart card of the certificates sample.
	SampleCertificatesCard = uuid.MustParse("5badfea3-de31-4837-99f9-8249515a5473")
	// SampleProfileID is the first profile of the profiles sample.
	SampleProfileID = uuid.MustParse("c0dd5c7d-ec35-4346-baca-3ad711e9722f")
)

// The fake's numbers for request types and statuses. Microsoft publishes
// none. The samples pin Enroll = 1 and Unblock = 5 (get-request.md), and
// two statuses: 3 for a request that may be executed (get-request.md's
// samples, read as Approved as the enrollment walkthrough's step 8 asks)
// and 8 for Completed (cancel-abandon-complete-request.md's sample). The
// other request types are the fake's.
var (
	requestTypeNumbers = map[mimcm.RequestTypeName]mimcm.RequestType{
		mimcm.RequestTypeNameEnroll: 1, mimcm.RequestTypeNameDuplicate: 2, mimcm.RequestTypeNameOfflineUnblock: 3,
		mimcm.RequestTypeNameOnlineUpdate: 4, mimcm.RequestTypeNameUnblock: 5, mimcm.RequestTypeNameRenew: 6,
		mimcm.RequestTypeNameRecover: 7, mimcm.RequestTypeNameRecoverOnBehalf: 8, mimcm.RequestTypeNameReinstate: 9,
		mimcm.RequestTypeNameRetire: 10, mimcm.RequestTypeNameRevoke: 11, mimcm.RequestTypeNameTemporaryCards: 12,
	}
	requestStatusNumbers = map[mimcm.StatusNumber]mimcm.Status{
		statusNone: mimcm.StatusNone, statusPending: mimcm.StatusPending, statusDenied: mimcm.StatusDenied,
		statusApproved: mimcm.StatusApproved, statusExecuting: mimcm.StatusExecuting, statusFailed: mimcm.StatusFailed,
		statusCanceled: mimcm.StatusCanceled, statusCompleted: mimcm.StatusCompleted,
	}
)

// The fake's request status numbers. Only 3 and 8 are the reference's
// (see above). The others are placeholders, deliberately outside the
// range a guess of the server's enumeration would give, so that a client
// that hard-codes a guessed number fails against the fake: a client learns
// them by name, through the status filter (?status=, get-request.md),
// which files each under its published name. Abandoned, which the filter
// does not name, is filed under none.
const (
	statusApproved  mimcm.StatusNumber = 3
	statusCompleted mimcm.StatusNumber = 8

	statusNone      mimcm.StatusNumber = 100
	statusPending   mimcm.StatusNumber = 101
	statusDenied    mimcm.StatusNumber = 102
	statusExecuting mimcm.StatusNumber = 104
	statusFailed    mimcm.StatusNumber = 105
	statusCanceled  mimcm.StatusNumber = 106
	statusAbandoned mimcm.StatusNumber = 107
)

// StatusNumber returns the number the fake gives the status name (see the
// package documentation: only Approved and Completed are the reference's),
// for tests that set up or check a request's status.
func StatusNumber(name mimcm.Status) (mimcm.StatusNumber, bool) {
	if name == "Abandoned" {
		return statusAbandoned, true
	}
	for n, s := range requestStatusNumbers {
		if s == name {
			return n, true
		}
	}
	return 0, false
}

// The fake's profile status numbers: Active = 2 as in the samples; the
// others are the fake's.
const (
	profileActive  mimcm.ProfileStatus = 2
	profileRevoked mimcm.ProfileStatus = 5
	profileRetired mimcm.ProfileStatus = 6
)

type template struct {
	view      mimcmapi.ProfileTemplate
	approvals int
	serverKey bool
	options   []mimcmapi.CertificateRequestGenerationOptions
	// raw, when set, is the template's JSON as the sample has it.
	raw []byte
}

type request struct {
	w   mimcmapi.Request
	raw []byte
	// profile is the software profile a Renew/Revoke/Retire is for.
	profile *uuid.UUID
	// submitted counts the certificate data calls the fake answered.
	submitted int
	issued    []userCert
}

type profile struct {
	w     mimcmapi.Profile
	certs []userCert
}

type smartcard struct {
	w     mimcmapi.Smartcard
	raw   []byte
	ops   []string
	certs []json.RawMessage
}

type userCert struct {
	raw     json.RawMessage
	retired bool
}

func (r *request) refresh() {
	b, _ := json.Marshal(r.w)
	r.raw = b
}

func (c *smartcard) refresh() {
	b, _ := json.Marshal(c.w)
	c.raw = b
}

func ptr[T any](v T) *T { return &v }

// seed loads the samples of the vendor's documentation and the fake's own
// templates.
func (s *Server) seed() error {
	for _, name := range []string{FixtureEnroll, FixtureUnblock} {
		b, err := Fixture(name)
		if err != nil {
			return err
		}
		if err := s.AddRequestJSON(b); err != nil {
			return err
		}
	}
	rsa := []mimcmapi.CertificateRequestGenerationOptions{{
		Subject: "", KeyAlgorithmName: "RSA", KeySize: 2048, FriendlyName: ptr(""), HashAlgorithmName: "SHA256",
		KeyStorageProviderNames: &[]string{"Microsoft Software Key Storage Provider"}, Exportable: ptr(int32(1)),
		KeyProtectionLevel: ptr(int32(0)), KeyUsages: ptr(int32(3)),
	}}
	var sampleOptions []mimcmapi.CertificateRequestGenerationOptions
	if err := fixtureJSON(FixtureGenerationOptions, &sampleOptions); err != nil {
		return err
	}
	var sampleTemplates []json.RawMessage
	if err := fixtureJSON(FixtureProfileTemplates, &sampleTemplates); err != nil {
		return err
	}
	for i, raw := range sampleTemplates {
		t := &template{raw: raw, options: rsa}
		if err := json.Unmarshal(raw, &t.view); err != nil {
			return err
		}
		if i == 1 {
			t.options = sampleOptions
		}
		s.templates = append(s.templates, t)
	}
	s.templates = append(s.templates,
		&template{approvals: 1, options: rsa, view: mimcmapi.ProfileTemplate{Uuid: TemplateApproval,
			Name: "Fake Approval Required Template", Description: "Requests wait for one approval (mimcmtest)"}},
		&template{serverKey: true, view: mimcmapi.ProfileTemplate{Uuid: TemplateServerKey,
			Name: "Fake Server Generated Key Template", Description: "The server generates the key and answers a PFX (mimcmtest)"}},
		&template{options: sampleOptions, view: mimcmapi.ProfileTemplate{Uuid: TemplateSampleRequests,
			Name: "Fake Virtual Smart Card Template", Description: "The template of the sample requests (mimcmtest)",
			IsSmartcardProfileTemplate: true, IsVirtualSmartcardProfileTemplate: true}},
	)

	var profiles []mimcmapi.Profile
	if err := fixtureJSON(FixtureProfiles, &profiles); err != nil {
		return err
	}
	for _, p := range profiles {
		s.profiles = append(s.profiles, &profile{w: p})
	}

	for _, f := range []string{FixtureSmartcardByCardID, FixtureSmartcard} {
		b, err := Fixture(f)
		if err != nil {
			return err
		}
		c := &smartcard{raw: bytes.TrimSpace(b), ops: []string{"renew", "unblock", "retire"}}
		if err := json.Unmarshal(b, &c.w); err != nil {
			return err
		}
		s.smartcards = append(s.smartcards, c)
	}
	certsCard := &smartcard{ops: []string{"renew", "retire"}, w: mimcmapi.Smartcard{
		Uuid: SampleCertificatesCard, Status: 2, Flags: ptr(int32(1)), AssignedUserUuid: &UserUUID,
		ProfileTemplateUuid: &TemplateSampleRequests, ProfileTemplateVersion: ptr(int32(46)), Comment: ptr(""),
		SerialNumber: ptr("{9b5e51a2-4c1d-4e0b-a3f6-7d2c8e9f1a30}"), Middleware: ptr("MSBaseCSP"), Atr: ptr("3b8d0180fba000000397425446590301c8"),
		ParentSmartcardUuid: &uuid.Nil, PrimarySmartcardUuid: &uuid.Nil, PermanentSmartcardUuid: &uuid.Nil,
	}}
	certsCard.refresh()
	if err := fixtureJSON(FixtureSmartcardCertificates, &certsCard.certs); err != nil {
		return err
	}
	s.smartcards = append(s.smartcards, certsCard)

	var certs []json.RawMessage
	if err := fixtureJSON(FixtureUserCertificates, &certs); err != nil {
		return err
	}
	for _, c := range certs {
		s.userCerts = append(s.userCerts, userCert{raw: c})
	}
	return nil
}

func fixtureJSON(name string, v any) error {
	b, err := Fixture(name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("fixture %s: %w", name, err)
	}
	return nil
}

func (s *Server) findRequest(id uuid.UUID) *request {
	for _, r := range s.requests {
		if r.w.Uuid == id {
			return r
		}
	}
	return nil
}

func (s *Server) findTemplate(id uuid.UUID) *template {
	for _, t := range s.templates {
		if t.view.Uuid == id {
			return t
		}
	}
	return nil
}

func (s *Server) findProfile(id uuid.UUID) *profile {
	for _, p := range s.profiles {
		if p.w.Uuid == id {
			return p
		}
	}
	return nil
}

func (s *Server) findSmartcard(id uuid.UUID) *smartcard {
	for _, c := range s.smartcards {
		if c.w.Uuid == id {
			return c
		}
	}
	return nil
}

// ApproveRequest gives a pending request the approval a person would, so
// that it can be executed.
func (s *Server) ApproveRequest(id uuid.UUID) error {
	return s.moveRequest(id, statusPending, statusApproved)
}

// DenyRequest denies a pending request, as an approver would.
func (s *Server) DenyRequest(id uuid.UUID) error {
	return s.moveRequest(id, statusPending, statusDenied)
}

// FailRequest puts an approved request in the Failed status, as a server
// whose execution of it failed would.
func (s *Server) FailRequest(id uuid.UUID) error {
	return s.moveRequest(id, statusApproved, statusFailed)
}

func (s *Server) moveRequest(id uuid.UUID, from, to mimcm.StatusNumber) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.findRequest(id)
	if r == nil {
		return fmt.Errorf("mimcmtest: no request %s", id)
	}
	if mimcm.StatusNumber(r.w.Status) != from {
		return fmt.Errorf("mimcmtest: request %s is in status %d, not %d", id, r.w.Status, from)
	}
	r.w.Status = int32(to)
	r.refresh()
	return nil
}

// Request returns a stored request as the client would read it.
func (s *Server) Request(id uuid.UUID) (mimcm.Request, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.findRequest(id)
	if r == nil {
		return mimcm.Request{}, false
	}
	var out mimcm.Request
	if err := json.Unmarshal(r.raw, &out); err != nil {
		return mimcm.Request{}, false
	}
	return out, true
}

// Requests lists the GUIDs of the stored requests, oldest first.
func (s *Server) Requests() []uuid.UUID {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]uuid.UUID, len(s.requests))
	for i, r := range s.requests {
		ids[i] = r.w.Uuid
	}
	return ids
}

// IssuedCertificates counts the certificates the fake's CA issued.
func (s *Server) IssuedCertificates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		n += len(r.issued)
	}
	return n
}

// CA is the certificate of the fake's CA, which issues every certificate
// (the root of every chain the fake returns).
func (s *Server) CA() *x509.Certificate { return s.ca.cert }

// IssuingCAs is a pool holding the fake's CA, which issues every
// certificate: what mimcm.EnrollInput.Roots takes to check the chains of
// the certificates an enrollment receives. It is not the TLS root
// (TLSRootCAs, for mimcm.WithRootCAs): the fake's connections and its CA
// have different roots, as a deployment's usually do.
func (s *Server) IssuingCAs() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(s.ca.cert)
	return pool
}

// SetPFXPasswordMismatch makes the fake encrypt the PFX blobs it returns
// with a password other than the one the caller gave, as a server that
// mangles the password would: the caller cannot open them.
func (s *Server) SetPFXPasswordMismatch(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pfxMismatch = on
}

// now is the fake's clock for request times.
func now() mimcmapi.DateTime {
	return mimcmapi.DateTime{Time: time.Now().UTC().Truncate(time.Millisecond)}
}
