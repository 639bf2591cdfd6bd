package czertainlytest_test

// These tests talk raw HTTP to the fake, so that they check the fake's
// Core semantics (CZERTAINLY-Core cad4432a, cited in SEMANTICS.md) and not
// the client package.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

const (
	opsPath      = "/api/v2/operations/authorities/" + czertainlytest.AuthorityUUID + "/raProfiles/"
	plainOps     = opsPath + czertainlytest.RAProfileUUID
	approvalOps  = opsPath + czertainlytest.ApprovalRAProfileUUID
	unknownGroup = "11111111-2222-4333-8444-555555555555"
)

// start runs a fake for raw requests. Our own spec does not know every
// route these tests call, so they check the vendor's documents only.
func start(t *testing.T, opts ...czertainlytest.Option) *czertainlytest.Server {
	t.Helper()
	srv, err := czertainlytest.NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		for _, v := range srv.VendorViolations() {
			t.Errorf("%s", v)
		}
	})
	return srv
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (a answer) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

// as is how a request authenticates: "" for the admin's bearer token,
// a PEM certificate for the ssl-client-cert header, "-" for anonymous.
func call(t *testing.T, srv *czertainlytest.Server, as, method, path string, body any) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	switch as {
	case "":
		req.Header.Set("Authorization", "Bearer "+czertainlytest.BearerToken)
	case "-":
	default:
		if tok, ok := strings.CutPrefix(as, "token:"); ok {
			req.Header.Set("Authorization", "Bearer "+tok)
			break
		}
		req.Header.Set("ssl-client-cert", url.QueryEscape(as))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), b}
}

func want(t *testing.T, what string, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s: status %d %s, want %d", what, a.status, a.body, status)
	}
}

