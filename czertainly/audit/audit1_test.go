//go:build audit

package audit_test

// Evidence: /work/shared/reference/czertainly/2.17.0/*.yaml (the vendor's
// OpenAPI documents of 2.17.0) and CZERTAINLY-Core at revision cad4432a
// (cited as Core:<path>:<line>@cad4432a).

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/internal/audit"
)

const (
	czAuthority = "11111111-1111-1111-1111-111111111111"
	czRA        = "22222222-2222-2222-2222-222222222222"
)

type czCert struct {
	UUID      string
	CN        string
	State     string
	NotAfter  time.Time
	Created   int
	DER       []byte
	Source    string
	Successor []string
}

type czUser struct {
	UUID, Username, FirstName, LastName, Email, Description string
	Groups                                                  []string
	CertUUID                                                string
	Custom                                                  []any
}

type czRole struct {
	UUID, Name, Description, Email string
	Custom                         []any
}

type czServer struct {
	t   *testing.T
	ca  *audit.CA
	cnt audit.Counter
	mu  sync.Mutex

	certs   map[string]*czCert
	seq     int
	users   map[string]*czUser
	roles   map[string]*czRole
	bodies  map[string][]map[string]any
	unknown []string

	issueMode    string // "drop", "500"
	renewMode    string // "drop"
	revokeMode   string // "drop"
	chainMode    string // "500"
	finalState   string // state reached after the first GET (default issued)
	pageMode     string // "ignore"
	approvalPage string // "ignore"
}

