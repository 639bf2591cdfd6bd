package czertainlytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

type raProfile struct {
	uuid, name string
	approval   bool
}

var raProfiles = []raProfile{
	{uuid: RAProfileUUID, name: RAProfileName},
	{uuid: ApprovalRAProfileUUID, name: ApprovalRAProfileName, approval: true},
}

func profileByUUID(id string) *raProfile {
	for i := range raProfiles {
		if raProfiles[i].uuid == id {
			return &raProfiles[i]
		}
	}
	return nil
}

// certificate is one entry of the inventory.
type certificate struct {
	uuid     string
	created  time.Time
	state    czertainly.CertificateState
	x509     *x509.Certificate // nil until issued
	csr      []byte            // DER, nil for an uploaded certificate
	profile  *raProfile
	archived bool
	owner    *user
	groups   []string
	source   string // the certificate this one renews or rekeys
	// pollsLeft counts the reads before the authority acts.
	pollsLeft int
	approved  bool
	approval  string
	history   []czertainly.CertificateEvent
	trustedCA *bool
	subject   string // from the CSR while not issued
}

type user struct {
	uuid, username, firstName, lastName, email, description string
	enabled, system                                         bool
	certUUID, certFingerprint                               string
	roles                                                   []string
}

type role struct {
	uuid, name, description, email string
	system                         bool
	permissions                    czertainly.Permissions
	objects                        map[string][]czertainly.ObjectPermissions // resource UUID → objects
}

type approval struct {
	uuid, action, object string
	created, closed      time.Time
	status               czertainly.ApprovalStatus
	creator              string
	recipients           []recipient
}

type recipient struct {
	uuid, user, comment string
	status              czertainly.ApprovalStatus
	at                  time.Time
}

// Resources of the authorization catalogue the fake lists.
var authResources = []struct{ uuid, name, display string }{
	{"a1000000-0000-4000-8000-000000000001", "certificates", "Certificates"},
	{"a1000000-0000-4000-8000-000000000002", "raProfiles", "RA Profiles"},
	{"a1000000-0000-4000-8000-000000000003", "users", "Users"},
	{"a1000000-0000-4000-8000-000000000004", "roles", "Roles"},
	{"a1000000-0000-4000-8000-000000000005", "approvals", "Approvals"},
}

func (s *Server) seed() error {
	now := s.clock()
	s.roles[SuperadminRoleUUID] = &role{uuid: SuperadminRoleUUID, name: "superadmin", description: "All permissions", system: true,
		permissions: czertainly.Permissions{AllowAllResources: true, Resources: []czertainly.ResourcePermissions{}}, objects: map[string][]czertainly.ObjectPermissions{}}
	// The admin's client certificate, from the fake's CA.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "admin"}}, key)
	if err != nil {
		return err
	}
	csr, _ := x509.ParseCertificateRequest(csrDER)
	adminCert, err := s.ca.sign(csr, now.Add(-time.Hour), now.Add(365*24*time.Hour))
	if err != nil {
		return err
	}
	s.AdminCertificate = tls.Certificate{Certificate: [][]byte{adminCert.Raw}, PrivateKey: key, Leaf: adminCert}
	adminEntry := s.addIssued(adminCert, nil, csrDER, now.Add(-48*time.Hour))
	s.users[AdminUserUUID] = &user{uuid: AdminUserUUID, username: "admin", email: "admin@example.com", enabled: true, system: true,
		certUUID: adminEntry.uuid, certFingerprint: fingerprint(adminCert.Raw), roles: []string{SuperadminRoleUUID}}
	adminEntry.owner = s.users[AdminUserUUID]
	// The CA itself is in the inventory, as Core keeps an authority's chain.
	s.addIssued(s.ca.cert, nil, nil, now.Add(-72*time.Hour))
	if s.cfg.noSeed {
		return nil
	}
	for i, days := range []int{5, 20, 200} {
		if _, err := s.AddCertificate(SeedCertificate{CommonName: fmt.Sprintf("seed%d.example.com", i+1), ExpiresIn: time.Duration(days) * 24 * time.Hour, RAProfileUUID: RAProfileUUID}); err != nil {
			return err
		}
	}
	return nil
}

// addIssued puts an issued certificate into the inventory.
func (s *Server) addIssued(crt *x509.Certificate, p *raProfile, csr []byte, created time.Time) *certificate {
	c := &certificate{uuid: newUUID(), created: created, state: czertainly.CertificateStateIssued, x509: crt, csr: csr, profile: p}
	s.certs[c.uuid] = c
	s.order = append(s.order, c.uuid)
	s.event(c, "Issue Certificate", "SUCCESS", "certificate issued")
	return c
}

func (s *Server) event(c *certificate, event, status, msg string) {
	c.history = append(c.history, czertainly.CertificateEvent{UUID: newUUID(), CertificateUUID: c.uuid, Created: s.clock().UTC().Truncate(time.Millisecond),
		CreatedBy: "admin", Event: event, Status: status, Message: msg})
}