func newCSR(t *testing.T, cn string, key crypto.Signer) []byte {
	t.Helper()
	if key == nil {
		var err error
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemCSR(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// selfSigned is a certificate with the given key and validity.
func selfSigned(t *testing.T, cn string, key crypto.Signer, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func certPEM(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

type certView struct {
	UUID               string `json:"uuid"`
	State              string `json:"state"`
	ValidationStatus   string `json:"validationStatus"`
	PublicKeyAlgorithm string `json:"publicKeyAlgorithm"`
	SignatureAlgorithm string `json:"signatureAlgorithm"`
	KeySize            int    `json:"keySize"`
	Groups             []struct {
		UUID, Name string
	} `json:"groups"`
	Owner     string `json:"owner"`
	OwnerUUID string `json:"ownerUuid"`
}

func getCert(t *testing.T, srv *czertainlytest.Server, id string) (certView, int) {
	t.Helper()
	a := call(t, srv, "", http.MethodGet, "/api/v1/certificates/"+id, nil)
	var v certView
	if a.status == http.StatusOK {
		a.json(t, &v)
	}
	return v, a.status
}

// issue submits a CSR and returns the new certificate's UUID.
func issue(t *testing.T, srv *czertainlytest.Server, ops, csr string) string {
	t.Helper()
	a := call(t, srv, "", http.MethodPost, ops+"/certificates", map[string]any{"request": csr, "attributes": []any{}})
	want(t, "issue", a, http.StatusOK)
	var out struct{ UUID string }
	a.json(t, &out)
	return out.UUID
}

// readUntil reads a certificate until it is in state (bounded).
func readUntil(t *testing.T, srv *czertainlytest.Server, id, state string) []string {
	t.Helper()
	var seen []string
	for range 10 {
		v, _ := getCert(t, srv, id)
		seen = append(seen, v.State)
		if v.State == state {
			return seen
		}
	}
	t.Fatalf("certificate %s never reached %s: %v", id, state, seen)
	return nil
}

// addUser creates a user who signs in with a new certificate and has the
// given roles; it returns the user's certificate PEM for call.
func addUser(t *testing.T, srv *czertainlytest.Server, name string, roles ...string) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	crt := selfSigned(t, name, key, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	a := call(t, srv, "", http.MethodPost, "/api/v1/users", map[string]any{"username": name, "email": name + "@example.com", "enabled": true,
		"certificateData": base64.StdEncoding.EncodeToString(crt.Raw)})
	want(t, "create user", a, http.StatusCreated)
	var u struct{ UUID string }
	a.json(t, &u)
	if len(roles) > 0 {
		want(t, "roles", call(t, srv, "", http.MethodPatch, "/api/v1/users/"+u.UUID+"/roles", roles), http.StatusOK)
	}
	return certPEM(crt)
}

func userUUID(t *testing.T, srv *czertainlytest.Server, name string) string {
	t.Helper()
	var users []struct{ UUID, Username string }
	call(t, srv, "", http.MethodGet, "/api/v1/users", nil).json(t, &users)
	for _, u := range users {
		if u.Username == name {
			return u.UUID
		}
	}
	t.Fatalf("no user %s", name)
	return ""
}

type approvalList struct {
	Approvals []struct {
		UUID           string `json:"approvalUuid"`
		Status         string `json:"status"`
		ResourceAction string `json:"resourceAction"`
		ObjectUUID     string `json:"objectUuid"`
	} `json:"approvals"`
}

// pendingApproval issues on the approval profile and returns the
// certificate and its approval, found through the certificate's approvals.
func pendingApproval(t *testing.T, srv *czertainlytest.Server) (certUUID, approvalUUID string) {
	t.Helper()
	certUUID = issue(t, srv, approvalOps, pemCSR(newCSR(t, "approved.example.com", nil)))
	readUntil(t, srv, certUUID, "pending_approval")
	a := call(t, srv, "", http.MethodGet, "/api/v1/certificates/"+certUUID+"/approvals", nil)
	want(t, "certificate approvals", a, http.StatusOK)
	var l approvalList
	a.json(t, &l)
	if len(l.Approvals) != 1 || l.Approvals[0].Status != "PENDING" || l.Approvals[0].ObjectUUID != certUUID {
		t.Fatalf("certificate approvals %s", a.body)
	}
	return certUUID, l.Approvals[0].UUID
}

// ApprovalServiceImpl.java:186-222 and 108-128.
func TestApprovalRecipients(t *testing.T) {
	srv := start(t)
	certUUID, id := pendingApproval(t, srv)
	path := "/api/v1/approvals/" + id
	// The admin created it, so may not decide it as a recipient.
	a := call(t, srv, "", http.MethodPatch, path+"/approveRecipient", map[string]string{"comment": "mine"})
	want(t, "creator approves", a, http.StatusUnprocessableEntity)
	if !strings.Contains(string(a.body), "same user") {
		t.Errorf("creator: %s", a.body)
	}
	// A user without a step of the approval: 404.
	carol := addUser(t, srv, "carol")
	want(t, "no step", call(t, srv, carol, http.MethodPatch, path+"/approveRecipient", map[string]string{}), http.StatusNotFound)
	// A recipient decides once (here signed in with a bearer token).
	addUser(t, srv, "bob", czertainlytest.SuperadminRoleUUID)
	bob := "token:" + srv.TokenFor(userUUID(t, srv, "bob"))
	want(t, "recipient approves", call(t, srv, bob, http.MethodPatch, path+"/approveRecipient", map[string]string{"comment": "ok"}), http.StatusNoContent)
	a = call(t, srv, bob, http.MethodPatch, path+"/rejectRecipient", map[string]string{})
	want(t, "decides again", a, http.StatusUnprocessableEntity)
	if !strings.Contains(string(a.body), "already made decision") {
		t.Errorf("again: %s", a.body)
	}
	// A closed approval cannot be overridden either.
	want(t, "override closed", call(t, srv, "", http.MethodPatch, path+"/reject", nil), http.StatusUnprocessableEntity)
	srv.RunBackground()
	if st := srv.CertificateState(certUUID); st != "issued" {
		t.Errorf("after approval: %s", st)
	}
}

// v2 client operations go requested → issued; pending_issue is not a step
// of theirs (ClientOperationServiceImpl.java:263-311).
func TestIssueNeverPendingIssue(t *testing.T) {
	srv := start(t, czertainlytest.WithIssuePolls(2))
	id := issue(t, srv, plainOps, pemCSR(newCSR(t, "www.example.com", nil)))
	seen := readUntil(t, srv, id, "issued")
	if slices.Contains(seen, "pending_issue") || seen[0] != "requested" {
		t.Errorf("states %v", seen)
	}
}

// CertificateRequestUtils.java:173-216: PEM, base64 of DER, base64 of PEM.
func TestCSREncodings(t *testing.T) {
	srv := start(t)
	der := newCSR(t, "enc.example.com", nil)
	for name, csr := range map[string]string{
		"PEM":           pemCSR(der),
		"base64 of DER": base64.StdEncoding.EncodeToString(der),
		"base64 of PEM": base64.StdEncoding.EncodeToString([]byte(pemCSR(der))),
	} {
		a := call(t, srv, "", http.MethodPost, plainOps+"/certificates", map[string]any{"request": csr, "attributes": []any{}})
		if a.status != http.StatusOK {
			t.Errorf("%s: %d %s", name, a.status, a.body)
		}
	}
}

// ClientOperationServiceImpl.java:563, 1108-1125.
func TestRekeyKeepsSubjectDN(t *testing.T) {
	srv := start(t, czertainlytest.WithoutSeed())
	id, err := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "rekey.example.com", ExpiresIn: 40 * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID})
	if err != nil {
		t.Fatal(err)
	}
	a := call(t, srv, "", http.MethodPost, plainOps+"/certificates/"+id+"/rekey", map[string]any{"request": pemCSR(newCSR(t, "other.example.com", nil))})
	want(t, "other subject", a, http.StatusUnprocessableEntity)
	if !strings.Contains(string(a.body), "Subject DN") {
		t.Errorf("body %s", a.body)
	}
	want(t, "same subject", call(t, srv, "", http.MethodPost, plainOps+"/certificates/"+id+"/rekey", map[string]any{"request": pemCSR(newCSR(t, "rekey.example.com", nil))}), http.StatusOK)
}

// CertificateServiceImpl.java:484-488.
func TestDeleteLoginCertificateRefused(t *testing.T) {
	srv := start(t)
	a := call(t, srv, "", http.MethodGet, "/api/v1/users/"+czertainlytest.AdminUserUUID, nil)
	var u struct {
		Certificate struct{ UUID string } `json:"certificate"`
	}
	a.json(t, &u)
	want(t, "delete", call(t, srv, "", http.MethodDelete, "/api/v1/certificates/"+u.Certificate.UUID, nil), http.StatusUnprocessableEntity)
	if _, st := getCert(t, srv, u.Certificate.UUID); st != http.StatusOK {
		t.Errorf("login certificate gone: %d", st)
	}
}

// ResourceObjectAssociationServiceImpl.java:246, CertificateServiceImpl.java:511-526.
func TestGroupsAreResolved(t *testing.T) {
	srv := start(t)
	id, _ := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "g.example.com", ExpiresIn: 100 * 24 * time.Hour})
	want(t, "unknown group", call(t, srv, "", http.MethodPatch, "/api/v1/certificates/"+id, map[string]any{"groupUuids": []string{unknownGroup}}), http.StatusNotFound)
	want(t, "known group", call(t, srv, "", http.MethodPatch, "/api/v1/certificates/"+id, map[string]any{"groupUuids": []string{czertainlytest.GroupUUID}}), http.StatusNoContent)
	v, _ := getCert(t, srv, id)
	if len(v.Groups) != 1 || v.Groups[0].Name != "operations" {
		t.Errorf("groups %+v", v.Groups)
	}
	want(t, "get unknown group", call(t, srv, "", http.MethodGet, "/api/v1/groups/"+unknownGroup, nil), http.StatusNotFound)
	a := call(t, srv, "", http.MethodPost, "/api/v1/users", map[string]any{"username": "dave", "email": "d@example.com", "groupUuids": []string{unknownGroup}})
	want(t, "user with unknown group", a, http.StatusNotFound)
}

// CertificateControllerImpl.java:118-127, CertificateServiceImpl.java:589.
func TestBulkDeleteRunsInBackground(t *testing.T) {
	srv := start(t)
	id, _ := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "del.example.com", ExpiresIn: 100 * 24 * time.Hour})
	a := call(t, srv, "", http.MethodPost, "/api/v1/certificates/delete", map[string]any{"uuids": []string{id, unknownGroup}})
	want(t, "bulk delete", a, http.StatusOK)
	var r struct {
		Status     string
		FailedItem int
	}
	a.json(t, &r)
	if r.Status != "SUCCESS" || r.FailedItem != 0 {
		t.Errorf("answer %s", a.body)
	}
	if _, st := getCert(t, srv, id); st != http.StatusOK {
		t.Errorf("deleted before the background ran: %d", st)
	}
	if _, st := getCert(t, srv, id); st != http.StatusNotFound {
		t.Errorf("still there after the background ran: %d", st)
	}
}