func newCZ(t *testing.T) (*czServer, *czertainly.Client) {
	s := &czServer{t: t, ca: audit.NewCA(t), certs: map[string]*czCert{}, users: map[string]*czUser{}, roles: map[string]*czRole{}, bodies: map[string][]map[string]any{}, finalState: "issued"}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c, err := czertainly.NewClient(ts.URL, czertainly.WithBearerToken("tok"),
		czertainly.WithPollInterval(5*time.Millisecond), czertainly.WithWaitTimeout(300*time.Millisecond),
		czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func (s *czServer) json(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// 422 ValidationException → bare JSON array (Core:src/main/java/com/czertainly/core/api/ExceptionHandlingAdvice.java:210-215@cad4432a).
func (s *czServer) validation(w http.ResponseWriter, msg string) {
	s.json(w, 422, []string{msg})
}

func (s *czServer) certDTO(c *czCert, detail bool) map[string]any {
	// CertificateDto / CertificateDetailDto (doc-openapi-core-certificate.yaml).
	m := map[string]any{
		"uuid": c.UUID, "commonName": c.CN, "subjectDn": "CN=" + c.CN, "state": c.State,
		"validationStatus": "valid", "publicKeyAlgorithm": "ECDSA", "keySize": 256, "certificateType": "X.509",
		"complianceStatus": "na", "privateKeyAvailability": false, "hybridCertificate": false,
		"raProfile": map[string]any{"uuid": czRA, "name": "ra", "enabled": true, "authorityInstanceUuid": czAuthority},
	}
	if !c.NotAfter.IsZero() {
		m["notAfter"] = c.NotAfter.UTC().Format(time.RFC3339)
		m["notBefore"] = c.NotAfter.Add(-365 * 24 * time.Hour).UTC().Format(time.RFC3339)
	}
	if c.Source != "" {
		m["sourceCertificateUuid"] = c.Source
	}
	if detail && len(c.DER) > 0 && (c.State == "issued" || c.State == "revoked") {
		m["certificateContent"] = base64.StdEncoding.EncodeToString(c.DER)
	}
	return m
}

func (s *czServer) newCert(cn string, csrDER []byte, source string) *czCert {
	s.seq++
	c := &czCert{UUID: uuid.NewString(), CN: cn, State: "requested", Created: s.seq, Source: source}
	if len(csrDER) > 0 {
		csr, err := x509.ParseCertificateRequest(csrDER)
		if err != nil {
			s.t.Errorf("CSR not PKCS#10 DER: %v", err)
		} else {
			crt := s.ca.Issue(s.t, csr.PublicKey, csr.Subject.CommonName)
			c.DER = crt.Raw
			c.NotAfter = crt.NotAfter
			c.CN = csr.Subject.CommonName
		}
	}
	s.certs[c.UUID] = c
	return c
}

func (s *czServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Context path /api: vendor-notes.md §1 (server.servlet.context-path=/api).
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		s.json(w, 404, map[string]string{"message": "No handler"})
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/api")
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &body); err != nil {
			s.t.Errorf("%s %s: the body is not JSON: %v", r.Method, r.URL.Path, err)
		}
	}
	seg := strings.Split(strings.Trim(p, "/"), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.Method + " " + p
	for _, c := range s.certs {
		key = strings.ReplaceAll(key, c.UUID, "{c}")
	}
	for _, u := range s.users {
		key = strings.ReplaceAll(key, u.UUID, "{u}")
	}
	key = strings.ReplaceAll(strings.ReplaceAll(key, czAuthority, "{a}"), czRA, "{r}")
	s.cnt.Inc(key)
	s.bodies[key] = append(s.bodies[key], body)
	ops := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates"
	switch {
	case r.Method == "POST" && p == ops:
		// Issue: doc-openapi-core-client-operations-v2.yaml "Issue Certificate" →
		// 200 ClientCertificateDataResponseDto {uuid, certificateData:""};
		// Core:src/main/java/com/czertainly/core/service/v2/impl/ClientOperationServiceImpl.java:207@cad4432a.
		der, _ := base64.StdEncoding.DecodeString(fmt.Sprint(body["request"]))
		c := s.newCert("", der, "")
		switch s.issueMode {
		case "drop":
			audit.DropConn(w)
			return
		case "500":
			s.json(w, 500, map[string]string{"message": "Internal server error."})
			return
		}
		s.json(w, 200, map[string]any{"uuid": c.UUID, "certificateData": ""})
	case r.Method == "POST" && strings.HasPrefix(p, ops+"/") && strings.HasSuffix(p, "/renew"):
		// Renew: ClientOperationServiceImpl.java:407-459@cad4432a. The old
		// certificate must be ISSUED (validateOldCertificateForOperation,
		// :814-830); a new certificate is submitted with sourceCertificateUuid
		// = old; the old one stays ISSUED (nothing in renew changes it).
		old := s.certs[seg[len(seg)-2]]
		if old == nil {
			s.json(w, 404, map[string]string{"message": "Certificate not found"})
			return
		}
		if old.State != "issued" {
			s.validation(w, "Cannot perform operation renew on certificate in state "+old.State)
			return
		}
		crt := s.ca.Issue(s.t, s.ca.Key.Public(), old.CN)
		s.seq++
		nc := &czCert{UUID: uuid.NewString(), CN: old.CN, State: "requested", Created: s.seq, Source: old.UUID, DER: crt.Raw, NotAfter: crt.NotAfter}
		s.certs[nc.UUID] = nc
		old.Successor = append(old.Successor, nc.UUID)
		if s.renewMode == "drop" {
			audit.DropConn(w)
			return
		}
		s.json(w, 200, map[string]any{"uuid": nc.UUID, "certificateData": ""})
	case r.Method == "POST" && strings.HasPrefix(p, ops+"/") && strings.HasSuffix(p, "/revoke"):
		if s.revokeMode == "drop" {
			audit.DropConn(w)
			return
		}
		w.WriteHeader(204) // doc-openapi-core-client-operations-v2.yaml revoke → 204
	case r.Method == "POST" && p == "/v1/certificates":
		s.search(w, body)
	case r.Method == "GET" && len(seg) == 3 && seg[0] == "v1" && seg[1] == "certificates":
		c := s.certs[seg[2]]
		if c == nil {
			s.json(w, 404, map[string]string{"message": "Certificate not found"})
			return
		}
		if c.State == "requested" {
			c.State = s.finalState // the authority acts in the background
		}
		s.json(w, 200, s.certDTO(c, true))
	case r.Method == "GET" && len(seg) >= 4 && seg[1] == "certificates" && seg[3] == "chain":
		c := s.certs[seg[2]]
		if c == nil {
			s.json(w, 404, map[string]string{"message": "Certificate not found"})
			return
		}
		if s.chainMode == "nocontent" && len(seg) == 5 {
			// an answer without the required "content" member of
			// CertificateChainDownloadResponseDto (doc-openapi-core-certificate.yaml:4255-4259)
			s.json(w, 200, map[string]any{"format": seg[4], "encoding": "pem", "completeChain": true})
			return
		}
		if s.chainMode == "500" {
			s.json(w, 500, map[string]string{"message": "Internal server error."})
			return
		}
		if len(seg) == 5 {
			// GET /v1/certificates/{uuid}/chain/{certificateFormat}?encoding →
			// CertificateChainDownloadResponseDto {format, encoding, content,
			// completeChain} (doc-openapi-core-certificate.yaml:1043, :4240);
			// raw+pem content is base64 of the PEM text
			// (Core:src/main/java/com/czertainly/core/service/impl/CertificateServiceImpl.java:923-945@cad4432a).
			var pemText []byte
			if r.URL.Query().Get("withEndCertificate") == "true" {
				pemText = append(pemText, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})...)
			}
			pemText = append(pemText, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.Cert.Raw})...)
			s.json(w, 200, map[string]any{"format": seg[4], "encoding": r.URL.Query().Get("encoding"), "completeChain": true,
				"content": base64.StdEncoding.EncodeToString(pemText)})
			return
		}
		list := []any{}
		if r.URL.Query().Get("withEndCertificate") == "true" {
			list = append(list, s.certDTO(c, true))
		}
		caC := &czCert{UUID: uuid.NewString(), CN: "Audit Root", State: "issued", DER: s.ca.Cert.Raw, NotAfter: s.ca.Cert.NotAfter}
		list = append(list, s.certDTO(caC, true))
		s.json(w, 200, map[string]any{"completeChain": true, "certificates": list})
	case r.Method == "GET" && len(seg) == 4 && seg[1] == "certificates" && seg[3] == "relations":
		// GET /v1/certificates/{uuid}/relations → CertificateRelationsDto
		// (doc-openapi-core-certificate.yaml:891, :4082).
		c := s.certs[seg[2]]
		if c == nil {
			s.json(w, 404, map[string]string{"message": "Certificate not found"})
			return
		}
		succ := []any{}
		for _, id := range c.Successor {
			n := s.certs[id]
			rel := "pending"
			if n.State == "issued" {
				rel = "renewal"
			}
			succ = append(succ, map[string]any{"uuid": n.UUID, "certificateType": "X.509", "state": n.State, "relationType": rel, "commonName": n.CN, "subjectDn": "CN=" + n.CN, "publicKeyAlgorithm": "ECDSA"})
		}
		pred := []any{}
		if c.Source != "" {
			pred = append(pred, map[string]any{"uuid": c.Source, "certificateType": "X.509", "state": "issued", "relationType": "renewal", "commonName": c.CN, "subjectDn": "CN=" + c.CN, "publicKeyAlgorithm": "ECDSA"})
		}
		s.json(w, 200, map[string]any{"certificateUuid": c.UUID, "successorCertificates": succ, "predecessorCertificates": pred})
	case r.Method == "PATCH" && len(seg) == 4 && seg[1] == "approvals" && seg[3] == "approve":
		// doc-openapi-core-approval.yaml:397 PATCH /v1/approvals/{uuid}/approve → 204.
		if s.revokeMode == "drop" {
			audit.DropConn(w)
			return
		}
		w.WriteHeader(204)
	case r.Method == "GET" && p == "/v1/approvals":
		s.approvals(w, r)
	case len(seg) == 3 && seg[1] == "users":
		u := s.users[seg[2]]
		if u == nil {
			s.json(w, 404, map[string]string{"message": "User not found"})
			return
		}
		if r.Method == "PUT" {
			// Core:src/main/java/com/czertainly/core/service/impl/UserManagementServiceImpl.java:351-383@cad4432a
			// builds a fresh UserUpdateRequestDto: description, email,
			// firstName, lastName copied as they are (:364-367); groups only
			// when groupUuids is given (:369), else unset; certificate only
			// when certificateUuid/certificateData is given (:354-361), and
			// the old certificate-user link is removed (:380). CZERTAINLY-Auth
			// maps the whole DTO onto the user (Auth@119efad
			// src/Czertainly.Auth/Common/Services/CrudService.cs:56-62,
			// Models/Mappings/UserProfile.cs:17; UserUpdateRequestDto.cs
			// Groups default empty list), so unset means cleared. Custom
			// attributes are replaced by the request's, null = none
			// (Core:src/main/java/com/czertainly/core/attribute/engine/AttributeEngine.java:894-907@cad4432a;
			// UserManagementServiceImpl.java:168).
			str := func(k string) string { v, _ := body[k].(string); return v }
			u.Description, u.Email, u.FirstName, u.LastName = str("description"), str("email"), str("firstName"), str("lastName")
			if g, ok := body["groupUuids"].([]any); ok {
				u.Groups = nil
				for _, x := range g {
					u.Groups = append(u.Groups, fmt.Sprint(x))
				}
			} else {
				u.Groups = nil
			}
			if cu := str("certificateUuid"); cu != "" {
				u.CertUUID = cu
			} else if str("certificateData") != "" {
				u.CertUUID = "uploaded"
			} else {
				u.CertUUID = ""
			}
			u.Custom, _ = body["customAttributes"].([]any)
		}
		groups := []any{}
		for _, g := range u.Groups {
			groups = append(groups, map[string]any{"uuid": g, "name": "group-" + g[:4]})
		}
		out := map[string]any{"uuid": u.UUID, "username": u.Username, "firstName": u.FirstName, "lastName": u.LastName,
			"email": u.Email, "description": u.Description, "groups": groups, "enabled": true, "systemUser": false, "roles": []any{}, "customAttributes": czRespAttrs(u.Custom)}
		if u.CertUUID != "" {
			out["certificate"] = map[string]any{"uuid": u.CertUUID, "fingerprint": "ab12"}
		}
		s.json(w, 200, out)
	case len(seg) == 3 && seg[1] == "roles":
		ro := s.roles[seg[2]]
		if ro == nil {
			s.json(w, 404, map[string]string{"message": "Role not found"})
			return
		}
		if r.Method == "PUT" {
			// Core:src/main/java/com/czertainly/core/service/impl/RoleManagementServiceImpl.java:70-80@cad4432a:
			// name, description, email copied; custom attributes replaced by
			// the request's (AttributeEngine.java:894-907, null = none);
			// Auth maps the DTO onto the role (CrudService.cs:56-62,
			// RoleProfile.cs:13).
			str := func(k string) string { v, _ := body[k].(string); return v }
			ro.Name, ro.Description, ro.Email = str("name"), str("description"), str("email")
			ro.Custom, _ = body["customAttributes"].([]any)
		}
		s.json(w, 200, map[string]any{"uuid": ro.UUID, "name": ro.Name, "description": ro.Description, "email": ro.Email, "systemRole": false, "users": []any{}, "customAttributes": czRespAttrs(ro.Custom)})
	default:
		s.unknown = append(s.unknown, r.Method+" "+r.URL.RequestURI())
		s.json(w, 404, map[string]string{"message": "No handler found for " + r.Method + " " + p})
	}
}

