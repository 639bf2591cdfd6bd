package czertainlytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
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
	approval  string // the approval of the pending operation
	// revokeReason is the reason of a revocation waiting for approval.
	revokeReason string
	// sourceAction is "renew" or "rekey" for a successor of source.
	sourceAction string
	// requester is the UUID of the user who submitted the operation: the
	// creator of its approval.
	requester string
	csrKey    any // the CSR's public key while not issued
	history   []czertainly.CertificateEvent
	trustedCA *bool
	subject   string // from the CSR while not issued
}

type user struct {
	uuid, username, firstName, lastName, email, description string
	enabled, system                                         bool
	certUUID, certFingerprint                               string
	roles                                                   []string
	groups                                                  []string
	custom                                                  []map[string]any
}

// group is one of Core's certificate/user groups (doc-openapi-core-group.yaml).
type group struct{ uuid, name, description, email string }

type role struct {
	uuid, name, description, email string
	system                         bool
	custom                         []map[string]any
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

// recipient is one ApprovalRecipient: created pending for the profile's
// step (ApprovalServiceImpl.java:224-240), decided by one user.
type recipient struct {
	uuid, user, comment string
	status              czertainly.ApprovalStatus
	created, closed     time.Time
}

// authResource is one resource of the authorization catalogue.
type authResource struct {
	uuid, name, display string
	objectAccess        bool
	// groups and owner: Core lists the resource to a user who may see
	// its members by group, or owns objects (AuthServiceImpl.java:102).
	groups, owner bool
}

// authResources are the resources Core registers with the Auth service:
// every Resource of CZERTAINLY-Interfaces 804df038
// model/core/auth/Resource.java:20-101 but NONE and ANY, with its object
// access, group and owner flags. Their UUIDs are the fake's own.
var authResources = func() []authResource {
	list := []struct {
		name, display         string
		object, groups, owner bool
	}{
		{"dashboard", "Dashboard", false, false, false}, {"settings", "Settings", false, false, false},
		{"auditLogs", "Audit logs", false, false, false}, {"credentials", "Credential", true, false, false},
		{"connectors", "Connector", true, false, false}, {"attributes", "Attribute", true, false, false},
		{"jobs", "Scheduled job", false, false, false}, {"users", "User", false, true, false},
		{"roles", "Role", false, false, false}, {"acmeAccounts", "ACME Account", false, false, false},
		{"acmeProfiles", "ACME Profile", true, false, false}, {"cboms", "CBOM", false, false, false},
		{"scepProfiles", "SCEP Profile", true, false, false}, {"cmpProfiles", "CMP Profile", true, false, false},
		{"authorities", "Authority", true, false, false}, {"raProfiles", "RA Profile", true, false, false},
		{"certificates", "Certificate", false, true, true}, {"certificateRequests", "Certificate Request", false, false, false},
		{"groups", "Group", true, false, false}, {"complianceProfiles", "Compliance Profile", true, false, false},
		{"discoveries", "Discovery", false, false, false}, {"oids", "OID", true, false, false},
		{"entities", "Entity", true, false, false}, {"locations", "Location", true, false, false},
		{"tokenProfiles", "Token Profile", true, false, false}, {"tokens", "Token", true, false, false},
		{"keys", "Key", false, true, true}, {"approvalProfiles", "Approval profile", false, false, false},
		{"approvals", "Approval", false, false, false}, {"notificationProfiles", "Notification profile", false, false, false},
		{"notificationInstances", "Notification instance", false, false, false}, {"rules", "Rule", false, false, false},
		{"actions", "Action", false, false, false}, {"triggers", "Trigger", false, false, false},
		{"resources", "Resource", false, false, false}, {"resourceEvents", "Resource Event", false, false, false},
		{"searchFilters", "Search Filter", false, false, false}, {"keyItems", "Key item", false, false, false},
		{"platformEnums", "Platform enumerator", false, false, false}, {"notifications", "Notification", false, false, false},
		{"conditions", "Condition", false, false, false}, {"executions", "Execution", false, false, false},
		{"complianceRules", "Compliance Rule", false, false, false}, {"complianceGroups", "Compliance Group", false, false, false},
		{"customAttributes", "Custom Attribute", false, false, false}, {"globalMetadata", "Global Metadata", false, false, false},
		{"acmeOrders", "ACME Order", false, false, false}, {"acmeAuthorizations", "ACME Authorization", false, false, false},
		{"acmeChallenges", "ACME Challenge", false, false, false}, {"cmpTransactions", "CMP Transaction", false, false, false},
		{"endEntityProfiles", "End entity profile", false, false, false}, {"authenticationProviders", "Authentication Provider", false, false, false},
		{"vaults", "Vault", true, false, false}, {"vaultProfiles", "Vault Profile", true, false, false},
		{"secrets", "Secret", false, false, false},
	}
	out := make([]authResource, len(list))
	for i, r := range list {
		out[i] = authResource{uuid: fmt.Sprintf("a1000000-0000-4000-8000-%012d", i+1), name: r.name, display: r.display,
			objectAccess: r.object, groups: r.groups, owner: r.owner}
	}
	return out
}()

// Fixed groups the fake seeds (Core resolves group UUIDs against its
// groups: ResourceObjectAssociationServiceImpl.java:246).
const (
	GroupUUID      = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c51"
	OtherGroupUUID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c52"
)

func (s *Server) seed() error {
	now := s.clock()
	s.groups[GroupUUID] = &group{uuid: GroupUUID, name: "operations", description: "czertainlytest group", email: "ops@example.com"}
	s.groups[OtherGroupUUID] = &group{uuid: OtherGroupUUID, name: "web", description: "czertainlytest group"}
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

// Approve approves a pending approval as an administrator overriding the
// flow (PATCH approvals/{uuid}/approve: ApprovalServiceImpl.java:110-117,
// allowed to the approval's creator too). The operation it holds has
// run by the next request.
func (s *Server) Approve(approvalUUID string) error { return s.overrideFor(approvalUUID, true) }

// Reject rejects a pending approval as an administrator overriding the
// flow.
func (s *Server) Reject(approvalUUID string) error { return s.overrideFor(approvalUUID, false) }

func (s *Server) overrideFor(id string, approve bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.approvals[id]
	if a == nil {
		return fmt.Errorf("czertainlytest: no approval %s", id)
	}
	if a.status != czertainly.ApprovalStatusPending {
		return fmt.Errorf("czertainlytest: approval %s is %s", id, a.status)
	}
	// A decision made outside the API (another administrator's, as far
	// as the test can tell) has had its effect by the next request.
	s.override(a, approve, AdminUserUUID, 0)
	return nil
}

// override closes a pending approval for an administrator: its pending
// recipient is closed with the flow overridden (ApprovalServiceImpl.java:
// 256-277). The caller holds s.mu and has checked the status.
func (s *Server) override(a *approval, approve bool, userUUID string, lag int) {
	status := czertainly.ApprovalStatusRejected
	if approve {
		status = czertainly.ApprovalStatusApproved
	}
	now := s.clock()
	for i := range a.recipients {
		if a.recipients[i].status == czertainly.ApprovalStatusPending {
			a.recipients[i].status, a.recipients[i].user, a.recipients[i].comment, a.recipients[i].closed = status, userUUID, "Approval flow overridden", now
		}
	}
	s.closeApproval(a, status, lag)
}

// closeApproval sets the approval's status and queues the action it
// guards, as Core's ActionsListener receives it from the message queue
// (ApprovalServiceImpl.java:279-294, ActionsListener.java:113-142).
func (s *Server) closeApproval(a *approval, status czertainly.ApprovalStatus, lag int) {
	a.status, a.closed = status, s.clock()
	c := s.certs[a.object]
	if c == nil {
		return
	}
	approved := status == czertainly.ApprovalStatusApproved
	s.laterBy(lag, func() {
		if s.certs[c.uuid] == nil {
			return
		}
		switch {
		case approved && a.action == "revoke":
			s.revokeNow(c, c.revokeReason)
		case approved:
			c.approved = true
			c.pollsLeft = 0
			s.event(c, "Approve action closed", "SUCCESS", "approved")
			s.advance(c)
		case a.action == "revoke":
			// ActionsListener.java:115-121 handles a rejection of issue,
			// renew and rekey only: a revocation that was rejected leaves
			// the certificate pending approval.
		default:
			c.state = czertainly.CertificateStateRejected
			s.event(c, "Approve action closed", "FAILED", "rejected")
		}
	})
}

// requestApproval creates the approval of an operation on an approval
// profile and moves the certificate to pending_approval
// (ActionsListener.java:61-77, ApprovalServiceImpl.java:144-169,
// ClientOperationServiceImpl.java:263-267). The caller holds s.mu.
func (s *Server) requestApproval(c *certificate, action, creator string) {
	now := s.clock()
	a := &approval{uuid: newUUID(), action: action, object: c.uuid, created: now, status: czertainly.ApprovalStatusPending, creator: creator,
		recipients: []recipient{{uuid: newUUID(), status: czertainly.ApprovalStatusPending, created: now}}}
	s.approvals[a.uuid] = a
	c.approval = a.uuid
	c.state = czertainly.CertificateStatePendingApproval
	s.event(c, "Approve action requested", "SUCCESS", "waiting for approval")
}

// later queues work Core does after it has answered (an @Async method or a
// message on its action queue). It runs before the request handled after
// the next one (WithBackgroundLag), or at RunBackground: the request
// right after the answer still sees the old state, as a client polling a
// real Core may. The caller holds s.mu.
func (s *Server) later(f func()) { s.laterBy(s.cfg.backgroundLag, f) }

// laterBy queues f to run before the request after the next lag ones.
func (s *Server) laterBy(lag int, f func()) {
	s.jobs = append(s.jobs, job{due: s.seq + lag + 1, run: f})
}

type job struct {
	due int
	run func()
}

// tick counts a request and runs the background work due before it.
func (s *Server) tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.runJobs(s.seq)
}

func (s *Server) runJobs(upTo int) {
	for len(s.jobs) > 0 {
		var due []job
		rest := s.jobs[:0:0]
		for _, j := range s.jobs {
			if j.due <= upTo {
				due = append(due, j)
			} else {
				rest = append(rest, j)
			}
		}
		if len(due) == 0 {
			return
		}
		s.jobs = rest
		for _, j := range due {
			j.run()
		}
	}
}

// RunBackground finishes, now, everything Core would still be doing in the
// background: bulk deletions and updates, revocations, the actions of
// closed approvals.
func (s *Server) RunBackground() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runJobs(int(^uint(0) >> 1))
}