// ClientOperationServiceImpl.java:737-753 and ActionsListener.java:61-77.
func TestRevocationIsAsynchronous(t *testing.T) {
	srv := start(t)
	id, _ := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "rev.example.com", ExpiresIn: 100 * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID})
	want(t, "revoke", call(t, srv, "", http.MethodPost, plainOps+"/certificates/"+id+"/revoke", map[string]any{"reason": "keyCompromise", "attributes": []any{}}), http.StatusNoContent)
	if v, _ := getCert(t, srv, id); v.State != "issued" {
		t.Errorf("right after the 204: %s", v.State)
	}
	if v, _ := getCert(t, srv, id); v.State != "revoked" {
		t.Errorf("after the background: %s", v.State)
	}

	// Under an approval profile the revocation waits for an approval.
	certUUID, approvalUUID := pendingApproval(t, srv)
	if err := srv.Approve(approvalUUID); err != nil {
		t.Fatal(err)
	}
	srv.RunBackground()
	want(t, "revoke on approval profile", call(t, srv, "", http.MethodPost, approvalOps+"/certificates/"+certUUID+"/revoke", map[string]any{"reason": "unspecified", "attributes": []any{}}), http.StatusNoContent)
	srv.RunBackground()
	if st := srv.CertificateState(certUUID); st != "pending_approval" {
		t.Errorf("revocation under approval: %s", st)
	}
	a := call(t, srv, "", http.MethodGet, "/api/v1/certificates/"+certUUID+"/approvals", nil)
	var l approvalList
	a.json(t, &l)
	if len(l.Approvals) != 2 || l.Approvals[1].ResourceAction != "revoke" || l.Approvals[1].Status != "PENDING" {
		t.Errorf("approvals %s", a.body)
	}
}