// search implements POST /v1/certificates (doc-openapi-core-certificate.yaml:25;
// CertificateSearchRequestDto :1305, pageNumber from 1, itemsPerPage ≤ 1000;
// CertificateResponseDto :1759). Newest first. Filters: state and notAfter
// are honoured loosely; any other filter is logged.
func (s *czServer) search(w http.ResponseWriter, body map[string]any) {
	var list []*czCert
	for _, c := range s.certs {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Created > list[j].Created })
	filters, _ := body["filters"].([]any)
	for _, f := range filters {
		fm := f.(map[string]any)
		id := fmt.Sprint(fm["fieldIdentifier"])
		switch id {
		case "CERTIFICATE_STATE":
			want := fmt.Sprint(fm["value"])
			var keep []*czCert
			for _, c := range list {
				if strings.Contains(want, c.State) {
					keep = append(keep, c)
				}
			}
			list = keep
		case "NOT_AFTER":
			// FilterExpiresWithin: IN_NEXT with an ISO-8601 duration; the
			// stand-in keeps certificates expiring within 60 days.
			var keep []*czCert
			for _, c := range list {
				if !c.NotAfter.IsZero() && c.NotAfter.Before(time.Now().Add(60*24*time.Hour)) {
					keep = append(keep, c)
				}
			}
			list = keep
		default:
			s.t.Logf("search filter not modelled: %v", fm)
		}
	}
	per := 10
	if v, ok := body["itemsPerPage"].(float64); ok {
		per = int(v)
	}
	page := 1
	if v, ok := body["pageNumber"].(float64); ok {
		page = int(v)
	}
	if s.pageMode == "ignore" {
		page = 1 // misbehaving server: pageNumber ignored
	}
	total := len(list)
	pages := (total + per - 1) / per
	from := (page - 1) * per
	out := []any{}
	for i := from; i < from+per && i < total; i++ {
		out = append(out, s.certDTO(list[i], false))
	}
	s.json(w, 200, map[string]any{"certificates": out, "itemsPerPage": per, "pageNumber": page, "totalPages": pages, "totalItems": total})
}

