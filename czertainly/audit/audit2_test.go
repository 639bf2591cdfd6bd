//go:build audit

package audit_test

// Audit 2 probes of czertainly. Evidence: the vendor's OpenAPI documents of
// 2.17.0 under /work/shared/reference/czertainly/2.17.0 (cited by file:line)
// and CZERTAINLY-Core at cad4432a (cited Core:<path>:<line>@cad4432a).

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	b64 "encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/internal/audit"
)

type a2rec struct {
	mu   sync.Mutex
	reqs []audit.Request
}

func (r *a2rec) add(q audit.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, q)
	r.mu.Unlock()
}

func (r *a2rec) all() []audit.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]audit.Request(nil), r.reqs...)
}

func (r *a2rec) count(method, pathSuffix string) int {
	n := 0
	for _, q := range r.all() {
		if q.Method == method && strings.HasSuffix(q.Path, pathSuffix) {
			n++
		}
	}
	return n
}

// a2cz starts a stand-in whose handler h gets the path without Core's
// context path /api (vendor-notes.md §1: server.servlet.context-path=/api).
func a2cz(t *testing.T, h func(w http.ResponseWriter, q audit.Request), opts ...czertainly.Option) (*czertainly.Client, *a2rec) {
	t.Helper()
	rec := &a2rec{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		q := audit.Request{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, "/api"), Query: r.URL.RawQuery, Raw: string(raw), Auth: r.Header.Get("Authorization")}
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &q.Body); err != nil {
				t.Errorf("%s %s: the body is not JSON: %v", r.Method, r.URL.Path, err)
			}
		}
		rec.add(q)
		h(w, q)
	}))
	t.Cleanup(ts.Close)
	base := []czertainly.Option{czertainly.WithPollInterval(5 * time.Millisecond), czertainly.WithWaitTimeout(400 * time.Millisecond),
		czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})}
	if len(opts) == 0 {
		base = append(base, czertainly.WithBearerToken("tok"))
	}
	c, err := czertainly.NewClient(ts.URL, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

const (
	a2C1 = "aaaaaaaa-0000-0000-0000-000000000001"
	a2C2 = "aaaaaaaa-0000-0000-0000-000000000002"
	a2C3 = "aaaaaaaa-0000-0000-0000-000000000003"
	a2U1 = "bbbbbbbb-0000-0000-0000-000000000001"
	a2G1 = "cccccccc-0000-0000-0000-000000000001"
	a2G2 = "cccccccc-0000-0000-0000-000000000002"
)

func a2cert(uuid, state string) map[string]any {
	// CertificateDetailDto (doc-openapi-core-certificate.yaml), fields used by the probes.
	return map[string]any{"uuid": uuid, "commonName": "cn-" + uuid[len(uuid)-1:], "subjectDn": "CN=x", "state": state,
		"validationStatus": "valid", "certificateType": "X.509", "publicKeyAlgorithm": "ECDSA", "keySize": 256,
		"notAfter":  time.Now().Add(10 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"notBefore": time.Now().Add(-300 * 24 * time.Hour).UTC().Format(time.RFC3339),
		"raProfile": map[string]any{"uuid": czRA, "name": "ra", "enabled": true, "authorityInstanceUuid": czAuthority}}
}

func ptr[T any](v T) *T { return &v }

// UpdateCertificate with "" for owner and RA profile: Core removes the owner
// and the RA profile when the field is "" and leaves a field alone only when
// it is null (Core:src/main/java/com/czertainly/core/service/impl/CertificateServiceImpl.java:513-526@cad4432a).
// groupUuids present (even empty) replaces the groups (:518-520), so a nil
// GroupUUIDs must not be sent as a list.
func TestAudit2_CZ_UpdateCertificate_ClearOwnerAndRA(t *testing.T) {
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Method == "PATCH" && q.Path == "/v1/certificates/"+a2C1 {
			w.WriteHeader(204) // doc-openapi-core-certificate.yaml updateCertificateObjects → 204
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	if err := c.UpdateCertificate(context.Background(), a2C1, czertainly.CertificateUpdate{OwnerUUID: ptr(""), RAProfileUUID: ptr("")}); err != nil {
		t.Fatalf("UpdateCertificate: %v", err)
	}
	rs := rec.all()
	if len(rs) != 1 || rs[0].Method != "PATCH" {
		t.Fatalf("requests: %+v", rs)
	}
	b := rs[0].Body
	if v, ok := b["ownerUuid"]; !ok || v != "" {
		t.Errorf("ownerUuid must be sent as \"\" to remove the owner; body %s", rs[0].Raw)
	}
	if v, ok := b["raProfileUuid"]; !ok || v != "" {
		t.Errorf("raProfileUuid must be sent as \"\" to remove the RA profile; body %s", rs[0].Raw)
	}
	if v, ok := b["groupUuids"]; ok && v != nil {
		t.Errorf("groupUuids sent although not asked (Core would replace the groups): %s", rs[0].Raw)
	}
	if v, ok := b["trustedCa"]; ok && v != nil {
		t.Errorf("trustedCa sent although not asked: %s", rs[0].Raw)
	}
}

// BulkUpdateCertificates: PATCH /v1/certificates with
// MultipleCertificateObjectUpdateDto (doc-openapi-cert-manager.yaml:997,
// :7682); "" owner removes it (CertificateServiceImpl.java:547-550, :583);
// present groupUuids replaces the groups (:545-546, :582). The SDK says the
// call is not repeated once it may have reached the server.
func TestAudit2_CZ_BulkUpdate_ShapeAndNoRepeat(t *testing.T) {
	var n atomic.Int32
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Method == "PATCH" && q.Path == "/v1/certificates" {
			if n.Add(1) == 1 {
				audit.JSON(w, 503, map[string]string{"message": "Service unavailable"})
				return
			}
			w.WriteHeader(204)
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	err := c.BulkUpdateCertificates(context.Background(), []string{a2C1, a2C2}, czertainly.CertificateUpdate{OwnerUUID: ptr("")})
	if got := rec.count("PATCH", "/v1/certificates"); got != 1 {
		t.Errorf("bulk update sent %d times; the SDK documents it is not repeated", got)
	}
	if err == nil {
		t.Errorf("a 503 answer must be an error")
	}
	rs := rec.all()
	if len(rs) > 0 {
		b := rs[0].Body
		ids, _ := b["certificateUuids"].([]any)
		if len(ids) != 2 {
			t.Errorf("certificateUuids not sent: %s", rs[0].Raw)
		}
		if v, ok := b["ownerUuid"]; !ok || v != "" {
			t.Errorf("ownerUuid \"\" not sent: %s", rs[0].Raw)
		}
		if v, ok := b["groupUuids"]; ok && v != nil {
			t.Errorf("groupUuids sent although nil (Core would clear the groups): %s", rs[0].Raw)
		}
		if v, ok := b["raProfileUuid"]; ok && v != nil {
			t.Errorf("raProfileUuid sent although nil (\"\" would remove the RA profile): %s", rs[0].Raw)
		}
	}
}

// DeleteCertificates: POST /v1/certificates/delete with RemoveCertificateDto
// (doc-openapi-core-certificate.yaml:166-205 → BulkOperationResponse). Core
// deletes in the background (CertificateServiceImpl.java:589-600 @Async).
// RemainingCertificates: a 404 means deleted; any other failure (403, 500)
// says nothing about deletion and must not be counted as deleted
// (judgement call: an auditor's reading of "a 404 meaning deleted").
func TestAudit2_CZ_DeleteThenRemaining(t *testing.T) {
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "POST" && q.Path == "/v1/certificates/delete":
			audit.JSON(w, 200, map[string]any{"status": "SUCCESS", "failedItem": 0, "message": "Bulk delete of certificates has been initiated"})
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
			audit.JSON(w, 404, map[string]string{"message": "Certificate " + a2C1 + " not found"})
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C2:
			audit.JSON(w, 200, a2cert(a2C2, "issued"))
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C3:
			audit.JSON(w, 500, map[string]string{"message": "Internal server error."})
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	ctx := context.Background()
	acc, err := c.DeleteCertificates(ctx, []string{a2C1, a2C2})
	if err != nil {
		t.Fatalf("DeleteCertificates: %v", err)
	}
	if acc == nil || len(acc.UUIDs) != 2 {
		t.Errorf("DeletionAccepted: %+v", acc)
	}
	rs := rec.all()
	ids, _ := rs[0].Body["uuids"].([]any)
	if len(ids) != 2 {
		t.Errorf("RemoveCertificateDto.uuids not sent: %s", rs[0].Raw)
	}
	left, err := c.RemainingCertificates(ctx, []string{a2C1, a2C2})
	if err != nil || len(left) != 1 || left[0] != a2C2 {
		t.Errorf("RemainingCertificates = %v, %v; want [%s]", left, err, a2C2)
	}
	left, err = c.RemainingCertificates(ctx, []string{a2C1, a2C3})
	if err == nil && !contains(left, a2C3) {
		t.Errorf("a 500 on GET counted as deleted: RemainingCertificates = %v, nil", left)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// WaitForDeletion: reads only what is left each round; ends nil once every
// GET is 404; one that stays is a *DeletionPendingError naming it.
func TestAudit2_CZ_WaitForDeletion(t *testing.T) {
	var gets atomic.Int32
	c, _ := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
			if gets.Add(1) < 3 {
				audit.JSON(w, 200, a2cert(a2C1, "issued"))
				return
			}
			audit.JSON(w, 404, map[string]string{"message": "not found"})
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C2:
			// a certificate a user signs in with is never deleted (CertificateServiceImpl.java:485-488)
			audit.JSON(w, 200, a2cert(a2C2, "issued"))
		default:
			audit.JSON(w, 404, map[string]string{"message": "not found"})
		}
	})
	if err := c.WaitForDeletion(context.Background(), []string{a2C1}); err != nil {
		t.Errorf("WaitForDeletion of a certificate deleted later: %v", err)
	}
	err := c.WaitForDeletion(context.Background(), []string{a2C1, a2C2})
	var dp *czertainly.DeletionPendingError
	if !errors.As(err, &dp) || len(dp.Remaining) != 1 || dp.Remaining[0] != a2C2 {
		t.Errorf("WaitForDeletion with one never deleted: %v (%+v)", err, dp)
	}
}

// RevokeCertificate answers 204 before revoking (ClientOperationServiceImpl.java:737-753);
// the certificate stays issued, then becomes revoked (:785).
func TestAudit2_CZ_RevokeThenWait(t *testing.T) {
	var gets atomic.Int32
	revokePath := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates/" + a2C1 + "/revoke"
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "POST" && q.Path == revokePath:
			w.WriteHeader(204) // doc-openapi-core-client-operations-v2.yaml:106 → 204
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
			st := "issued"
			if gets.Add(1) >= 3 {
				st = "revoked"
			}
			audit.JSON(w, 200, a2cert(a2C1, st))
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	ctx := context.Background()
	if err := c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: czProfile, CertificateUUID: a2C1, Reason: "keyCompromise"}); err != nil {
		t.Fatalf("RevokeCertificate: %v", err)
	}
	if rec.count("POST", "/revoke") != 1 {
		t.Errorf("revoke sent %d times", rec.count("POST", "/revoke"))
	}
	d, err := c.WaitForRevocation(ctx, a2C1)
	if err != nil || d == nil || string(d.State) != "revoked" {
		t.Errorf("WaitForRevocation = %+v, %v", d, err)
	}
}

// Error mapping. ENTITY_NOT_UNIQUE: Core passes the Auth service's error on
// as application/problem+json with its status (ExceptionHandlingAdvice.java:444-455@cad4432a);
// AlreadyExistException is 409 (:99-104). "Failed to submit certificate
// request" is a CertificateOperationException → 400 ErrorMessageDto
// (ClientOperationServiceImpl.java:230-238, ExceptionHandlingAdvice.java:420-425):
// the transaction is rolled back, so nothing was created.
func TestAudit2_CZ_ErrorMapping(t *testing.T) {
	ops := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates"
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "POST" && q.Path == "/v1/users":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"statusCode":400,"code":"ENTITY_NOT_UNIQUE","message":"User with username alice already exists"}`))
		case q.Method == "POST" && q.Path == "/v1/roles":
			audit.JSON(w, 409, map[string]string{"message": "Role with name r already exists"})
		case q.Method == "POST" && q.Path == ops:
			audit.JSON(w, 400, map[string]string{"message": "Failed to submit certificate request: Connector communication failed"})
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	ctx := context.Background()
	_, err := c.CreateUser(ctx, czertainly.UserInput{Username: "alice", Email: "a@example.com"})
	if !errors.Is(err, czertainly.ErrConflict) {
		t.Errorf("400 ENTITY_NOT_UNIQUE: %v is not ErrConflict", err)
	}
	_, err = c.CreateRole(ctx, czertainly.RoleInput{Name: "r"})
	if !errors.Is(err, czertainly.ErrConflict) {
		t.Errorf("409: %v is not ErrConflict", err)
	}
	csr := a2csr(t)
	_, err = c.IssueCertificate(ctx, czertainly.IssueInput{Profile: czProfile, CSR: csr})
	if !errors.Is(err, czertainly.ErrConnector) {
		t.Errorf("400 Failed to submit: %v is not ErrConnector", err)
	}
	if n := rec.count("POST", ops); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
	if n := rec.count("POST", "/v1/users"); n != 1 {
		t.Errorf("create user sent %d times", n)
	}
}

// Token refresh: with NewRefreshingTokenSource a token Core answers 401 to
// is replaced once and the request sent again (SDK doc). Core answers 401
// without a body when no valid credentials reached it
// (doc-openapi-cert-manager.yaml "401: Unauthorized", no content). A 401
// means the request was not processed, so repeating even a POST is safe.
func TestAudit2_CZ_TokenRefreshOn401(t *testing.T) {
	var fetches atomic.Int32
	ts := czertainly.NewRefreshingTokenSource(func(ctx context.Context) (string, time.Time, error) {
		n := fetches.Add(1)
		return fmt.Sprintf("tok%d", n), time.Now().Add(time.Hour), nil
	})
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Auth != "Bearer tok2" {
			w.WriteHeader(401)
			return
		}
		switch {
		case q.Method == "GET" && q.Path == "/v1/groups":
			audit.JSON(w, 200, []any{map[string]any{"uuid": a2G1, "name": "g1", "description": "d", "email": "g@example.com"}})
		case q.Method == "POST" && q.Path == "/v1/roles":
			audit.JSON(w, 201, map[string]any{"uuid": a2U1, "name": "r", "systemRole": false, "users": []any{}})
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	}, czertainly.WithToken(ts))
	gs, err := c.ListGroups(context.Background())
	if err != nil || len(gs) != 1 || gs[0].UUID != a2G1 || gs[0].Email != "g@example.com" {
		t.Errorf("ListGroups after a 401: %+v, %v", gs, err)
	}
	if fetches.Load() != 2 {
		t.Errorf("token fetched %d times, want 2", fetches.Load())
	}
	if n := rec.count("GET", "/v1/groups"); n != 2 {
		t.Errorf("GET /v1/groups sent %d times, want 2 (401, then the new token)", n)
	}
	if _, err := c.CreateRole(context.Background(), czertainly.RoleInput{Name: "r"}); err != nil {
		t.Errorf("CreateRole with a valid token: %v", err)
	}
}

// ListAuthorities: GET /v1/authorities → AuthorityInstanceDto[]
// (doc-openapi-core-authority.yaml:210).
func TestAudit2_CZ_ListAuthorities(t *testing.T) {
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Method == "GET" && q.Path == "/v1/authorities" {
			audit.JSON(w, 200, []any{map[string]any{"uuid": czAuthority, "name": "ejbca", "status": "connected", "kind": "EJBCA",
				"connectorUuid": a2G2, "connectorName": "ejbca-ng", "attributes": []any{}}})
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	as, err := c.ListAuthorities(context.Background())
	if err != nil || len(as) != 1 || as[0].UUID != czAuthority || as[0].Kind != "EJBCA" || as[0].ConnectorName != "ejbca-ng" {
		t.Errorf("ListAuthorities = %+v, %v (requests %+v)", as, err, rec.all())
	}
}

// ListCertificateApprovals: GET /v1/certificates/{uuid}/approvals with
// itemsPerPage (≤1000) and pageNumber (from 1) → ApprovalResponseDto
// (doc-openapi-cert-manager.yaml:3640-3700).
func TestAudit2_CZ_ListCertificateApprovals(t *testing.T) {
	const total = 23
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1+"/approvals" {
			var per, page int
			for _, kv := range strings.Split(q.Query, "&") {
				_, _ = fmt.Sscanf(kv, "itemsPerPage=%d", &per) // a pair of another name does not match
				_, _ = fmt.Sscanf(kv, "pageNumber=%d", &page)  // a pair of another name does not match
			}
			if per == 0 {
				per = 10
			}
			if page == 0 {
				page = 1
			}
			out := []any{}
			for i := (page - 1) * per; i < page*per && i < total; i++ {
				out = append(out, map[string]any{"approvalUuid": fmt.Sprintf("dddddddd-0000-0000-0000-%012d", i), "creatorUuid": a2U1,
					"version": 1, "createdAt": "2026-01-01T00:00:00Z", "status": "PENDING", "resource": "certificates",
					"resourceAction": "issue", "objectUuid": a2C1, "approvalProfileName": "p", "approvalProfileUuid": a2G1})
			}
			audit.JSON(w, 200, map[string]any{"approvals": out, "itemsPerPage": per, "pageNumber": page, "totalPages": (total + per - 1) / per, "totalItems": total})
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	seen := map[string]bool{}
	for a, err := range c.ListCertificateApprovals(context.Background(), a2C1, czertainly.ApprovalQuery{PageSize: 10}) {
		if err != nil {
			t.Fatalf("ListCertificateApprovals: %v", err)
		}
		seen[fmt.Sprint(a.UUID)] = true
	}
	if len(seen) != total {
		t.Errorf("got %d approvals, want %d (requests %d)", len(seen), total, len(rec.all()))
	}
}

func a2csr(t *testing.T) []byte {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "a2.example.com"}}, k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// --- read-merge-send updates ---

const (
	a2AttrCost = "eeeeeeee-0000-0000-0000-000000000001"
	a2AttrTier = "eeeeeeee-0000-0000-0000-000000000002"
)

// Custom attributes as Core returns them: ResponseAttribute with the
// discriminator version v2|v3 and contentType (doc-openapi-core-auth.yaml:2620-2640, :1671-1675).
func a2respAttrs() []any {
	return []any{
		map[string]any{"uuid": a2AttrCost, "name": "costCenter", "label": "Cost center", "type": "custom", "contentType": "string", "version": "v3", "content": []any{map[string]any{"data": "42", "contentType": "string"}}},
		map[string]any{"uuid": a2AttrTier, "name": "tier", "label": "Tier", "type": "custom", "contentType": "integer", "version": "v2", "content": []any{map[string]any{"data": 3}}},
	}
}

// checkReqAttrs: what Core reads back is RequestAttribute, which requires
// uuid, name, contentType and version (doc-openapi-core-auth.yaml:2425-2440).
func a2checkReqAttrs(t *testing.T, raw string, body map[string]any, wantNames ...string) {
	t.Helper()
	list, _ := body["customAttributes"].([]any)
	got := map[string]map[string]any{}
	for _, x := range list {
		m, _ := x.(map[string]any)
		got[fmt.Sprint(m["name"])] = m
	}
	if len(got) != len(wantNames) {
		t.Errorf("customAttributes sent %v, want exactly %v: %s", a2keys(got), wantNames, raw)
	}
	for _, n := range wantNames {
		m := got[n]
		if m == nil {
			t.Errorf("custom attribute %s dropped: %s", n, raw)
			continue
		}
		for _, f := range []string{"uuid", "name", "contentType", "version"} {
			if s, _ := m[f].(string); s == "" {
				t.Errorf("custom attribute %s sent without required %s: %v", n, f, m)
			}
		}
		if v := fmt.Sprint(m["version"]); v != "v2" && v != "v3" {
			t.Errorf("custom attribute %s: version %q not v2|v3", n, v)
		}
		c, _ := m["content"].([]any)
		if len(c) != 1 {
			t.Errorf("custom attribute %s: content %v", n, m["content"])
		}
		// Version v3 content items are polymorphic on their own contentType
		// (CZERTAINLY-Interfaces@804df038 src/main/java/com/czertainly/api/model/common/attribute/v3/content/BaseAttributeContentV3.java:20-34:
		// @JsonTypeInfo(property = "contentType"), no defaultImpl): an item
		// without it cannot be read by Core.
		if fmt.Sprint(m["version"]) == "v3" {
			for _, it := range c {
				im, _ := it.(map[string]any)
				if s, _ := im["contentType"].(string); s == "" {
					t.Errorf("custom attribute %s is v3 but its content item %v has no contentType", n, im)
				}
			}
		}
	}
}

func a2keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// UpdateUser: Core builds the Auth request from the update's fields only
// (Core:src/main/java/com/czertainly/core/service/impl/UserManagementServiceImpl.java:351-383@cad4432a:
// description/email/firstName/lastName copied as sent, groups only when
// groupUuids is sent, the certificate link removed at :380 unless the
// request names one) and replaces custom attributes with the request's
// list (:165-168). So a change of the description alone must send back
// every other field, the groups, the certificate UUID and both custom
// attributes with their version/contentType.
func TestAudit2_CZ_UpdateUser_KeepsEverything(t *testing.T) {
	user := map[string]any{"uuid": a2U1, "username": "alice", "firstName": "Alice", "lastName": "Smith", "email": "alice@example.com",
		"description": "old", "enabled": true, "systemUser": false, "roles": []any{},
		"groups":           []any{map[string]any{"uuid": a2G1, "name": "g1"}, map[string]any{"uuid": a2G2, "name": "g2"}},
		"certificate":      map[string]any{"uuid": a2C1, "fingerprint": "ab12cd"},
		"customAttributes": a2respAttrs()}
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "GET" && q.Path == "/v1/users/"+a2U1:
			audit.JSON(w, 200, user)
		case q.Method == "PUT" && q.Path == "/v1/users/"+a2U1:
			audit.JSON(w, 200, user)
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
			audit.JSON(w, 200, a2cert(a2C1, "issued"))
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	if _, err := c.UpdateUser(context.Background(), a2U1, czertainly.UserInput{Description: "new"}); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	var put *audit.Request
	for _, q := range rec.all() {
		if q.Method == "PUT" {
			q := q
			put = &q
		}
	}
	if put == nil {
		t.Fatal("no PUT")
	}
	b := put.Body
	for k, want := range map[string]string{"firstName": "Alice", "lastName": "Smith", "email": "alice@example.com", "description": "new", "certificateUuid": a2C1} {
		if fmt.Sprint(b[k]) != want {
			t.Errorf("PUT %s = %v, want %q", k, b[k], want)
		}
	}
	g, _ := b["groupUuids"].([]any)
	if len(g) != 2 {
		t.Errorf("PUT groupUuids = %v, want both groups", b["groupUuids"])
	}
	a2checkReqAttrs(t, put.Raw, b, "costCenter", "tier")

	// Removing one attribute keeps the other.
	if _, err := c.UpdateUser(context.Background(), a2U1, czertainly.UserInput{RemoveCustomAttributes: []string{"tier"}}); err != nil {
		t.Fatalf("UpdateUser remove: %v", err)
	}
	rs := rec.all()
	last := rs[len(rs)-1]
	if last.Method != "PUT" {
		t.Fatalf("last request %s %s", last.Method, last.Path)
	}
	a2checkReqAttrs(t, last.Raw, last.Body, "costCenter")
	if fmt.Sprint(last.Body["description"]) != "old" {
		t.Errorf("description not kept on the second update: %v", last.Body["description"])
	}
}

// UpdateRole: Core copies name, description, email and replaces custom
// attributes (RoleManagementServiceImpl.java:70-80@cad4432a,
// AttributeEngine.java:897-905).
func TestAudit2_CZ_UpdateRole_KeepsEverything(t *testing.T) {
	role := map[string]any{"uuid": a2U1, "name": "ops", "description": "Operators", "email": "ops@example.com", "systemRole": false,
		"users": []any{}, "customAttributes": a2respAttrs()}
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch q.Path {
		case "/v1/roles/" + a2U1:
			audit.JSON(w, 200, role)
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	if _, err := c.UpdateRole(context.Background(), a2U1, czertainly.RoleInput{Name: "operators"}); err != nil {
		t.Fatalf("UpdateRole: %v", err)
	}
	rs := rec.all()
	last := rs[len(rs)-1]
	if last.Method != "PUT" {
		t.Fatalf("last request %s %s", last.Method, last.Path)
	}
	for k, want := range map[string]string{"name": "operators", "description": "Operators", "email": "ops@example.com"} {
		if fmt.Sprint(last.Body[k]) != want {
			t.Errorf("PUT %s = %v, want %q", k, last.Body[k], want)
		}
	}
	a2checkReqAttrs(t, last.Raw, last.Body, "costCenter", "tier")
}

// CreateRole with custom attributes: RoleRequestDto.customAttributes are
// RequestAttribute, each requiring uuid, name, contentType and version v2|v3
// (doc-openapi-core-auth.yaml:3045-3061, :2425-2440). A caller who gives
// the name, uuid, content type and content but no version: the SDK must
// either fill a valid version or refuse before sending (judgement call);
// sending version "" fails Core's discriminator.
func TestAudit2_CZ_CreateRole_CustomAttributes(t *testing.T) {
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Method == "POST" && q.Path == "/v1/roles" {
			audit.JSON(w, 200, map[string]any{"uuid": a2U1, "name": "r", "systemRole": false, "users": []any{}})
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	_, err := c.CreateRole(context.Background(), czertainly.RoleInput{Name: "r", CustomAttributes: []czertainly.RequestAttribute{
		{UUID: a2AttrCost, Name: "costCenter", ContentType: "string", Content: []map[string]any{{"data": "42"}}}}})
	rs := rec.all()
	if err != nil && len(rs) == 0 {
		t.Logf("refused before sending: %v", err)
		return
	}
	if len(rs) != 1 {
		t.Fatalf("requests %d, err %v", len(rs), err)
	}
	t.Logf("CreateRole sent %s", rs[0].Raw)
	a2checkReqAttrs(t, rs[0].Raw, rs[0].Body, "costCenter")
}

// --- RenewExpiring ---

// RenewExpiring over three expiring certificates:
//   - C1 has a successor still pending approval: Core records the relation
//     (type pending) when it accepts the renewal (CertificateServiceImpl.java:1935-1957@cad4432a);
//     not renewed again.
//   - C2's earlier renewal failed: Core deletes a failed or rejected
//     successor's relations (ClientOperationServiceImpl.java:344-356), so
//     C2 has no successor and must be renewed.
//   - C3's relations cannot be read (500): whether it was renewed is not
//     known, so it must not be renewed (judgement call: renewing blind
//     breaks "renews each certificate once").
//
// A second run renews nothing new.
func TestAudit2_CZ_RenewExpiring_Relations(t *testing.T) {
	ops := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates/"
	var mu sync.Mutex
	succ := map[string][]map[string]any{
		a2C1: {{"uuid": "ffffffff-0000-0000-0000-000000000001", "certificateType": "X.509", "state": "pending_approval", "relationType": "pending", "commonName": "c1"}},
	}
	n := 0
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case q.Method == "POST" && q.Path == "/v1/certificates":
			// search: CertificateResponseDto (doc-openapi-core-certificate.yaml:25)
			list := []any{a2cert(a2C1, "issued"), a2cert(a2C2, "issued"), a2cert(a2C3, "issued")}
			audit.JSON(w, 200, map[string]any{"certificates": list, "itemsPerPage": 1000, "pageNumber": 1, "totalPages": 1, "totalItems": 3})
		case q.Method == "GET" && strings.HasSuffix(q.Path, "/relations"):
			id := strings.Split(q.Path, "/")[3]
			if id == a2C3 {
				audit.JSON(w, 500, map[string]string{"message": "Internal server error."})
				return
			}
			s := []any{}
			for _, x := range succ[id] {
				s = append(s, x)
			}
			audit.JSON(w, 200, map[string]any{"certificateUuid": id, "successorCertificates": s, "predecessorCertificates": []any{}})
		case q.Method == "POST" && strings.HasPrefix(q.Path, ops) && strings.HasSuffix(q.Path, "/renew"):
			id := strings.Split(strings.TrimPrefix(q.Path, ops), "/")[0]
			n++
			nu := fmt.Sprintf("99999999-0000-0000-0000-%012d", n)
			succ[id] = append(succ[id], map[string]any{"uuid": nu, "certificateType": "X.509", "state": "requested", "relationType": "pending", "commonName": "x"})
			audit.JSON(w, 200, map[string]any{"uuid": nu, "certificateData": ""})
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	ctx := context.Background()
	rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30})
	if err != nil {
		t.Fatalf("RenewExpiring: %v", err)
	}
	out := map[string]czertainly.RenewalOutcome{}
	for _, r := range rep.Results {
		out[r.Certificate.UUID] = r.Outcome
	}
	if out[a2C1] != czertainly.RenewalOutcomeAlreadyRenewed {
		t.Errorf("C1 (pending successor): %s, want already_renewed", out[a2C1])
	}
	if out[a2C2] != czertainly.RenewalOutcomeRenewed {
		t.Errorf("C2 (failed successor dropped by Core): %s, want renewed", out[a2C2])
	}
	if out[a2C3] == czertainly.RenewalOutcomeRenewed || rec.count("POST", a2C3+"/renew") != 0 {
		t.Errorf("C3 (relations unreadable) renewed blind: %s", out[a2C3])
	}
	first := rec.count("POST", "/renew")
	rep2, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30})
	if err != nil {
		t.Fatalf("second RenewExpiring: %v", err)
	}
	if got := rec.count("POST", "/renew"); got != first {
		t.Errorf("second run sent %d more renewals", got-first)
	}
	if rep2.Count(czertainly.RenewalOutcomeRenewed) != 0 {
		t.Errorf("second run reports renewed: %+v", rep2.Results)
	}
}

// --- Enroll / ResumeEnrollment ---

// After the issue call Core has created the certificate
// (ClientOperationServiceImpl.java:207-250 commits before answering), so
// every later failure must keep the generated key and the UUID (SDK doc of
// EnrollError). Cases: the first poll is refused (403 problem+json, as Core's
// AuthenticationServiceException, ExceptionHandlingAdvice.java:444-455);
// the certificate turns failed (handleFailedOrRejectedEvent, :344-356).
func TestAudit2_CZ_Enroll_MaterialOnLaterFailures(t *testing.T) {
	ops := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates"
	for _, mode := range []string{"403", "failed", "rejected"} {
		t.Run(mode, func(t *testing.T) {
			c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
				switch {
				case q.Method == "POST" && q.Path == ops:
					audit.JSON(w, 200, map[string]any{"uuid": a2C1, "certificateData": ""})
				case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
					if mode == "403" {
						w.Header().Set("Content-Type", "application/problem+json")
						w.WriteHeader(403)
						_, _ = w.Write([]byte(`{"statusCode":403,"code":"FORBIDDEN","message":"Access denied"}`))
						return
					}
					audit.JSON(w, 200, a2cert(a2C1, mode))
				case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1+"/approvals":
					audit.JSON(w, 200, map[string]any{"approvals": []any{}, "itemsPerPage": 10, "pageNumber": 1, "totalPages": 0, "totalItems": 0})
				default:
					audit.JSON(w, 404, map[string]string{"message": "no"})
				}
			})
			_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, Subject: pkix.Name{CommonName: "a2.example.com"}})
			var ee *czertainly.EnrollError
			if !errors.As(err, &ee) {
				t.Fatalf("Enroll error %T %v is not an *EnrollError", err, err)
			}
			if ee.CertificateUUID != a2C1 {
				t.Errorf("EnrollError.CertificateUUID = %q", ee.CertificateUUID)
			}
			if ee.Received == nil || ee.Received.Key == nil {
				t.Errorf("EnrollError lost the generated key: %+v", ee.Received)
			}
			if mode != "403" {
				var se *czertainly.StateError
				if !errors.As(err, &se) {
					t.Errorf("terminal state %s not a *StateError: %v", mode, err)
				}
			}
			if n := rec.count("POST", ops); n != 1 {
				t.Errorf("issue sent %d times", n)
			}
		})
	}
}

// ResumeEnrollment reads Core's state first and never submits: a
// PendingError for a certificate Core has meanwhile issued gets the
// certificate with GETs only; one Core has meanwhile rejected ends with a
// StateError, still without a POST.
func TestAudit2_CZ_ResumeEnrollment_ReadsFirst(t *testing.T) {
	for _, st := range []string{"issued", "rejected"} {
		t.Run(st, func(t *testing.T) {
			ca := audit.NewCA(t)
			k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			leaf := ca.Issue(t, k.Public(), "a2.example.com")
			c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
				switch {
				case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
					m := a2cert(a2C1, st)
					if st == "issued" {
						m["certificateContent"] = base64Std(leaf.Raw)
					}
					audit.JSON(w, 200, m)
				case q.Method == "GET" && strings.HasPrefix(q.Path, "/v1/certificates/"+a2C1+"/chain/"):
					// CertificateChainDownloadResponseDto {format, encoding, content, completeChain}
					// (doc-openapi-core-certificate.yaml:1043, :4240); raw/pem content is base64 of
					// the PEM text (CertificateServiceImpl.java:923-945@cad4432a).
					pemText := pemEnc(ca.Cert.Raw)
					if strings.Contains(q.Query, "withEndCertificate=true") {
						pemText = append(pemEnc(leaf.Raw), pemText...)
					}
					audit.JSON(w, 200, map[string]any{"format": "raw", "encoding": "pem", "completeChain": true, "content": base64Std(pemText)})
				case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1+"/chain":
					// CertificateChainResponseDto (doc-openapi-core-certificate.yaml:986)
					cc := a2cert("ffffffff-0000-0000-0000-0000000000ca", "issued")
					cc["certificateContent"] = base64Std(ca.Cert.Raw)
					audit.JSON(w, 200, map[string]any{"completeChain": true, "certificates": []any{cc}})
				default:
					audit.JSON(w, 404, map[string]string{"message": "no"})
				}
			})
			pe := &czertainly.PendingError{Profile: czProfile, CertificateUUID: a2C1, State: "pending_approval", Key: k}
			en, err := c.ResumeEnrollment(context.Background(), pe)
			rs := rec.all()
			if len(rs) == 0 || rs[0].Method != "GET" || rs[0].Path != "/v1/certificates/"+a2C1 {
				t.Errorf("first request is not a read of the certificate: %+v", rs)
			}
			for _, q := range rs {
				if q.Method != "GET" {
					t.Errorf("ResumeEnrollment sent %s %s", q.Method, q.Path)
				}
			}
			if st == "issued" && (err != nil || en == nil || en.Leaf == nil || en.Key == nil) {
				t.Errorf("resume of an issued certificate: %+v, %v", en, err)
			}
			if st == "rejected" {
				var se *czertainly.StateError
				if !errors.As(err, &se) {
					t.Errorf("resume of a rejected certificate: %v", err)
				}
				var ee *czertainly.EnrollError
				if errors.As(err, &ee) && (ee.Received == nil || ee.Received.Key == nil) {
					t.Errorf("resume's EnrollError lost the key")
				}
			}
		})
	}
}

func base64Std(b []byte) string { return b64.StdEncoding.EncodeToString(b) }

func pemEnc(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// UpdateUser of a user whose login certificate was revoked: Core refuses to
// (re)link a certificate not in state issued with 422
// (UserManagementServiceImpl.java:338-343@cad4432a), and an update that
// names no certificate unlinks it (:354-361, :380). An email change alone
// must not silently unlink the certificate: the SDK may refuse, or send it
// and report Core's 422 (judgement call: either keeps the caller's data).
func TestAudit2_CZ_UpdateUser_RevokedLoginCertificate(t *testing.T) {
	user := map[string]any{"uuid": a2U1, "username": "alice", "firstName": "Alice", "lastName": "Smith", "email": "alice@example.com",
		"enabled": true, "systemUser": false, "roles": []any{}, "groups": []any{},
		"certificate": map[string]any{"uuid": a2C1, "fingerprint": "ab12cd"}, "customAttributes": []any{}}
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "GET" && q.Path == "/v1/users/"+a2U1:
			audit.JSON(w, 200, user)
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
			audit.JSON(w, 200, a2cert(a2C1, "revoked"))
		case q.Method == "PUT" && q.Path == "/v1/users/"+a2U1:
			if s, _ := q.Body["certificateUuid"].(string); s == a2C1 {
				audit.JSON(w, 422, []string{"Cannot assign certificate with state Revoked to the user"})
				return
			}
			audit.JSON(w, 200, user)
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	_, err := c.UpdateUser(context.Background(), a2U1, czertainly.UserInput{Email: "alice@new.example.com"})
	for _, q := range rec.all() {
		if q.Method == "PUT" {
			if s, _ := q.Body["certificateUuid"].(string); s == "" && fmt.Sprint(q.Body["certificateData"]) == "<nil>" {
				t.Errorf("PUT without the login certificate: Core unlinks it (UserManagementServiceImpl.java:380): %s", q.Raw)
			}
		}
	}
	t.Logf("UpdateUser: %v", err)
}

// Enroll whose issue call Core refuses with "Failed to submit certificate
// request": the transaction was rolled back (ClientOperationServiceImpl.java:230-238),
// no certificate exists, so the error is ErrConnector and not an unknown outcome.
func TestAudit2_CZ_Enroll_FailedToSubmit(t *testing.T) {
	ops := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates"
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Method == "POST" && q.Path == ops {
			audit.JSON(w, 400, map[string]string{"message": "Failed to submit certificate request: Connector communication failed"})
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czProfile, Subject: pkix.Name{CommonName: "a2.example.com"}})
	if !errors.Is(err, czertainly.ErrConnector) {
		t.Errorf("Enroll refused with Failed to submit: %v, want ErrConnector", err)
	}
	if errors.Is(err, czertainly.ErrOutcomeUnknown) {
		t.Errorf("a 400 refusal reported as unknown outcome: %v", err)
	}
	if n := rec.count("POST", ops); n != 1 {
		t.Errorf("issue sent %d times", n)
	}
}

// WaitForRevocation of a certificate pending approval, with
// WithApprovalWait(0): a *PendingError naming the pending approvals of
// the certificate (GET /v1/certificates/{uuid}/approvals, doc-openapi-cert-manager.yaml:3640).
func TestAudit2_CZ_WaitForRevocation_PendingApproval(t *testing.T) {
	c, _ := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		switch {
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1:
			audit.JSON(w, 200, a2cert(a2C1, "pending_approval"))
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1+"/approvals":
			audit.JSON(w, 200, map[string]any{"approvals": []any{
				map[string]any{"approvalUuid": "dddddddd-0000-0000-0000-000000000001", "creatorUuid": a2U1, "version": 1, "createdAt": "2026-01-01T00:00:00Z",
					"status": "PENDING", "resource": "certificates", "resourceAction": "revoke", "objectUuid": a2C1, "approvalProfileName": "p", "approvalProfileUuid": a2G1},
				map[string]any{"approvalUuid": "dddddddd-0000-0000-0000-000000000002", "creatorUuid": a2U1, "version": 1, "createdAt": "2025-01-01T00:00:00Z",
					"closedAt": "2025-01-02T00:00:00Z", "status": "APPROVED", "resource": "certificates", "resourceAction": "issue", "objectUuid": a2C1, "approvalProfileName": "p", "approvalProfileUuid": a2G1},
			}, "itemsPerPage": 10, "pageNumber": 1, "totalPages": 1, "totalItems": 2})
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	_, err := c.WaitForRevocation(context.Background(), a2C1, czertainly.WithApprovalWait(0))
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) {
		t.Fatalf("WaitForRevocation pending approval: %v", err)
	}
	if len(pe.Approvals) != 1 || pe.Approvals[0] != "dddddddd-0000-0000-0000-000000000001" {
		t.Errorf("PendingError.Approvals = %v, want only the pending one", pe.Approvals)
	}
}

// An empty GroupUUIDs removes every group: Core replaces the groups when
// groupUuids is present (CertificateServiceImpl.java:518-520), so [] must
// be sent, not left out.
func TestAudit2_CZ_UpdateCertificate_EmptyGroups(t *testing.T) {
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		w.WriteHeader(204)
	})
	if err := c.UpdateCertificate(context.Background(), a2C1, czertainly.CertificateUpdate{GroupUUIDs: &[]string{}}); err != nil {
		t.Fatalf("UpdateCertificate: %v", err)
	}
	rs := rec.all()
	if len(rs) != 1 {
		t.Fatalf("requests %d", len(rs))
	}
	g, ok := rs[0].Body["groupUuids"].([]any)
	if !ok || len(g) != 0 {
		t.Errorf("groupUuids not sent as []: %s", rs[0].Raw)
	}
	for _, k := range []string{"ownerUuid", "raProfileUuid"} {
		if v, ok := rs[0].Body[k]; ok && v != nil {
			t.Errorf("%s sent although nil: %s", k, rs[0].Raw)
		}
	}
}

// itemsPerPage is at most 1000 (doc-openapi-cert-manager.yaml:3656-3662).
func TestAudit2_CZ_ListCertificateApprovals_PageSizeCap(t *testing.T) {
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		var per int
		for _, kv := range strings.Split(q.Query, "&") {
			_, _ = fmt.Sscanf(kv, "itemsPerPage=%d", &per) // a pair of another name does not match
		}
		if per > 1000 {
			audit.JSON(w, 422, []string{"itemsPerPage must be less than or equal to 1000"})
			return
		}
		audit.JSON(w, 200, map[string]any{"approvals": []any{}, "itemsPerPage": per, "pageNumber": 1, "totalPages": 0, "totalItems": 0})
	})
	var lastErr error
	for _, err := range c.ListCertificateApprovals(context.Background(), a2C1, czertainly.ApprovalQuery{PageSize: 5000}) {
		lastErr = err
	}
	if lastErr != nil && len(rec.all()) > 0 {
		t.Errorf("PageSize 5000 sent as is: %v (%s)", lastErr, rec.all()[0].Query)
	}
}

// RenewExpiring with Wait, whose renewal's certificate fails: Core marks
// the new certificate failed and deletes its relations
// (ClientOperationServiceImpl.java:344-356, :504). Run 1 reports failed
// (not renewed); run 2 sees no successor and renews again — the failed
// attempt does not count as a renewal.
func TestAudit2_CZ_RenewExpiring_FailedSuccessorRetried(t *testing.T) {
	ops := "/v2/operations/authorities/" + czAuthority + "/raProfiles/" + czRA + "/certificates/"
	var mu sync.Mutex
	succ := []string{}
	states := map[string]string{}
	n := 0
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case q.Method == "POST" && q.Path == "/v1/certificates":
			audit.JSON(w, 200, map[string]any{"certificates": []any{a2cert(a2C1, "issued")}, "itemsPerPage": 1000, "pageNumber": 1, "totalPages": 1, "totalItems": 1})
		case q.Method == "GET" && q.Path == "/v1/certificates/"+a2C1+"/relations":
			s := []any{}
			for _, id := range succ {
				if states[id] != "failed" {
					s = append(s, map[string]any{"uuid": id, "certificateType": "X.509", "state": states[id], "relationType": "pending"})
				}
			}
			audit.JSON(w, 200, map[string]any{"certificateUuid": a2C1, "successorCertificates": s, "predecessorCertificates": []any{}})
		case q.Method == "POST" && q.Path == ops+a2C1+"/renew":
			n++
			id := fmt.Sprintf("99999999-0000-0000-0000-%012d", n)
			succ = append(succ, id)
			states[id] = "requested"
			audit.JSON(w, 200, map[string]any{"uuid": id, "certificateData": ""})
		case q.Method == "GET" && strings.HasPrefix(q.Path, "/v1/certificates/99999999-"):
			id := strings.TrimPrefix(q.Path, "/v1/certificates/")
			if n == 1 {
				states[id] = "failed" // the first renewal fails at the authority
			} else {
				states[id] = "issued"
			}
			m := a2cert(id, states[id])
			if states[id] == "issued" {
				ca := audit.NewCA(t)
				k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				m["certificateContent"] = base64Std(ca.Issue(t, k.Public(), "x").Raw)
			}
			audit.JSON(w, 200, m)
		default:
			audit.JSON(w, 404, map[string]string{"message": "no"})
		}
	})
	ctx := context.Background()
	rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Outcome != czertainly.RenewalOutcomeFailed {
		t.Errorf("run 1 (successor failed): %+v", rep.Results)
	}
	rep, err = c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30, Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 1 || rep.Results[0].Outcome != czertainly.RenewalOutcomeRenewed {
		t.Errorf("run 2 (no successor left): %+v", rep.Results)
	}
	if got := rec.count("POST", "/renew"); got != 2 {
		t.Errorf("renewals sent %d, want 2", got)
	}
}

// UpdateUser replacing a v3 custom attribute by name with the caller's
// content only: what goes out must still be readable by Core — uuid,
// contentType, version, and for v3 a contentType on each content item
// (BaseAttributeContentV3.java:20-34@804df038; RequestAttribute.java:10
// discriminator "version", default v2).
func TestAudit2_CZ_UpdateUser_ReplaceV3AttributeByName(t *testing.T) {
	t.Run("byName", func(t *testing.T) {
		a2replaceAttr(t, czertainly.RequestAttribute{Name: "costCenter", Content: []map[string]any{{"data": "43"}}})
	})
	t.Run("byUUID", func(t *testing.T) {
		a2replaceAttr(t, czertainly.RequestAttribute{UUID: a2AttrCost, Content: []map[string]any{{"data": "43"}}})
	})
	t.Run("full", func(t *testing.T) {
		a2replaceAttr(t, czertainly.RequestAttribute{UUID: a2AttrCost, Name: "costCenter", ContentType: "string", Version: "v3", Content: []map[string]any{{"data": "43", "contentType": "string"}}})
	})
}

func a2replaceAttr(t *testing.T, ra czertainly.RequestAttribute) {
	user := map[string]any{"uuid": a2U1, "username": "alice", "firstName": "Alice", "lastName": "Smith", "email": "alice@example.com",
		"enabled": true, "systemUser": false, "roles": []any{}, "groups": []any{}, "customAttributes": a2respAttrs()}
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Path == "/v1/users/"+a2U1 {
			audit.JSON(w, 200, user)
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	_, err := c.UpdateUser(context.Background(), a2U1, czertainly.UserInput{CustomAttributes: []czertainly.RequestAttribute{ra}})
	rs := rec.all()
	if len(rs) == 0 || rs[len(rs)-1].Method != "PUT" {
		// Refusing is safe (nothing cleared), but the caller's change is a
		// documented use (UserInput.CustomAttributes: "each replaces the
		// user's attribute of the same name").
		t.Errorf("UpdateUser of a custom attribute by name was not sent (%d requests): %v", len(rs), err)
		return
	}
	last := rs[len(rs)-1]
	t.Logf("sent %s", last.Raw)
	a2checkReqAttrs(t, last.Raw, last.Body, "costCenter", "tier")
	list, _ := last.Body["customAttributes"].([]any)
	for _, x := range list {
		m := x.(map[string]any)
		if m["name"] == "costCenter" {
			c0 := m["content"].([]any)[0].(map[string]any)
			if fmt.Sprint(c0["data"]) != "43" {
				t.Errorf("new value not sent: %v", m)
			}
		}
	}
}

// WaitForDeletion must not take a refusal (403 problem+json,
// ExceptionHandlingAdvice.java:444-455) for a deletion: only 404 is "gone"
// (judgement call, as for RemainingCertificates).
func TestAudit2_CZ_WaitForDeletion_403NotDeleted(t *testing.T) {
	c, _ := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`{"statusCode":403,"code":"FORBIDDEN","message":"Access denied"}`))
	})
	if err := c.WaitForDeletion(context.Background(), []string{a2C1}); err == nil {
		t.Errorf("WaitForDeletion answered only 403s: nil error (counted as deleted)")
	}
}

// UpdateRole, as UpdateUser: RoleInput.CustomAttributes "each replaces the
// role's attribute of the same name (or UUID)"; the read gives the uuid,
// contentType and version Core requires (doc-openapi-core-auth.yaml:2425-2440).
func TestAudit2_CZ_UpdateRole_ReplaceAttributeByName(t *testing.T) {
	role := map[string]any{"uuid": a2U1, "name": "ops", "description": "Operators", "email": "ops@example.com", "systemRole": false,
		"users": []any{}, "customAttributes": a2respAttrs()}
	c, rec := a2cz(t, func(w http.ResponseWriter, q audit.Request) {
		if q.Path == "/v1/roles/"+a2U1 {
			audit.JSON(w, 200, role)
			return
		}
		audit.JSON(w, 404, map[string]string{"message": "no"})
	})
	_, err := c.UpdateRole(context.Background(), a2U1, czertainly.RoleInput{CustomAttributes: []czertainly.RequestAttribute{{Name: "tier", Content: []map[string]any{{"data": 4}}}}})
	rs := rec.all()
	if len(rs) == 0 || rs[len(rs)-1].Method != "PUT" {
		t.Errorf("UpdateRole of a custom attribute by name was not sent (%d requests): %v", len(rs), err)
		return
	}
	a2checkReqAttrs(t, rs[len(rs)-1].Raw, rs[len(rs)-1].Body, "costCenter", "tier")
}