// CZERTAINLY-Auth EntityNotUniqueException.cs:8; ExceptionHandlingAdvice.java:447-453.
func TestDuplicateNamesAreEntityNotUnique(t *testing.T) {
	srv := start(t)
	for _, c := range []struct{ path, field string }{{"/api/v1/users", "username"}, {"/api/v1/roles", "name"}} {
		body := map[string]any{c.field: "twice", "email": "t@example.com"}
		want(t, "first", call(t, srv, "", http.MethodPost, c.path, body), http.StatusCreated)
		a := call(t, srv, "", http.MethodPost, c.path, body)
		want(t, "second", a, http.StatusBadRequest)
		var e struct {
			StatusCode int
			Code       string
			Message    string
		}
		a.json(t, &e)
		if a.ctype != "application/problem+json" || e.Code != "ENTITY_NOT_UNIQUE" || e.StatusCode != 400 || !strings.Contains(e.Message, "'twice'") {
			t.Errorf("%s: %s %s", c.path, a.ctype, a.body)
		}
	}
}

// ClientOperationServiceImpl.java:231-238, ExceptionHandlingAdvice.java:420.
func TestConnectorFailureOnSubmitIs400(t *testing.T) {
	srv := start(t)
	srv.WithConnectorDown(1)
	a := call(t, srv, "", http.MethodPost, plainOps+"/certificates", map[string]any{"request": pemCSR(newCSR(t, "down.example.com", nil)), "attributes": []any{}})
	want(t, "issue", a, http.StatusBadRequest)
	if !strings.Contains(string(a.body), `"Failed to submit certificate request: `) {
		t.Errorf("body %s", a.body)
	}
}