// approvals: GET /v1/approvals?itemsPerPage&pageNumber → ApprovalResponseDto
// (doc-openapi-core-approval.yaml:611, :1121).
func (s *czServer) approvals(w http.ResponseWriter, r *http.Request) {
	per, _ := strconv.Atoi(r.URL.Query().Get("itemsPerPage"))
	if per == 0 {
		per = 10
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("pageNumber"))
	if page == 0 {
		page = 1
	}
	if s.approvalPage == "ignore" {
		page = 1
	}
	total := 25
	out := []any{}
	for i := (page - 1) * per; i < page*per && i < total; i++ {
		out = append(out, map[string]any{"approvalUuid": fmt.Sprintf("00000000-0000-0000-0000-%012d", i), "creatorUuid": czAuthority, "version": 1,
			"createdAt": "2026-01-01T00:00:00Z", "expiryAt": "2026-02-01T00:00:00Z", "status": "PENDING", "resource": "certificates",
			"resourceAction": "issue", "objectUuid": czRA, "approvalProfileName": "p", "approvalProfileUuid": czRA})
	}
	s.json(w, 200, map[string]any{"approvals": out, "itemsPerPage": per, "pageNumber": page, "totalPages": (total + per - 1) / per, "totalItems": total})
}

var czProfile = czertainly.Profile{AuthorityUUID: czAuthority, RAProfileUUID: czRA}

func (s *czServer) logUnknown(t *testing.T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.unknown {
		t.Logf("stand-in had no handler for %s", u)
	}
}

// Happy path and request shape (ClientCertificateSignRequestDto,
// doc-openapi-core-client-operations-v2.yaml:986: request = base64 CSR,
// format default pkcs10).
func TestCZ_Enroll_RequestShape(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	e, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"www.example.com"}})
	if err != nil {
		t.Fatalf("enroll: %v", err)
	}
	if e.Key == nil || e.Leaf == nil {
		t.Fatal("no key or leaf")
	}
	b := s.bodies["POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"]
	if len(b) != 1 {
		t.Fatalf("issue calls: %d", len(b))
	}
	if _, err := base64.StdEncoding.DecodeString(fmt.Sprint(b[0]["request"])); err != nil {
		t.Errorf("request not base64: %v", b[0]["request"])
	}
	if f, ok := b[0]["format"]; ok && f != "pkcs10" {
		t.Errorf("format %v", f)
	}
}