// SeedCertificate describes a certificate AddCertificate puts into the
// inventory.
type SeedCertificate struct {
	CommonName string
	// ExpiresIn is the time left until notAfter (negative: expired).
	ExpiresIn time.Duration
	// RAProfileUUID, when set, is the profile it was issued through (then
	// it can be renewed); empty means an uploaded certificate.
	RAProfileUUID string
	// Archived puts it into the archive.
	Archived bool
}

// AddCertificate issues a certificate with the fake's CA straight into the
// inventory (with a stored CSR, so it can be renewed) and returns its
// UUID.
func (s *Server) AddCertificate(sc SeedCertificate) (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: sc.CommonName}, DNSNames: []string{sc.CommonName}}, key)
	if err != nil {
		return "", err
	}
	csr, _ := x509.ParseCertificateRequest(csrDER)
	now := s.clock()
	notAfter := now.Add(sc.ExpiresIn)
	crt, err := s.ca.sign(csr, notAfter.Add(-s.cfg.lifetime), notAfter)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var p *raProfile
	if sc.RAProfileUUID != "" {
		if p = profileByUUID(sc.RAProfileUUID); p == nil {
			return "", fmt.Errorf("czertainlytest: no RA profile %s", sc.RAProfileUUID)
		}
	} else {
		csrDER = nil
	}
	// Created a little apart, so the newest-first order is stable.
	c := s.addIssued(crt, p, csrDER, now.Add(time.Duration(len(s.order))*time.Millisecond))
	c.archived = sc.Archived
	return c.uuid, nil
}

// CertificateState returns the state of a certificate of the inventory
// ("" when there is none).
func (s *Server) CertificateState(uuid string) czertainly.CertificateState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.certs[uuid]; c != nil {
		return c.state
	}
	return ""
}

// Successors returns the UUIDs of the certificates that renew or rekey
// uuid.
func (s *Server) Successors(uuid string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.order {
		if s.certs[id].source == uuid {
			out = append(out, id)
		}
	}
	return out
}

// PendingApprovals returns the UUIDs of the approvals still pending.
func (s *Server) PendingApprovals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.sortedApprovals() {
		if a.status == czertainly.ApprovalStatusPending {
			out = append(out, a.uuid)
		}
	}
	return out
}

// Approve approves a pending approval as the admin; the certificate is
// issued on its next read.
func (s *Server) Approve(approvalUUID string) error { return s.decideFor(approvalUUID, true, "") }

// Reject rejects a pending approval as the admin.
func (s *Server) Reject(approvalUUID string) error { return s.decideFor(approvalUUID, false, "") }

func (s *Server) decideFor(id string, approve bool, comment string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.decide(id, approve, comment, AdminUserUUID)
}

// decide closes an approval; the caller holds s.mu.
func (s *Server) decide(id string, approve bool, comment, userUUID string) error {
	a := s.approvals[id]
	if a == nil {
		return fmt.Errorf("czertainlytest: no approval %s", id)
	}
	if a.status != czertainly.ApprovalStatusPending {
		return fmt.Errorf("czertainlytest: approval %s is %s", id, a.status)
	}
	now := s.clock()
	a.status, a.closed = czertainly.ApprovalStatusRejected, now
	if approve {
		a.status = czertainly.ApprovalStatusApproved
	}
	a.recipients = append(a.recipients, recipient{uuid: newUUID(), user: userUUID, comment: comment, status: a.status, at: now})
	if c := s.certs[a.object]; c != nil {
		if approve {
			c.approved = true
			c.pollsLeft = 0
			s.event(c, "Approve action closed", "SUCCESS", "approved")
		} else {
			c.state = czertainly.CertificateStateRejected
			s.event(c, "Approve action closed", "FAILED", "rejected")
		}
	}
	return nil
}

// advance moves a submitted certificate on, as Core's background actions
// and the authority do: after the configured reads it is issued, or (on
// an approval profile) waits for the approval first. The caller holds
// s.mu.
func (s *Server) advance(c *certificate) {
	switch c.state {
	case czertainly.CertificateStateRequested, czertainly.CertificateStatePendingIssue, czertainly.CertificateStatePendingApproval:
	default:
		return
	}
	if c.pollsLeft > 0 {
		c.pollsLeft--
		if c.state == czertainly.CertificateStateRequested {
			c.state = czertainly.CertificateStatePendingIssue
		}
		return
	}
	if c.profile != nil && c.profile.approval && !c.approved {
		if c.state != czertainly.CertificateStatePendingApproval {
			c.state = czertainly.CertificateStatePendingApproval
			a := &approval{uuid: newUUID(), action: "issue", object: c.uuid, created: s.clock(), status: czertainly.ApprovalStatusPending, creator: AdminUserUUID}
			s.approvals[a.uuid] = a
			c.approval = a.uuid
			s.event(c, "Approve action requested", "SUCCESS", "waiting for approval")
		}
		return
	}
	csr, err := x509.ParseCertificateRequest(c.csr)
	if err != nil {
		c.state = czertainly.CertificateStateFailed
		s.event(c, "Issue Certificate", "FAILED", err.Error())
		return
	}
	now := s.clock()
	crt, err := s.ca.sign(csr, now.Add(-time.Minute), now.Add(s.cfg.lifetime))
	if err != nil {
		c.state = czertainly.CertificateStateFailed
		s.event(c, "Issue Certificate", "FAILED", err.Error())
		return
	}
	c.x509, c.state = crt, czertainly.CertificateStateIssued
	event := "Issue Certificate"
	if c.source != "" {
		event = "Renew Certificate"
	}
	s.event(c, event, "SUCCESS", "certificate issued")
}