func TestDocumentedReads(t *testing.T) {
	srv := start(t)
	for _, p := range []string{"/api/v1/health/liveness", "/api/v1/health/readiness"} {
		a := call(t, srv, "-", http.MethodGet, p, nil)
		if a.status != http.StatusOK || !strings.Contains(string(a.body), `"UP"`) {
			t.Errorf("%s: %d %s", p, a.status, a.body)
		}
	}
	want(t, "anonymous info", call(t, srv, "-", http.MethodGet, "/api/v1/info", nil), http.StatusUnauthorized)
	a := call(t, srv, "", http.MethodGet, "/api/v1/info", nil)
	want(t, "info", a, http.StatusOK)
	for path, wantIn := range map[string]string{
		"/api/v1/authorities": czertainlytest.AuthorityUUID,
		"/api/v1/authorities/" + czertainlytest.AuthorityUUID: czertainlytest.ConnectorUUID,
		"/api/v1/connectors": czertainlytest.ConnectorUUID,
		"/api/v1/connectors/" + czertainlytest.ConnectorUUID: "authorityProvider",
		"/api/v1/groups": czertainlytest.OtherGroupUUID,
		"/api/v1/groups/" + czertainlytest.GroupUUID: "operations",
	} {
		a := call(t, srv, "", http.MethodGet, path, nil)
		if a.status != http.StatusOK || !strings.Contains(string(a.body), wantIn) {
			t.Errorf("%s: %d %s", path, a.status, a.body)
		}
	}
}

// CertificateServiceImpl.java:540-586: 204 at once, applied later.
func TestBulkUpdate(t *testing.T) {
	srv := start(t)
	id, _ := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "bulk.example.com", ExpiresIn: 100 * 24 * time.Hour})
	a := call(t, srv, "", http.MethodPatch, "/api/v1/certificates", map[string]any{"certificateUuids": []string{id},
		"groupUuids": []string{czertainlytest.OtherGroupUUID}, "ownerUuid": czertainlytest.AdminUserUUID})
	want(t, "bulk update", a, http.StatusNoContent)
	srv.RunBackground()
	v, _ := getCert(t, srv, id)
	if v.OwnerUUID != czertainlytest.AdminUserUUID || len(v.Groups) != 1 || v.Groups[0].UUID != czertainlytest.OtherGroupUUID {
		t.Errorf("after bulk update %+v", v)
	}
}

// AuthServiceImpl.java:54-115; Resource.java:20-101.
func TestAuthProfileAndResources(t *testing.T) {
	srv := start(t)
	a := call(t, srv, "", http.MethodGet, "/api/v1/auth/profile", nil)
	var p struct {
		Permissions struct {
			AllowedListings []string `json:"allowedListings"`
		} `json:"permissions"`
	}
	a.json(t, &p)
	if !slices.Contains(p.Permissions.AllowedListings, "certificates") || !slices.Contains(p.Permissions.AllowedListings, "authorities") {
		t.Errorf("profile %s", a.body)
	}
	a = call(t, srv, "", http.MethodGet, "/api/v1/auth/resources", nil)
	var res []struct{ Name string }
	a.json(t, &res)
	names := make([]string, len(res))
	for i, r := range res {
		names[i] = r.Name
	}
	if len(res) != 55 || !slices.Contains(names, "authorities") || !slices.Contains(names, "groups") {
		t.Errorf("%d resources %v", len(res), names)
	}
}

// DataAttributeV2.java:47: version is an integer.
func TestAttributeDefinitions(t *testing.T) {
	srv := start(t)
	for _, kind := range []string{"issue", "revoke"} {
		a := call(t, srv, "", http.MethodGet, plainOps+"/attributes/"+kind, nil)
		var defs []map[string]any
		a.json(t, &defs)
		if len(defs) == 0 {
			t.Fatalf("%s: no attributes", kind)
		}
		if _, ok := defs[0]["version"].(float64); !ok {
			t.Errorf("%s: version %T", kind, defs[0]["version"])
		}
	}
}