// Invariants "nothing issued twice" and "issued material never lost": the
// issue call's answer is lost after Core may have created and queued the
// certificate (ClientOperationServiceImpl.java:207@cad4432a). It must not be
// resent, and since Enroll generated the key, the error must hand back that
// key (the only public carrier of a generated key in an error is
// PendingError.Key) so a certificate Core issues can still be used.
func TestCZ_Enroll_IssueDropped_NoResend_KeyKept(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.issueMode = "drop"
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"www.example.com"}})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Fatalf("want ErrOutcomeUnknown, got %v", err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || pe.Key == nil {
		t.Errorf("generated private key not returned with the unknown outcome (err %T: %v)", err, err)
	}
}

// Issued material never lost: the certificate is issued, then the chain
// download fails (500). The error must carry the key (and the certificate
// UUID) — here through a *PendingError, the type ResumeEnrollment takes.
func TestCZ_Enroll_ChainFails_MaterialInError(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.chainMode = "500"
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"www.example.com"}})
	if err == nil {
		t.Fatal("no error")
	}
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || pe.Key == nil || pe.CertificateUUID == "" {
		t.Errorf("issued certificate's key not in error: %T %v", err, err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
}

// Approval: a certificate waits in pending_approval (CertificateState enum,
// doc-openapi-core-certificate.yaml:1789); the wait ends with ErrApprovalPending
// holding the key; ResumeEnrollment must not issue again.
func TestCZ_Enroll_PendingApproval_Resume(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.finalState = "pending_approval"
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"a.example.com"}})
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || !errors.Is(err, czertainly.ErrApprovalPending) || pe.Key == nil {
		t.Fatalf("want PendingError(ErrApprovalPending) with key, got %v", err)
	}
	s.mu.Lock()
	s.certs[pe.CertificateUUID].State = "issued"
	s.mu.Unlock()
	e, err := c.ResumeEnrollment(context.Background(), pe)
	if err != nil || e.Leaf == nil {
		t.Fatalf("resume: %v", err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
}

// Invariant "re-running a renewal renews nothing new". Core renews any
// ISSUED certificate (ClientOperationServiceImpl.java:814-830@cad4432a checks
// only archived/state/RA profile) and leaves the old certificate ISSUED; the
// new one carries sourceCertificateUuid and a relation
// (doc-openapi-core-certificate.yaml:891 GET /v1/certificates/{uuid}/relations,
// successorCertificates; FilterField.SUCCEEDING_CERTIFICATES,
// Core:src/main/java/com/czertainly/core/enums/FilterField.java:78@cad4432a).
// A second RenewExpiring run must therefore send no renewal for a certificate
// that already has a successor.
func TestCZ_RenewExpiring_Rerun_RenewsNothingNew(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.mu.Lock()
	crt := s.ca.Issue(t, s.ca.Key.Public(), "old.example.com")
	s.seq++
	old := &czCert{UUID: uuid.NewString(), CN: "old.example.com", State: "issued", NotAfter: time.Now().Add(5 * 24 * time.Hour), Created: s.seq, DER: crt.Raw}
	s.certs[old.UUID] = old
	s.mu.Unlock()
	rep1, err := c.RenewExpiring(context.Background(), czertainly.RenewExpiringInput{Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	key := "POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates/{c}/renew"
	n1 := s.cnt.Get(key)
	if n1 != 1 {
		t.Fatalf("first run renewed %d (report %+v)", n1, rep1.Results)
	}
	// the renewed certificate is issued by now; the old one is still issued
	s.mu.Lock()
	for _, cc := range s.certs {
		if cc.Source == old.UUID {
			cc.State = "issued"
			cc.NotAfter = time.Now().Add(365 * 24 * time.Hour)
		}
	}
	s.mu.Unlock()
	_, err = c.RenewExpiring(context.Background(), czertainly.RenewExpiringInput{Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.cnt.Get(key); n != n1 {
		t.Errorf("re-run sent %d more renewal(s) for a certificate already renewed", n-n1)
	}
}

// A renewal whose answer is lost is not resent and is reported unknown.
func TestCZ_RenewExpiring_Dropped_Unknown(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.renewMode = "drop"
	s.mu.Lock()
	crt := s.ca.Issue(t, s.ca.Key.Public(), "old.example.com")
	s.seq++
	old := &czCert{UUID: uuid.NewString(), CN: "old.example.com", State: "issued", NotAfter: time.Now().Add(5 * 24 * time.Hour), Created: s.seq, DER: crt.Raw}
	s.certs[old.UUID] = old
	s.mu.Unlock()
	rep, err := c.RenewExpiring(context.Background(), czertainly.RenewExpiringInput{Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates/{c}/renew"); n != 1 {
		t.Errorf("renew sent %d times", n)
	}
	if len(rep.Unknown()) != 1 {
		t.Errorf("unknown: %+v", rep.Results)
	}
}

// Lists bounded: a server that ignores pageNumber and answers page 1 again
// must end the iteration with an error, without duplicates, in a bounded
// number of requests (CertificateSearchRequestDto pageNumber,
// doc-openapi-core-certificate.yaml:1319).
func TestCZ_ListCertificates_IgnoredPageNumber(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.pageMode = "ignore"
	s.mu.Lock()
	for i := 0; i < 25; i++ {
		s.seq++
		u := uuid.NewString()
		s.certs[u] = &czCert{UUID: u, CN: fmt.Sprintf("c%d", i), State: "issued", Created: s.seq, NotAfter: time.Now().Add(time.Hour)}
	}
	s.mu.Unlock()
	seen := map[string]bool{}
	var gotErr error
	n := 0
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for crt, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{PageSize: 10}) {
		if err != nil {
			gotErr = err
			break
		}
		if seen[crt.UUID] {
			t.Errorf("duplicate %s", crt.UUID)
		}
		seen[crt.UUID] = true
		if n++; n > 100 {
			t.Fatal("unbounded")
		}
	}
	if gotErr == nil {
		t.Errorf("no error for a server that ignores pageNumber (yielded %d of 25)", len(seen))
	}
	if calls := s.cnt.Get("POST /v1/certificates"); calls > 4 {
		t.Errorf("%d search calls", calls)
	}
	t.Logf("err: %v", gotErr)
}

// Lists bounded for approvals (GET /v1/approvals pageNumber,
// doc-openapi-core-approval.yaml:611).
func TestCZ_ListApprovals_IgnoredPageNumber(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.approvalPage = "ignore"
	seen := map[string]bool{}
	var gotErr error
	n := 0
	for a, err := range c.ListApprovals(context.Background(), czertainly.ApprovalQuery{PageSize: 10}) {
		if err != nil {
			gotErr = err
			break
		}
		if seen[a.UUID] {
			t.Errorf("duplicate %s", a.UUID)
		}
		seen[a.UUID] = true
		if n++; n > 100 {
			t.Fatal("unbounded")
		}
	}
	if gotErr == nil {
		t.Errorf("no error for a server that ignores pageNumber (yielded %d of 25)", len(seen))
	}
	t.Logf("err: %v, calls %d", gotErr, s.cnt.Get("GET /v1/approvals"))
}

// Invariant "updates never clear untouched fields": Core's user update copies
// description, email, firstName and lastName from the request
// (UserManagementServiceImpl.java:364-367@cad4432a), so a field not sent is
// cleared. Changing only the e-mail must keep the names (read-merge-send-all)
// or be refused before anything is sent.
func TestCZ_UpdateUser_KeepsUntouchedFields(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	u := &czUser{UUID: uuid.NewString(), Username: "jdoe", FirstName: "Jane", LastName: "Doe", Email: "old@example.com", Description: "ops"}
	s.users[u.UUID] = u
	_, err := c.UpdateUser(context.Background(), u.UUID, czertainly.UserInput{Email: "new@example.com"})
	if err != nil {
		if s.cnt.Get("PUT /v1/users/{u}") == 0 {
			t.Logf("refused before sending: %v", err)
			return
		}
		t.Fatalf("update: %v", err)
	}
	if u.FirstName != "Jane" || u.LastName != "Doe" || u.Description != "ops" {
		t.Errorf("untouched fields cleared: first=%q last=%q desc=%q", u.FirstName, u.LastName, u.Description)
	}
}

// Error mapping (ExceptionHandlingAdvice.java@cad4432a): 409 AlreadyExist
// (:100), 422 ValidationException as a JSON array (:210), 502
// ConnectorServerException (:257), 503 ConnectorCommunicationException
// (:289), 403 application/problem+json (:367), 404 NotFound (:47).
func TestCZ_ErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		code int
		ct   string
		body string
		want error
	}{
		{409, "application/json", `{"message":"User jdoe already exists"}`, czertainly.ErrConflict},
		{422, "application/json", `["Cannot perform operation renew on certificate in state revoked"]`, czertainly.ErrValidation},
		{502, "application/json", `{"message":"Connector error"}`, czertainly.ErrConnector},
		{503, "application/json", `{"message":"Connector unreachable"}`, czertainly.ErrConnector},
		{403, "application/problem+json", `{"statusCode":403,"code":"ACCESS_DENIED","message":"Access Denied"}`, czertainly.ErrForbidden},
		{404, "application/json", `{"message":"Certificate not found"}`, czertainly.ErrNotFound},
	} {
		t.Run(strconv.Itoa(tc.code), func(t *testing.T) {
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ct)
				w.WriteHeader(tc.code)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer ts.Close()
			c, _ := czertainly.NewClient(ts.URL, czertainly.WithBearerToken("t"), czertainly.WithMaxAttempts(1))
			_, err := c.GetCertificate(context.Background(), uuid.NewString())
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			var ae *czertainly.Error
			if tc.code == 422 && errors.As(err, &ae) && len(ae.Details) != 1 {
				t.Errorf("422 details %v", ae.Details)
			}
		})
	}
}

// Revoke answer lost: never resent (doc says revoke → 204 async).
func TestCZ_Revoke_Dropped_NoResend(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	s.revokeMode = "drop"
	id := uuid.NewString()
	err := c.RevokeCertificate(context.Background(), czertainly.RevokeInput{Profile: czProfile, CertificateUUID: id})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("want ErrOutcomeUnknown, got %v", err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates/" + id + "/revoke"); n != 1 {
		t.Errorf("revoke sent %d times", n)
	}
}

func czRespAttrs(in []any) []any {
	out := []any{}
	for _, a := range in {
		m, _ := a.(map[string]any)
		if m == nil {
			continue
		}
		out = append(out, map[string]any{"uuid": m["uuid"], "name": m["name"], "label": m["name"], "type": "custom", "contentType": m["contentType"], "content": m["content"]})
	}
	return out
}

var czCustomAttr = map[string]any{"uuid": "33333333-3333-3333-3333-333333333333", "name": "costCenter", "contentType": "string", "version": "v2", "content": []any{map[string]any{"data": "CC-42"}}}

// Invariant "updates never clear untouched fields" beyond the names: Core's
// user update also drops the groups, the certificate binding and the custom
// attributes the request does not carry (see the stand-in's PUT /v1/users).
// Changing only the e-mail must keep them all.
func TestCZ_UpdateUser_KeepsGroupsCertificateAttributes(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	u := &czUser{UUID: uuid.NewString(), Username: "jdoe", FirstName: "Jane", LastName: "Doe", Email: "old@example.com", Description: "ops",
		Groups: []string{"44444444-4444-4444-4444-444444444444"}, CertUUID: "55555555-5555-5555-5555-555555555555", Custom: []any{czCustomAttr}}
	s.users[u.UUID] = u
	_, err := c.UpdateUser(context.Background(), u.UUID, czertainly.UserInput{Email: "new@example.com"})
	if err != nil {
		if s.cnt.Get("PUT /v1/users/{u}") == 0 {
			t.Logf("refused before sending: %v", err)
			return
		}
		t.Fatalf("update: %v", err)
	}
	if len(u.Groups) != 1 || u.CertUUID != "55555555-5555-5555-5555-555555555555" || len(u.Custom) != 1 {
		t.Errorf("untouched links cleared: groups=%v cert=%q custom=%v; body %v", u.Groups, u.CertUUID, u.Custom, s.bodies["PUT /v1/users/{u}"])
	}
}

// Role update: RoleManagementServiceImpl.java:70-80@cad4432a replaces
// description and email and the custom attributes; RoleInput cannot even
// carry custom attributes. Changing the e-mail must keep the description and
// the custom attributes.
func TestCZ_UpdateRole_KeepsUntouchedFields(t *testing.T) {
	s, c := newCZ(t)
	defer s.logUnknown(t)
	ro := &czRole{UUID: uuid.NewString(), Name: "operators", Description: "day shift", Email: "ops@example.com", Custom: []any{czCustomAttr}}
	s.roles[ro.UUID] = ro
	_, err := c.UpdateRole(context.Background(), ro.UUID, czertainly.RoleInput{Name: "operators", Email: "ops2@example.com"})
	if err != nil {
		if s.cnt.Get("PUT /v1/roles/"+ro.UUID) == 0 {
			t.Logf("refused before sending: %v", err)
			return
		}
		t.Fatalf("update: %v", err)
	}
	if ro.Description != "day shift" || len(ro.Custom) != 1 {
		t.Errorf("untouched fields cleared: description=%q custom=%v", ro.Description, ro.Custom)
	}
}

// Terminal states (CertificateState enum, doc-openapi-core-certificate.yaml:1789):
// failed → ErrIssueFailed, rejected → ErrRejected, as a *StateError.
func TestCZ_Enroll_TerminalStates(t *testing.T) {
	for _, tc := range []struct {
		state string
		want  error
	}{{"failed", czertainly.ErrIssueFailed}, {"rejected", czertainly.ErrRejected}} {
		t.Run(tc.state, func(t *testing.T) {
			s, c := newCZ(t)
			s.finalState = tc.state
			_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"a.example.com"}})
			var se *czertainly.StateError
			if !errors.Is(err, tc.want) || !errors.As(err, &se) {
				t.Errorf("got %v", err)
			}
			if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"); n != 1 {
				t.Errorf("issue sent %d times", n)
			}
		})
	}
}