// submit records a new request (issue, renew, rekey) in state requested.
func (s *Server) submit(p *raProfile, csr []byte, source string, owner *user) *certificate {
	c := &certificate{uuid: newUUID(), created: s.clock(), state: czertainly.CertificateStateRequested, csr: csr, profile: p,
		source: source, pollsLeft: s.cfg.issuePolls, owner: owner}
	if parsed, err := x509.ParseCertificateRequest(csr); err == nil {
		c.subject = parsed.Subject.String()
	}
	s.certs[c.uuid] = c
	s.order = append(s.order, c.uuid)
	s.event(c, "Request Certificate", "SUCCESS", "certificate requested")
	return c
}

// dto is the search listing of c.
func (s *Server) dto(c *certificate) czertainly.Certificate {
	out := czertainly.Certificate{UUID: c.uuid, State: c.state, ValidationStatus: czertainly.ValidationStatusNotChecked,
		CertificateType: "X.509", ComplianceStatus: "not_checked", PublicKeyAlgorithm: "ECDSA", KeySize: 256,
		Archived: c.archived, TrustedCA: c.trustedCA, SubjectDN: c.subject}
	if c.subject != "" {
		out.CommonName = strings.TrimPrefix(c.subject, "CN=")
	}
	if c.x509 != nil {
		x := c.x509
		out.CommonName = x.Subject.CommonName
		out.SubjectDN = x.Subject.String()
		out.IssuerDN = x.Issuer.String()
		out.IssuerCommonName = x.Issuer.CommonName
		out.SerialNumber = x.SerialNumber.Text(16)
		out.NotBefore, out.NotAfter = x.NotBefore.UTC(), x.NotAfter.UTC()
		out.SignatureAlgorithm = x.SignatureAlgorithm.String()
		out.Fingerprint = fingerprint(x.Raw)
		out.ValidationStatus = czertainly.ValidationStatusValid
		now := s.clock()
		switch {
		case now.After(x.NotAfter):
			out.ValidationStatus = czertainly.ValidationStatusExpired
		case x.NotAfter.Sub(now) < 30*24*time.Hour:
			out.ValidationStatus = czertainly.ValidationStatusExpiring
		}
		if c.state == czertainly.CertificateStateRevoked {
			out.ValidationStatus = czertainly.ValidationStatusRevoked
		}
		if x.IsCA {
			out.IssuerCertificateUUID = ""
		} else {
			out.IssuerCertificateUUID = s.caUUID()
		}
	}
	if c.profile != nil {
		out.RAProfile = &czertainly.RAProfileRef{UUID: c.profile.uuid, Name: c.profile.name, Enabled: true, AuthorityInstanceUUID: AuthorityUUID}
	}
	if c.owner != nil {
		out.Owner, out.OwnerUUID = c.owner.username, c.owner.uuid
	}
	for _, g := range c.groups {
		out.Groups = append(out.Groups, czertainly.Group{UUID: g, Name: "group-" + g[:8]})
	}
	return out
}

func (s *Server) caUUID() string {
	for _, id := range s.order {
		if c := s.certs[id]; c.x509 != nil && c.x509.Equal(s.ca.cert) {
			return id
		}
	}
	return ""
}

func (s *Server) detail(c *certificate) czertainly.CertificateDetail {
	d := czertainly.CertificateDetail{Certificate: s.dto(c), SourceCertificateUUID: c.source}
	if c.x509 != nil {
		d.CertificateContent = base64.StdEncoding.EncodeToString(c.x509.Raw)
		d.KeyUsage = []string{"digitalSignature"}
		d.SubjectType = "endEntity"
		if c.x509.IsCA {
			d.SubjectType = "rootCa"
			d.KeyUsage = []string{"keyCertSign", "cRLSign"}
		}
		if len(c.x509.DNSNames) > 0 {
			d.SubjectAlternativeNames = map[string]any{"dNSName": c.x509.DNSNames}
		}
	}
	return d
}