// advance moves a submitted certificate on, as Core's action listener and
// the authority do: it stays requested for the configured reads, then
// (on an approval profile) waits for an approval, or is issued. v2 client
// operations never pass through pending_issue: the state machine goes
// requested → pending_approval → issued/failed/rejected
// (ClientOperationServiceImpl.java:263-267, 271-311, 353-370). The caller
// holds s.mu.
func (s *Server) advance(c *certificate) {
	switch c.state {
	case czertainly.CertificateStateRequested, czertainly.CertificateStatePendingApproval:
	default:
		return
	}
	if c.state == czertainly.CertificateStatePendingApproval && !c.approved {
		return
	}
	if c.pollsLeft > 0 {
		c.pollsLeft--
		return
	}
	if c.profile != nil && c.profile.approval && !c.approved {
		action := "issue"
		if c.source != "" {
			action = c.sourceAction
		}
		s.requestApproval(c, action, c.requester)
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

// revokeNow is Core's revocation action (ClientOperationServiceImpl.java:
// 756-797): the authority revokes, or, when its connector cannot be
// reached, the certificate stays issued with a failed event. The caller
// holds s.mu.
func (s *Server) revokeNow(c *certificate, reason string) {
	if c.state != czertainly.CertificateStateIssued && c.state != czertainly.CertificateStatePendingApproval {
		return
	}
	if s.connectorDown > 0 {
		s.connectorDown--
		c.state = czertainly.CertificateStateIssued
		s.event(c, "Revoke Certificate", "FAILED", "Connector communication error")
		return
	}
	c.state = czertainly.CertificateStateRevoked
	s.event(c, "Revoke Certificate", "SUCCESS", "Certificate revoked. Reason: "+reason)
}

// submit records a new request (issue, renew, rekey) in state requested.
func (s *Server) submit(p *raProfile, csr []byte, source, action string, owner, requester *user) *certificate {
	c := &certificate{uuid: newUUID(), created: s.clock(), state: czertainly.CertificateStateRequested, csr: csr, profile: p,
		source: source, sourceAction: action, pollsLeft: s.cfg.issuePolls, owner: owner}
	if requester != nil {
		c.requester = requester.uuid
	}
	if parsed, err := x509.ParseCertificateRequest(csr); err == nil {
		c.subject = parsed.Subject.String()
		c.csrKey = parsed.PublicKey
	}
	s.certs[c.uuid] = c
	s.order = append(s.order, c.uuid)
	s.event(c, "Request Certificate", "SUCCESS", "certificate requested")
	return c
}

// dto is the search listing of c.
func (s *Server) dto(c *certificate) czertainly.Certificate {
	out := czertainly.Certificate{UUID: c.uuid, State: c.state, ValidationStatus: czertainly.ValidationStatusNotChecked,
		CertificateType: "X.509", ComplianceStatus: "not_checked",
		Archived: c.archived, TrustedCA: c.trustedCA, SubjectDN: c.subject}
	// Key facts come from the key itself: the certificate's, or the CSR's
	// while it is not issued (CertificateUtil.java:410-412, 498-500).
	out.PublicKeyAlgorithm, out.KeySize = keyFacts(c.csrKey)
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
		out.SignatureAlgorithm = javaSigAlg(x.SignatureAlgorithm)
		out.Fingerprint = fingerprint(x.Raw)
		out.PublicKeyAlgorithm, out.KeySize = keyFacts(x.PublicKey)
		out.ValidationStatus = czertainly.ValidationStatusValid
		now := s.clock()
		// X509CertificateValidator.java:186-199: not yet valid is
		// "inactive", then expired, then expiring within the threshold.
		switch {
		case now.Before(x.NotBefore):
			out.ValidationStatus = czertainly.ValidationStatus("inactive")
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
		if gr := s.groups[g]; gr != nil {
			out.Groups = append(out.Groups, czertainly.Group{UUID: gr.uuid, Name: gr.name})
		}
	}
	return out
}

// javaSigAlg is the JCA name Core reports (getSigAlgName with "WITH"
// spelled "with", CertificateUtil.java:411).
func javaSigAlg(a x509.SignatureAlgorithm) string {
	switch a {
	case x509.SHA256WithRSA:
		return "SHA256withRSA"
	case x509.SHA384WithRSA:
		return "SHA384withRSA"
	case x509.SHA512WithRSA:
		return "SHA512withRSA"
	case x509.ECDSAWithSHA256:
		return "SHA256withECDSA"
	case x509.ECDSAWithSHA384:
		return "SHA384withECDSA"
	case x509.ECDSAWithSHA512:
		return "SHA512withECDSA"
	case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
		return "RSASSA-PSS"
	case x509.PureEd25519:
		return "Ed25519"
	}
	return a.String()
}

// keyUsageNames are Core's key usage codes by bit (CZERTAINLY-Interfaces
// model/core/certificate/CertificateKeyUsage.java), the bit order of
// x509.KeyUsage too.
var keyUsageNames = []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
	"keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"}

// subjectType is CertificateUtil.getCertificateSubjectType
// (CertificateUtil.java:163-185): a CA by basic constraints, root when it
// signed itself; an end entity likewise self-signed or issued.
func subjectType(c *x509.Certificate) string {
	self := bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
	switch {
	case c.BasicConstraintsValid && c.IsCA && self:
		return "rootCa"
	case c.BasicConstraintsValid && c.IsCA:
		return "intermediateCa"
	case self:
		return "selfSignedEndEntity"
	}
	return "endEntity"
}

// keyFacts is Core's publicKeyAlgorithm and keySize of a public key: the
// KeyAlgorithm code (CZERTAINLY-Interfaces KeyAlgorithm.java:15-16) and
// the key length (KeySizeUtil: RSA modulus bits, EC field bits).
func keyFacts(pub any) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		// Not a KeyAlgorithm: Core keeps the provider's name.
		return "Ed25519", 255
	}
	return "", 0
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
		d.KeyUsage = []string{}
		for i, name := range keyUsageNames {
			if c.x509.KeyUsage&(1<<i) != 0 {
				d.KeyUsage = append(d.KeyUsage, name)
			}
		}
		d.SubjectType = subjectType(c.x509)
		if len(c.x509.DNSNames) > 0 {
			d.SubjectAlternativeNames = map[string]any{"dNSName": c.x509.DNSNames}
		}
	}
	return d
}