// Issue answered 500 (ExceptionHandlingAdvice.java:494@cad4432a, the generic
// handler): Core may already have created the certificate (issueCertificate
// persists it before the authority acts, ClientOperationServiceImpl.java:207-270);
// the POST must not be repeated.
func TestCZ_Enroll_Issue500_NoResend(t *testing.T) {
	s, c := newCZ(t)
	s.issueMode = "500"
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"a.example.com"}})
	if err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
	var pe *czertainly.PendingError
	t.Logf("err %T %v (key kept: %v)", err, err, errors.As(err, &pe) && pe.Key != nil)
}

// 422 from MethodArgumentNotValidException is an ErrorMessageDto object, not
// an array (ExceptionHandlingAdvice.java:108-120@cad4432a): still ErrValidation.
func TestCZ_422ObjectShape(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(422)
		_, _ = io.WriteString(w, `{"message":"Validation failed: email must not be null"}`)
	}))
	defer ts.Close()
	c, _ := czertainly.NewClient(ts.URL, czertainly.WithBearerToken("t"), czertainly.WithMaxAttempts(1))
	_, err := c.GetCertificate(context.Background(), uuid.NewString())
	if !errors.Is(err, czertainly.ErrValidation) {
		t.Errorf("got %v", err)
	}
}

// itemsPerPage maximum 1000 (doc-openapi-core-certificate.yaml:1313-1318):
// a larger page size is refused before sending.
func TestCZ_ListCertificates_PageSizeOver1000(t *testing.T) {
	s, c := newCZ(t)
	for _, err := range c.ListCertificates(context.Background(), czertainly.CertificateQuery{PageSize: 1001}) {
		if !errors.Is(err, czertainly.ErrInvalidInput) {
			t.Errorf("got %v", err)
		}
		break
	}
	if s.cnt.Get("POST /v1/certificates") != 0 {
		t.Error("sent")
	}
}