// CertificateUtil.java:410-412; X509CertificateValidator.java:186-199.
func TestFactsFromTheCertificate(t *testing.T) {
	srv := start(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	later := selfSigned(t, "later.example.com", key, time.Now().Add(24*time.Hour), time.Now().Add(48*time.Hour))
	a := call(t, srv, "", http.MethodPost, "/api/v1/certificates/upload", map[string]any{"certificate": base64.StdEncoding.EncodeToString(later.Raw), "customAttributes": []any{}})
	want(t, "upload", a, http.StatusCreated)
	var up struct{ UUID string }
	a.json(t, &up)
	v, _ := getCert(t, srv, up.UUID)
	if v.PublicKeyAlgorithm != "RSA" || v.KeySize != 2048 || v.ValidationStatus != "inactive" || v.SignatureAlgorithm != "SHA256withRSA" {
		t.Errorf("facts %+v", v)
	}
	var d struct {
		SubjectType string   `json:"subjectType"`
		KeyUsage    []string `json:"keyUsage"`
	}
	call(t, srv, "", http.MethodGet, "/api/v1/certificates/"+up.UUID, nil).json(t, &d)
	if d.SubjectType != "selfSignedEndEntity" || len(d.KeyUsage) != 0 {
		t.Errorf("detail %+v", d)
	}
}

// A renewal leaves the old certificate issued; its relations and the
// SUCCEEDING_CERTIFICATES filter say it has a successor
// (CertificateServiceImpl.java:1906-1923, 1986-1994; FilterField.java:78).
func TestRelationsAfterRenewal(t *testing.T) {
	srv := start(t, czertainlytest.WithoutSeed())
	old, _ := srv.AddCertificate(czertainlytest.SeedCertificate{CommonName: "renew.example.com", ExpiresIn: 10 * 24 * time.Hour, RAProfileUUID: czertainlytest.RAProfileUUID})
	a := call(t, srv, "", http.MethodPost, plainOps+"/certificates/"+old+"/renew", map[string]any{})
	want(t, "renew", a, http.StatusOK)
	var sub struct{ UUID string }
	a.json(t, &sub)
	readUntil(t, srv, sub.UUID, "issued")
	if v, _ := getCert(t, srv, old); v.State != "issued" {
		t.Errorf("old certificate %s", v.State)
	}
	a = call(t, srv, "", http.MethodGet, "/api/v1/certificates/"+old+"/relations", nil)
	want(t, "relations", a, http.StatusOK)
	var rel struct {
		Successors []struct{ UUID, RelationType string } `json:"successorCertificates"`
	}
	a.json(t, &rel)
	if len(rel.Successors) != 1 || rel.Successors[0].UUID != sub.UUID || rel.Successors[0].RelationType != "renewal" {
		t.Errorf("relations %s", a.body)
	}
	search := func(cond string) []string {
		a := call(t, srv, "", http.MethodPost, "/api/v1/certificates", map[string]any{"itemsPerPage": 100, "pageNumber": 1, "filters": []map[string]any{
			{"fieldSource": "property", "fieldIdentifier": "COMMON_NAME", "condition": "EQUALS", "value": "renew.example.com"},
			{"fieldSource": "property", "fieldIdentifier": "SUCCEEDING_CERTIFICATES", "condition": cond, "value": []string{"renewal"}}}})
		want(t, "search", a, http.StatusOK)
		var page struct{ Certificates []struct{ UUID string } }
		a.json(t, &page)
		var ids []string
		for _, c := range page.Certificates {
			ids = append(ids, c.UUID)
		}
		return ids
	}
	if got := search("EQUALS"); len(got) != 1 || got[0] != old {
		t.Errorf("renewed: %v", got)
	}
	if got := search("NOT_EQUALS"); len(got) != 1 || got[0] != sub.UUID {
		t.Errorf("not renewed: %v", got)
	}
}

// Core's PUT of a user is a replace: a request without the certificate or
// the groups unlinks and clears them (UserManagementServiceImpl.java:167,
// 355-381; CZERTAINLY-Auth UserProfile.cs:17).
func TestUpdateUserClearsWhatItOmits(t *testing.T) {
	srv := start(t)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	crt := selfSigned(t, "erin", key, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	a := call(t, srv, "", http.MethodPost, "/api/v1/users", map[string]any{"username": "erin", "email": "e@example.com", "enabled": true,
		"certificateData": base64.StdEncoding.EncodeToString(crt.Raw), "groupUuids": []string{czertainlytest.GroupUUID}, "customAttributes": []any{}})
	want(t, "create", a, http.StatusCreated)
	var u struct {
		UUID        string
		Certificate *struct{ UUID string } `json:"certificate"`
		Groups      []struct{ UUID string }
	}
	a.json(t, &u)
	if u.Certificate == nil || len(u.Groups) != 1 {
		t.Fatalf("created %s", a.body)
	}
	a = call(t, srv, "", http.MethodPut, "/api/v1/users/"+u.UUID, map[string]any{"email": "e2@example.com", "customAttributes": []any{}})
	want(t, "update", a, http.StatusOK)
	u.Certificate, u.Groups = nil, nil
	a.json(t, &u)
	if u.Certificate != nil || len(u.Groups) != 0 {
		t.Errorf("after a PUT without them: %s", a.body)
	}
}

// Custom attributes of roles and users are stored and replaced by each
// create or update (RoleManagementServiceImpl.java:64, 78; AttributeEngine.java:897).
// The content is boolean: string content matches several of the
// document's oneOf schemas (String, Text, …), a defect of the document.
func TestCustomAttributesReplacedOnUpdate(t *testing.T) {
	srv := start(t)
	attr := map[string]any{"uuid": "0b7c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4", "name": "costCentre", "contentType": "boolean", "version": "v2",
		"content": []map[string]any{{"data": true}}}
	a := call(t, srv, "", http.MethodPost, "/api/v1/roles", map[string]any{"name": "auditors", "customAttributes": []any{attr}})
	want(t, "create role", a, http.StatusCreated)
	var rl struct {
		UUID             string
		CustomAttributes []struct{ Name string } `json:"customAttributes"`
	}
	a.json(t, &rl)
	a = call(t, srv, "", http.MethodGet, "/api/v1/roles/"+rl.UUID, nil)
	rl.CustomAttributes = nil
	a.json(t, &rl)
	if len(rl.CustomAttributes) != 1 || rl.CustomAttributes[0].Name != "costCentre" {
		t.Fatalf("stored %s", a.body)
	}
	a = call(t, srv, "", http.MethodPut, "/api/v1/roles/"+rl.UUID, map[string]any{"name": "auditors", "description": "renamed", "customAttributes": []any{}})
	want(t, "update role", a, http.StatusOK)
	rl.CustomAttributes = nil
	a.json(t, &rl)
	if len(rl.CustomAttributes) != 0 {
		t.Errorf("kept after an update without them: %s", a.body)
	}
}

// The Auth service refuses to change or delete system users and roles
// (CZERTAINLY-Auth UserService.cs:71,79; RoleService.cs:39,47).
func TestSystemUserAndRoleAreProtected(t *testing.T) {
	srv := start(t)
	for _, c := range []struct{ method, path string }{
		{http.MethodPut, "/api/v1/users/" + czertainlytest.AdminUserUUID},
		{http.MethodDelete, "/api/v1/users/" + czertainlytest.AdminUserUUID},
		{http.MethodPut, "/api/v1/roles/" + czertainlytest.SuperadminRoleUUID},
		{http.MethodDelete, "/api/v1/roles/" + czertainlytest.SuperadminRoleUUID},
	} {
		var body any
		if c.method == http.MethodPut {
			body = map[string]any{"name": "x", "email": "x@example.com", "customAttributes": []any{}}
		}
		a := call(t, srv, "", c.method, c.path, body)
		if a.status != http.StatusBadRequest || a.ctype != "application/problem+json" || !strings.Contains(string(a.body), "INVALID_ACTION") {
			t.Errorf("%s %s: %d %s %s", c.method, c.path, a.status, a.ctype, a.body)
		}
	}
}

// ResourceServiceImpl.java:127-131: objects of a resource for role set-up.
func TestResourceObjects(t *testing.T) {
	srv := start(t)
	a := call(t, srv, "", http.MethodGet, "/api/v1/auth/resources/raProfiles/objects", nil)
	want(t, "raProfiles", a, http.StatusOK)
	var objs []struct{ UUID, Name string }
	a.json(t, &objs)
	if len(objs) != 2 || objs[0].UUID != czertainlytest.RAProfileUUID {
		t.Errorf("objects %s", a.body)
	}
	want(t, "not listable", call(t, srv, "", http.MethodGet, "/api/v1/auth/resources/dashboard/objects", nil), http.StatusNotImplemented)
	// A name outside the Resource enum breaks the document too, so it
	// goes to a fake whose violations this test does not fail on.
	other, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	want(t, "no such resource", call(t, other, "", http.MethodGet, "/api/v1/auth/resources/nonsense/objects", nil), http.StatusBadRequest)
	if v := other.VendorViolations(); len(v) != 1 {
		t.Errorf("vendor violations %q", v)
	}
}