// Approve (doc-openapi-core-approval.yaml:397, PATCH → 204): a lost answer is
// not resent (SDK doc: "not repeated once it may have reached the server").
func TestCZ_ApproveApproval_Dropped_NoResend(t *testing.T) {
	s, c := newCZ(t)
	id := uuid.NewString()
	if err := c.ApproveApproval(context.Background(), id); err != nil {
		t.Fatalf("approve: %v", err)
	}
	s.revokeMode = "drop"
	if err := c.ApproveApproval(context.Background(), id); err == nil {
		t.Fatal("no error")
	}
	if n := s.cnt.Get("PATCH /v1/approvals/" + id + "/approve"); n != 2 {
		t.Errorf("approve sent %d times, want 2 (one per call)", n)
	}
}

// CertificateChainDownloadResponseDto requires content
// (doc-openapi-core-certificate.yaml:4255-4259). An answer without it is not
// the documented one: Enroll must not report success with an empty chain.
func TestCZ_Enroll_ChainWithoutContent_NotSilent(t *testing.T) {
	s, c := newCZ(t)
	s.chainMode = "nocontent"
	e, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, DNSNames: []string{"a.example.com"}})
	if err == nil {
		t.Errorf("success with chain of %d certificates from an answer without content", len(e.Chain))
	}
}

// Single-certificate renew whose answer is lost (Core may have created the
// new certificate, ClientOperationServiceImpl.java:407-459@cad4432a): sent
// once and reported as ErrOutcomeUnknown.
func TestCZ_RenewCertificate_Dropped_Unknown(t *testing.T) {
	s, c := newCZ(t)
	s.renewMode = "drop"
	s.mu.Lock()
	crt := s.ca.Issue(t, s.ca.Key.Public(), "old.example.com")
	s.seq++
	old := &czCert{UUID: uuid.NewString(), CN: "old.example.com", State: "issued", NotAfter: crt.NotAfter, Created: s.seq, DER: crt.Raw}
	s.certs[old.UUID] = old
	s.mu.Unlock()
	_, err := c.RenewCertificate(context.Background(), czertainly.RenewInput{Profile: czProfile, CertificateUUID: old.UUID})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("want ErrOutcomeUnknown, got %v", err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates/{c}/renew"); n != 1 {
		t.Errorf("renew sent %d times", n)
	}
}

// Direct IssueCertificate whose answer is lost: sent once, ErrOutcomeUnknown
// (the sentinel's doc names issue, renew, rekey, revoke).
func TestCZ_IssueCertificate_Dropped_Unknown(t *testing.T) {
	s, c := newCZ(t)
	s.issueMode = "drop"
	k := audit.NewCA(t).Key
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "x"}}, k)
	_, err := c.IssueCertificate(context.Background(), czertainly.IssueInput{Profile: czProfile, CSR: csr})
	if !errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("want ErrOutcomeUnknown, got %v", err)
	}
	if n := s.cnt.Get("POST /v2/operations/authorities/{a}/raProfiles/{r}/certificates"); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
}
