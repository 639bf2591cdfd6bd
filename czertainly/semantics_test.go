package czertainly_test

// Tests against stand-in servers that model CZERTAINLY-Core's semantics as
// its source shows them (CZERTAINLY-Core at cad4432a, CZERTAINLY-Auth at
// 119efad, CZERTAINLY-Interfaces at 804df038), not the package's fake: the
// fake and the client were written from one reading, so these answer as
// Core does, inconvenient parts included. Each handler cites its evidence.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

// standIn serves h over TLS and returns a client for it.
func standIn(t *testing.T, h http.Handler, extra ...czertainly.Option) *czertainly.Client {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	opts := append([]czertainly.Option{czertainly.WithHTTPClient(srv.Client()), czertainly.WithBearerToken("stand-in"), fastRetry, fastPoll}, extra...)
	c, err := czertainly.NewClient(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func uuidN(prefix string, n int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012d", 0x7f000000+len(prefix), n)
}

const (
	standAuthority = "6a1b8d7e-0000-4000-8000-000000000001"
	standRA        = "6a1b8d7e-0000-4000-8000-000000000002"
)

// renewCore models renewal on Core: the renew call creates a new
// certificate and a relation from the old one (ClientOperationServiceImpl
// .java:407-462, CertificateServiceImpl.java:1935-1957); the old
// certificate stays issued and keeps its notAfter, so it still matches an
// "expires within" search (464-550 never touch it). The relations are
// served as GET /v1/certificates/{uuid}/relations does
// (CertificateServiceImpl.java:1908-1922).
type renewCore struct {
	mu         sync.Mutex
	old        []string
	successors map[string][]string
	renewals   map[string]int
	next       int
}

func (s *renewCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api")
	switch {
	case r.Method == http.MethodPost && p == "/v1/certificates":
		var certs []map[string]any
		for _, id := range s.old {
			certs = append(certs, map[string]any{"uuid": id, "commonName": "cn-" + id[len(id)-2:], "subjectDn": "CN=x",
				"publicKeyAlgorithm": "ECDSA", "hybridCertificate": false, "keySize": 256, "state": "issued",
				"validationStatus": "expiring", "certificateType": "X.509", "complianceStatus": "na", "privateKeyAvailability": false,
				"notAfter":  time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC),
				"raProfile": map[string]any{"uuid": standRA, "name": "ra", "enabled": true, "authorityInstanceUuid": standAuthority}})
		}
		writeJSON(w, 200, map[string]any{"certificates": certs, "itemsPerPage": 1000, "pageNumber": 1, "totalPages": 1, "totalItems": len(certs)})
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/renew"):
		parts := strings.Split(p, "/")
		old := parts[len(parts)-2]
		s.renewals[old]++
		s.next++
		nu := uuidN("new", s.next)
		s.successors[old] = append(s.successors[old], nu)
		writeJSON(w, 200, map[string]any{"uuid": nu, "certificateData": ""})
	case r.Method == http.MethodGet && strings.HasSuffix(p, "/relations"):
		id := strings.Split(p, "/")[3]
		succ := []map[string]any{}
		for _, nu := range s.successors[id] {
			succ = append(succ, map[string]any{"uuid": nu, "certificateType": "X.509", "state": "issued", "relationType": "renewal",
				"commonName": "cn", "publicKeyAlgorithm": "ECDSA"})
		}
		writeJSON(w, 200, map[string]any{"certificateUuid": id, "successorCertificates": succ, "predecessorCertificates": []any{}})
	default:
		writeJSON(w, 404, map[string]string{"message": "no route " + r.Method + " " + p})
	}
}

func TestRenewExpiringTwiceRenewsEachCertificateOnce(t *testing.T) {
	core := &renewCore{old: []string{uuidN("old", 1), uuidN("old", 2), uuidN("old", 3)}, successors: map[string][]string{}, renewals: map[string]int{}}
	c := standIn(t, core)
	ctx := context.Background()
	for run := 1; run <= 2; run++ {
		rep, err := c.RenewExpiring(ctx, czertainly.RenewExpiringInput{Days: 30})
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if len(rep.Results) != 3 {
			t.Fatalf("run %d: %d results, want 3", run, len(rep.Results))
		}
	}
	for _, id := range core.old {
		if n := core.renewals[id]; n != 1 {
			t.Errorf("certificate %s renewed %d times over two runs, want once", id, n)
		}
	}
}

// userCore models Core's user update: the Auth service stores the whole
// DTO Core sends (CZERTAINLY-Auth UserService maps it onto the entity), so
// a name, description or group list left out is cleared; Core unlinks the
// user's certificate and links only the one the request names
// (UserManagementServiceImpl.java:381-388 after 167); custom attributes
// are replaced by the request's list, none when it has none
// (AttributeEngine.java:897-905). A duplicate name is Auth's 400
// ENTITY_NOT_UNIQUE (Auth EntityNotUniqueException.cs:8, ErrorDetails.cs),
// passed on by Core as application/problem+json (ExceptionHandlingAdvice
// .java:445-453).
type userCore struct {
	mu    sync.Mutex
	user  map[string]any
	puts  int
	names map[string]bool
}

func (s *userCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api")
	switch {
	case r.Method == http.MethodGet && p == "/v1/users/"+s.user["uuid"].(string):
		writeJSON(w, 200, s.user)
	case r.Method == http.MethodPut && p == "/v1/users/"+s.user["uuid"].(string):
		s.puts++
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, map[string]string{"message": err.Error()})
			return
		}
		for _, k := range []string{"firstName", "lastName", "description", "email"} {
			if v, ok := body[k]; ok {
				s.user[k] = v
			} else {
				delete(s.user, k)
			}
		}
		groups := []any{}
		if gs, ok := body["groupUuids"].([]any); ok {
			for _, g := range gs {
				groups = append(groups, map[string]any{"uuid": g, "name": "group " + g.(string)})
			}
		}
		s.user["groups"] = groups
		delete(s.user, "certificate")
		if id, ok := body["certificateUuid"].(string); ok && id != "" {
			s.user["certificate"] = map[string]any{"uuid": id, "fingerprint": "fp-" + id}
		}
		var custom []any
		if ca, ok := body["customAttributes"].([]any); ok {
			for _, a := range ca {
				m := a.(map[string]any)
				m["label"], m["type"] = m["name"], "custom"
				custom = append(custom, m)
			}
		}
		s.user["customAttributes"] = custom
		writeJSON(w, 200, s.user)
	case r.Method == http.MethodPost && p == "/v1/users":
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		name, _ := body["username"].(string)
		if s.names[name] {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"statusCode":400,"code":"ENTITY_NOT_UNIQUE","message":"User with username '%s' already exists"}`, name)
			return
		}
		s.names[name] = true
		writeJSON(w, 200, map[string]any{"uuid": uuidN("user", len(s.names)), "username": name, "groups": []any{}, "enabled": false, "systemUser": false, "roles": []any{}})
	default:
		writeJSON(w, 404, map[string]string{"message": "no route " + r.Method + " " + p})
	}
}

const (
	standUser     = "5b2c9e8f-0000-4000-8000-000000000001"
	standUserCert = "5b2c9e8f-0000-4000-8000-0000000000c1"
	standGroup    = "5b2c9e8f-0000-4000-8000-0000000000a1"
	standAttr1    = "5b2c9e8f-0000-4000-8000-0000000000b1"
	standAttr2    = "5b2c9e8f-0000-4000-8000-0000000000b2"
)

func newUserCore() *userCore {
	return &userCore{names: map[string]bool{"alice": true}, user: map[string]any{
		"uuid": standUser, "username": "alice", "firstName": "Alice", "lastName": "Liddell", "email": "alice@example.com",
		"description": "operator", "enabled": true, "systemUser": false, "roles": []any{},
		"groups":      []any{map[string]any{"uuid": standGroup, "name": "ops"}},
		"certificate": map[string]any{"uuid": standUserCert, "fingerprint": "fp-login"},
		"customAttributes": []any{
			map[string]any{"uuid": standAttr1, "name": "department", "label": "Department", "type": "custom", "contentType": "string", "version": "v2", "content": []any{map[string]any{"data": "PKI"}}},
			map[string]any{"uuid": standAttr2, "name": "costCentre", "label": "Cost centre", "type": "custom", "contentType": "string", "version": "v2", "content": []any{map[string]any{"data": "42"}}},
		},
	}}
}

func TestUpdateUserKeepsWhatTheCallerDidNotTouch(t *testing.T) {
	core := newUserCore()
	c := standIn(t, core)
	ctx := context.Background()
	if _, err := c.UpdateUser(ctx, standUser, czertainly.UserInput{LastName: "Pleasance"}); err != nil {
		t.Fatal(err)
	}
	u := core.user
	if u["lastName"] != "Pleasance" {
		t.Errorf("lastName %v, want the update", u["lastName"])
	}
	if u["firstName"] != "Alice" || u["email"] != "alice@example.com" || u["description"] != "operator" {
		t.Errorf("untouched fields changed: %v %v %v", u["firstName"], u["email"], u["description"])
	}
	if crt, _ := u["certificate"].(map[string]any); crt == nil || crt["uuid"] != standUserCert {
		t.Errorf("login certificate %v, want it still linked", u["certificate"])
	}
	if gs, _ := u["groups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["uuid"] != standGroup {
		t.Errorf("groups %v, want the group kept", u["groups"])
	}
	if ca, _ := u["customAttributes"].([]any); len(ca) != 2 {
		t.Errorf("custom attributes %v, want both kept", u["customAttributes"])
	}
}

func TestUpdateUserMergesOneCustomAttribute(t *testing.T) {
	core := newUserCore()
	c := standIn(t, core)
	_, err := c.UpdateUser(context.Background(), standUser, czertainly.UserInput{CustomAttributes: []czertainly.RequestAttribute{
		{UUID: standAttr2, Name: "costCentre", ContentType: "string", Content: []map[string]any{{"data": "77"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, a := range core.user["customAttributes"].([]any) {
		m := a.(map[string]any)
		got[m["name"].(string)] = m["content"].([]any)[0].(map[string]any)["data"]
	}
	if got["department"] != "PKI" || got["costCentre"] != "77" || len(got) != 2 {
		t.Errorf("custom attributes after update %v, want department kept and costCentre changed", got)
	}
}

// RequestAttribute's doc lets an update name an attribute the object has
// by its name or UUID alone and give only the content; the rest of what
// Core needs on the wire (uuid, name, contentType, version:
// RequestAttribute.java:10 in CZERTAINLY-Interfaces 804df038) comes from
// the read. The second audit's probes found both forms refused before
// sending. A v3 content item also carries its type
// (BaseAttributeContentV3.java:20-34).
func TestUpdateUserChangesAnAttributeNamedByNameOrUUIDAlone(t *testing.T) {
	for name, ref := range map[string]czertainly.RequestAttribute{
		"by name": {Name: "costCentre"},
		"by UUID": {UUID: standAttr2},
	} {
		t.Run(name, func(t *testing.T) {
			core := newUserCore()
			c := standIn(t, core)
			ref.Content = []map[string]any{{"data": "77"}}
			if _, err := c.UpdateUser(context.Background(), standUser, czertainly.UserInput{CustomAttributes: []czertainly.RequestAttribute{ref}}); err != nil {
				t.Fatal(err)
			}
			got := map[string]map[string]any{}
			for _, a := range core.user["customAttributes"].([]any) {
				m := a.(map[string]any)
				got[m["name"].(string)] = m
			}
			cc := got["costCentre"]
			if len(got) != 2 || cc["uuid"] != standAttr2 || cc["contentType"] != "string" || cc["version"] != "v2" ||
				cc["content"].([]any)[0].(map[string]any)["data"] != "77" {
				t.Errorf("custom attributes after update %v, want costCentre changed with its uuid, type and version from the read", got)
			}
		})
	}
	// An attribute named by neither is refused before anything is sent.
	core := newUserCore()
	c := standIn(t, core)
	_, err := c.UpdateUser(context.Background(), standUser, czertainly.UserInput{CustomAttributes: []czertainly.RequestAttribute{{Content: []map[string]any{{"data": "1"}}}}})
	if !errors.Is(err, czertainly.ErrInvalidInput) {
		t.Errorf("an attribute without name or UUID: %v, want ErrInvalidInput", err)
	}
}

func TestDuplicateUserNameIsErrConflict(t *testing.T) {
	c := standIn(t, newUserCore())
	_, err := c.CreateUser(context.Background(), czertainly.UserInput{Username: "alice", Email: "a@example.com"})
	if !errors.Is(err, czertainly.ErrConflict) {
		t.Fatalf("error %v, want one matching ErrConflict", err)
	}
}

// A connector failure while an issue is submitted is a 400 with Core's
// "Failed to submit certificate request: …" (ClientOperationServiceImpl
// .java:233-237, ExceptionHandlingAdvice.java:420-425).
func TestSubmitFailureIsErrConnector(t *testing.T) {
	c := standIn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 400, map[string]string{"message": "Failed to submit certificate request: Connector communication failed. Error is related to connector name=ejbca, uuid=1."})
	}))
	csr, _ := csrFor(t, "www.example.com")
	_, err := c.IssueCertificate(context.Background(), czertainly.IssueInput{Profile: czertainly.Profile{AuthorityUUID: standAuthority, RAProfileUUID: standRA}, CSR: csr})
	if !errors.Is(err, czertainly.ErrConnector) {
		t.Fatalf("error %v, want one matching ErrConnector", err)
	}
}

// Attribute definitions as Core serialises them: version is an int
// (Interfaces DataAttributeV2.java:47, DataAttributeV3.java:48), a v3
// definition adds schemaVersion (DataAttributeV3.java:105), constraints
// and attributeCallback; a group attribute's content is definitions.
func TestAttributeDefinitionsDecodeEveryDocumentedForm(t *testing.T) {
	body := `[
 {"uuid":"a1","name":"endEntityProfile","type":"data","contentType":"string","version":2,
  "properties":{"label":"End entity profile","visible":true,"required":true,"readOnly":false,"list":true,"multiSelect":false},
  "content":[{"data":"default","reference":"default"}],
  "constraints":[{"type":"regExp","data":"^[a-z]+$","errorMessage":"lower case"}],
  "attributeCallback":{"callbackContext":"/v1/x","callbackMethod":"GET","mappings":[]}},
 {"uuid":"a2","name":"validity","type":"data","contentType":"integer","version":3,"schemaVersion":"v3",
  "properties":{"label":"Validity"},"content":[{"contentType":"integer","data":30}]},
 {"uuid":"a3","name":"group","type":"group","version":2,"content":[{"uuid":"a4","name":"inner","type":"info","contentType":"text","version":2}]},
 {"uuid":"a5","name":"legacy","type":"info","contentType":"text","version":"2"}
]`
	c := standIn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}))
	defs, err := c.ListIssueAttributes(context.Background(), czertainly.Profile{AuthorityUUID: standAuthority, RAProfileUUID: standRA})
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != 4 {
		t.Fatalf("%d definitions, want 4", len(defs))
	}
	if defs[0].Version != 2 || defs[1].Version != 3 || defs[1].SchemaVersion != "v3" || defs[3].Version != 2 {
		t.Errorf("versions %d %d %q %d", defs[0].Version, defs[1].Version, defs[1].SchemaVersion, defs[3].Version)
	}
	if len(defs[0].Constraints) != 1 || defs[0].Callback == nil || defs[0].Properties["label"] != "End entity profile" {
		t.Errorf("constraints %v, callback %v, properties %v", defs[0].Constraints, defs[0].Callback, defs[0].Properties)
	}
}

// pageIgnorer answers every page request with the same full page and an
// honest, larger total: a server (or proxy) that ignores pageNumber.
type pageIgnorer struct {
	mu   sync.Mutex
	hits map[string]int
}

func (s *pageIgnorer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	size := 10
	if v := r.URL.Query().Get("itemsPerPage"); v != "" {
		size, _ = strconv.Atoi(v)
	}
	switch strings.TrimPrefix(r.URL.Path, "/api") {
	case "/v1/certificates":
		var body struct {
			ItemsPerPage int `json:"itemsPerPage"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		var certs []map[string]any
		for i := range body.ItemsPerPage {
			certs = append(certs, map[string]any{"uuid": uuidN("c", i), "commonName": "c", "subjectDn": "CN=c", "publicKeyAlgorithm": "RSA",
				"hybridCertificate": false, "keySize": 2048, "state": "issued", "validationStatus": "valid", "certificateType": "X.509",
				"complianceStatus": "na", "privateKeyAvailability": false})
		}
		writeJSON(w, 200, map[string]any{"certificates": certs, "itemsPerPage": body.ItemsPerPage, "pageNumber": 1, "totalPages": 10, "totalItems": 10 * body.ItemsPerPage})
	case "/v1/approvalProfiles":
		var profiles []map[string]any
		for i := range size {
			profiles = append(profiles, map[string]any{"uuid": uuidN("p", i), "name": "p", "version": 1, "numberOfSteps": 1, "associations": 0})
		}
		writeJSON(w, 200, map[string]any{"approvalProfiles": profiles, "itemsPerPage": size, "pageNumber": 1, "totalPages": 10, "totalItems": 10 * size})
	default: // the approval lists
		var approvals []map[string]any
		for i := range size {
			approvals = append(approvals, map[string]any{"approvalUuid": uuidN("a", i), "creatorUuid": standUser, "version": 1,
				"createdAt": "2026-12-01T00:00:00Z", "expiryAt": "2026-12-02T00:00:00Z", "status": "PENDING", "resource": "certificates",
				"resourceAction": "issue", "objectUuid": uuidN("c", i), "approvalProfileName": "p", "approvalProfileUuid": uuidN("p", 0)})
		}
		writeJSON(w, 200, map[string]any{"approvals": approvals, "itemsPerPage": size, "pageNumber": 1, "totalPages": 10, "totalItems": 10 * size})
	}
}

func TestPagedListsStopWhenTheServerIgnoresThePage(t *testing.T) {
	ctx := context.Background()
	type list struct {
		name string
		path string
		run  func(c *czertainly.Client) (n int, dup bool, err error)
	}
	count := func(seq func(func(string, error) bool)) (int, bool, error) {
		seen, n := map[string]bool{}, 0
		var last error
		for id, err := range seq {
			if err != nil {
				last = err
				break
			}
			if seen[id] {
				return n, true, nil
			}
			seen[id] = true
			n++
		}
		return n, false, last
	}
	ids := func(seq func(func(czertainly.Approval, error) bool)) func(func(string, error) bool) {
		return func(yield func(string, error) bool) {
			for a, err := range seq {
				if !yield(a.UUID, err) {
					return
				}
			}
		}
	}
	lists := []list{
		{"ListCertificates", "/api/v1/certificates", func(c *czertainly.Client) (int, bool, error) {
			return count(func(yield func(string, error) bool) {
				for crt, err := range c.ListCertificates(ctx, czertainly.CertificateQuery{PageSize: 10}) {
					if !yield(crt.UUID, err) {
						return
					}
				}
			})
		}},
		{"ListApprovals", "/api/v1/approvals", func(c *czertainly.Client) (int, bool, error) {
			return count(ids(c.ListApprovals(ctx, czertainly.ApprovalQuery{PageSize: 10})))
		}},
		{"ListUserApprovals", "/api/v1/approvals/user", func(c *czertainly.Client) (int, bool, error) {
			return count(ids(c.ListUserApprovals(ctx, czertainly.ApprovalQuery{PageSize: 10})))
		}},
		{"ListCertificateApprovals", "/api/v1/certificates/" + standUserCert + "/approvals", func(c *czertainly.Client) (int, bool, error) {
			return count(ids(c.ListCertificateApprovals(ctx, standUserCert, czertainly.ApprovalQuery{PageSize: 10})))
		}},
		{"ListApprovalProfiles", "/api/v1/approvalProfiles", func(c *czertainly.Client) (int, bool, error) {
			return count(func(yield func(string, error) bool) {
				for p, err := range c.ListApprovalProfiles(ctx) {
					if !yield(p.UUID, err) {
						return
					}
				}
			})
		}},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			srv := &pageIgnorer{hits: map[string]int{}}
			c := standIn(t, srv)
			n, dup, err := l.run(c)
			if dup {
				t.Fatalf("a duplicate was yielded")
			}
			if err == nil {
				t.Fatalf("no error after %d items, want one saying the server ignores the page", n)
			}
			if hits := srv.hits[l.path]; hits > 2 {
				t.Errorf("%d requests, want at most 2", hits)
			}
		})
	}
}

// roleCore models Core's role update: name, description and email are
// replaced by the request's and the custom attributes by the request's
// list, none when it has none (RoleManagementServiceImpl.java:70-80,
// AttributeEngine.java:897-905).
type roleCore struct {
	mu   sync.Mutex
	role map[string]any
	sent []map[string]any
}

const standRole = "4c3d0f9a-0000-4000-8000-000000000001"

func (s *roleCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api")
	var body map[string]any
	if r.Body != nil {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	switch {
	case r.Method == http.MethodGet && p == "/v1/roles/"+standRole:
		writeJSON(w, 200, s.role)
	case (r.Method == http.MethodPut && p == "/v1/roles/"+standRole) || (r.Method == http.MethodPost && p == "/v1/roles"):
		s.sent = append(s.sent, body)
		role := map[string]any{"uuid": standRole, "systemRole": false, "users": []any{}}
		for _, k := range []string{"name", "description", "email"} {
			if v, ok := body[k]; ok {
				role[k] = v
			}
		}
		var custom []any
		if ca, ok := body["customAttributes"].([]any); ok {
			custom = ca
		}
		role["customAttributes"] = custom
		s.role = role
		writeJSON(w, 200, role)
	default:
		writeJSON(w, 404, map[string]string{"message": "no route " + r.Method + " " + p})
	}
}

func TestRolesCarryAndKeepCustomAttributes(t *testing.T) {
	core := &roleCore{}
	c := standIn(t, core)
	ctx := context.Background()
	attr := czertainly.RequestAttribute{UUID: standAttr1, Name: "department", ContentType: "string", Content: []map[string]any{{"data": "PKI"}}}
	if _, err := c.CreateRole(ctx, czertainly.RoleInput{Name: "operators", Description: "renew only", CustomAttributes: []czertainly.RequestAttribute{attr}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateRole(ctx, standRole, czertainly.RoleInput{Email: "ops@example.com"}); err != nil {
		t.Fatal(err)
	}
	r := core.role
	if r["name"] != "operators" || r["description"] != "renew only" || r["email"] != "ops@example.com" {
		t.Errorf("role after update %v", r)
	}
	if ca, _ := r["customAttributes"].([]any); len(ca) != 1 || ca[0].(map[string]any)["name"] != "department" {
		t.Errorf("custom attributes after update %v, want department kept", r["customAttributes"])
	}
	if _, err := c.UpdateRole(ctx, standRole, czertainly.RoleInput{RemoveCustomAttributes: []string{"department"}}); err != nil {
		t.Fatal(err)
	}
	if ca, _ := core.role["customAttributes"].([]any); len(ca) != 0 {
		t.Errorf("custom attributes after removal %v", ca)
	}
}

// inventoryCore models Core's background work: the bulk delete answers
// SUCCESS with 0 failed items and deletes later (CertificateController
// Impl.java:118-127, CertificateServiceImpl.java:589 @Async); a
// revocation answers 204 and leaves the certificate issued, or pending
// approval under an approval profile, until the action is processed
// (ClientOperationServiceImpl.java:737-753). background runs that later
// work on the n-th read, so the tests count requests, not time.
type inventoryCore struct {
	mu         sync.Mutex
	state      map[string]string
	pendingDel []string
	revokeTo   string // the state a revocation leads to first
	reads      int
	background int // the read on which the background work is done
	hits       map[string]int
	bodies     map[string]map[string]any
}

func newInventoryCore(ids ...string) *inventoryCore {
	s := &inventoryCore{state: map[string]string{}, hits: map[string]int{}, bodies: map[string]map[string]any{}, revokeTo: "issued"}
	for _, id := range ids {
		s.state[id] = "issued"
	}
	return s
}

func (s *inventoryCore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/api")
	s.hits[r.Method+" "+p]++
	var body map[string]any
	if r.Body != nil && r.Method != http.MethodGet {
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.bodies[r.Method+" "+p] = body
	}
	parts := strings.Split(p, "/")
	switch {
	case r.Method == http.MethodPost && p == "/v1/certificates/delete":
		for _, id := range body["uuids"].([]any) {
			s.pendingDel = append(s.pendingDel, id.(string))
		}
		writeJSON(w, 200, map[string]any{"status": "SUCCESS", "failedItem": 0, "message": "Initiated bulk delete Certificates. Please refresh after some time"})
	case r.Method == http.MethodPost && strings.HasSuffix(p, "/revoke"):
		s.state[parts[len(parts)-2]] = s.revokeTo
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && len(parts) == 5 && parts[4] == "approvals":
		approvals := []map[string]any{
			{"approvalUuid": "3e0a1b2c-0000-4000-8000-0000000000a1", "creatorUuid": standUser, "version": 1, "createdAt": "2026-12-01T00:00:00Z",
				"expiryAt": "2026-12-02T00:00:00Z", "status": "PENDING", "resource": "certificates", "resourceAction": "revoke",
				"objectUuid": parts[3], "approvalProfileName": "p", "approvalProfileUuid": uuidN("p", 0)},
			{"approvalUuid": "3e0a1b2c-0000-4000-8000-0000000000a0", "creatorUuid": standUser, "version": 1, "createdAt": "2026-11-01T00:00:00Z",
				"expiryAt": "2026-11-02T00:00:00Z", "status": "APPROVED", "resource": "certificates", "resourceAction": "issue",
				"objectUuid": parts[3], "approvalProfileName": "p", "approvalProfileUuid": uuidN("p", 0)},
		}
		writeJSON(w, 200, map[string]any{"approvals": approvals, "itemsPerPage": 10, "pageNumber": 1, "totalPages": 1, "totalItems": 2})
	case r.Method == http.MethodGet && len(parts) == 4 && parts[2] == "certificates":
		s.reads++
		if s.reads == s.background {
			for _, id := range s.pendingDel {
				delete(s.state, id)
			}
			for id, st := range s.state {
				if st == "issued" && s.hits["POST /v2/operations/authorities/"+standAuthority+"/raProfiles/"+standRA+"/certificates/"+id+"/revoke"] > 0 {
					s.state[id] = "revoked"
				}
			}
		}
		st, ok := s.state[parts[3]]
		if !ok {
			writeJSON(w, 404, map[string]string{"message": "Certificate with UUID " + parts[3] + " not found"})
			return
		}
		writeJSON(w, 200, map[string]any{"uuid": parts[3], "commonName": "c", "subjectDn": "CN=c", "publicKeyAlgorithm": "RSA",
			"hybridCertificate": false, "keySize": 2048, "state": st, "validationStatus": "valid", "certificateType": "X.509",
			"complianceStatus": "na", "privateKeyAvailability": false})
	case r.Method == http.MethodPatch && (p == "/v1/certificates" || len(parts) == 4):
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, 404, map[string]string{"message": "no route " + r.Method + " " + p})
	}
}

func TestDeleteCertificatesIsOnlyAccepted(t *testing.T) {
	a, b := uuidN("d", 1), uuidN("d", 2)
	core := newInventoryCore(a, b)
	core.background = 3 // the third read finds the deletion done
	c := standIn(t, core)
	ctx := context.Background()
	acc, err := c.DeleteCertificates(ctx, []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.UUIDs) != 2 || !strings.Contains(acc.Message, "Initiated") {
		t.Errorf("accepted %+v", acc)
	}
	left, err := c.RemainingCertificates(ctx, []string{a, b})
	if err != nil || len(left) != 2 {
		t.Fatalf("right after the call %v remain (%v), want both: Core deletes in the background", left, err)
	}
	if err := c.WaitForDeletion(ctx, []string{a, b}); err != nil {
		t.Fatal(err)
	}
	if core.reads != 4 {
		t.Errorf("%d reads, want 4 (two that find both, then two that find them gone)", core.reads)
	}
}

func TestWaitForDeletionNamesWhatIsLeft(t *testing.T) {
	a := uuidN("d", 1)
	core := newInventoryCore(a) // the background never runs
	c := standIn(t, core, czertainly.WithWaitTimeout(0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.WaitForDeletion(ctx, []string{a})
	var de *czertainly.DeletionPendingError
	if !errors.As(err, &de) {
		t.Fatalf("error %v, want a *DeletionPendingError", err)
	}
	if len(de.Remaining) != 1 || de.Remaining[0] != a {
		t.Errorf("remaining %v", de.Remaining)
	}
}

func TestRevocationIsAsynchronous(t *testing.T) {
	id := uuidN("r", 1)
	core := newInventoryCore(id)
	core.background = 2
	c := standIn(t, core)
	ctx := context.Background()
	prof := czertainly.Profile{AuthorityUUID: standAuthority, RAProfileUUID: standRA}
	if err := c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: prof, CertificateUUID: id}); err != nil {
		t.Fatal(err)
	}
	d, err := c.GetCertificate(ctx, id)
	if err != nil || d.State != czertainly.CertificateStateIssued {
		t.Fatalf("right after the 204: %v, %v; Core still shows it issued", d, err)
	}
	d, err = c.WaitForRevocation(ctx, id)
	if err != nil || d.State != czertainly.CertificateStateRevoked {
		t.Fatalf("after the wait: %+v, %v", d, err)
	}
}

func TestRevocationUnderApprovalIsPendingWithItsApprovals(t *testing.T) {
	id := uuidN("r", 2)
	core := newInventoryCore(id)
	core.revokeTo = "pending_approval"
	c := standIn(t, core)
	ctx := context.Background()
	prof := czertainly.Profile{AuthorityUUID: standAuthority, RAProfileUUID: standRA}
	if err := c.RevokeCertificate(ctx, czertainly.RevokeInput{Profile: prof, CertificateUUID: id}); err != nil {
		t.Fatal(err)
	}
	_, err := c.WaitForRevocation(ctx, id, czertainly.WithApprovalWait(0))
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || !errors.Is(err, czertainly.ErrApprovalPending) {
		t.Fatalf("error %v, want a *PendingError pending approval", err)
	}
	if len(pe.Approvals) != 1 || pe.Approvals[0] != "3e0a1b2c-0000-4000-8000-0000000000a1" {
		t.Errorf("approvals %v, want the one pending approval", pe.Approvals)
	}
}

func TestCertificateUpdatesClearWithEmptyString(t *testing.T) {
	id := uuidN("u", 1)
	core := newInventoryCore(id)
	c := standIn(t, core)
	ctx := context.Background()
	empty := ""
	if err := c.UpdateCertificate(ctx, id, czertainly.CertificateUpdate{OwnerUUID: &empty, RAProfileUUID: &empty}); err != nil {
		t.Fatal(err)
	}
	got := core.bodies["PATCH /v1/certificates/"+id]
	if v, ok := got["ownerUuid"]; !ok || v != "" {
		t.Errorf("body %v, want ownerUuid \"\"", got)
	}
	if v, ok := got["raProfileUuid"]; !ok || v != "" {
		t.Errorf("body %v, want raProfileUuid \"\"", got)
	}
	groups := []string{standGroup}
	if err := c.BulkUpdateCertificates(ctx, []string{id}, czertainly.CertificateUpdate{OwnerUUID: &empty, GroupUUIDs: &groups}); err != nil {
		t.Fatal(err)
	}
	got = core.bodies["PATCH /v1/certificates"]
	if ids, _ := got["certificateUuids"].([]any); len(ids) != 1 || got["ownerUuid"] != "" || len(got["groupUuids"].([]any)) != 1 {
		t.Errorf("bulk body %v", got)
	}
	trusted := true
	if err := c.BulkUpdateCertificates(ctx, []string{id}, czertainly.CertificateUpdate{TrustedCA: &trusted}); !errors.Is(err, czertainly.ErrInvalidInput) {
		t.Errorf("bulk trustedCa: %v, want ErrInvalidInput", err)
	}
}

// The reads users reach for first, in the shapes of the vendor's 2.17.0
// documents (doc-openapi-core-certificate.yaml CertificateRelationsDto,
// doc-openapi-core-authority.yaml AuthorityInstanceDto,
// doc-openapi-core-group.yaml GroupDto).
func TestRelationsAuthoritiesAndGroups(t *testing.T) {
	id := uuidN("x", 1)
	c := standIn(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/api") {
		case "/v1/certificates/" + id + "/relations":
			writeJSON(w, 200, map[string]any{"certificateUuid": id, "predecessorCertificates": []any{},
				"successorCertificates": []any{map[string]any{"uuid": uuidN("x", 2), "certificateType": "X.509", "state": "pending_approval",
					"relationType": "pending", "commonName": "x", "publicKeyAlgorithm": "RSA"}}})
		case "/v1/authorities":
			writeJSON(w, 200, []any{map[string]any{"uuid": standAuthority, "name": "ejbca", "attributes": []any{}, "status": "connected", "kind": "EJBCA", "connectorUuid": "c1"}})
		case "/v1/groups":
			writeJSON(w, 200, []any{map[string]any{"uuid": standGroup, "name": "ops", "email": "ops@example.com"}})
		default:
			writeJSON(w, 404, map[string]string{"message": "no route"})
		}
	}))
	ctx := context.Background()
	rel, err := c.GetCertificateRelations(ctx, id)
	if err != nil || len(rel.Successors) != 1 || rel.Successors[0].RelationType != czertainly.CertificateRelationPending || rel.Successors[0].State != czertainly.CertificateStatePendingApproval {
		t.Errorf("relations %+v, %v", rel, err)
	}
	auths, err := c.ListAuthorities(ctx)
	if err != nil || len(auths) != 1 || auths[0].UUID != standAuthority || auths[0].Kind != "EJBCA" {
		t.Errorf("authorities %+v, %v", auths, err)
	}
	groups, err := c.ListGroups(ctx)
	if err != nil || len(groups) != 1 || groups[0].UUID != standGroup {
		t.Errorf("groups %+v, %v", groups, err)
	}
}

// An issue under an approval profile: Core answers with the new
// certificate's UUID and the certificate waits in pending_approval
// (ClientOperationServiceImpl.java:207-260, 263-269).
func TestEnrollPendingApprovalCarriesItsApprovals(t *testing.T) {
	id := uuidN("e", 1)
	core := newInventoryCore()
	core.state[id] = "pending_approval"
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/operations/authorities/{a}/raProfiles/{r}/certificates", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"uuid": id, "certificateData": ""})
	})
	mux.Handle("/", core)
	c := standIn(t, mux)
	_, err := c.Enroll(context.Background(), czertainly.EnrollInput{Profile: czertainly.Profile{AuthorityUUID: standAuthority, RAProfileUUID: standRA},
		DNSNames: []string{"www.example.com"}}, czertainly.WithApprovalWait(0))
	var pe *czertainly.PendingError
	if !errors.As(err, &pe) || pe.Key == nil {
		t.Fatalf("error %v, want a *PendingError holding the key", err)
	}
	if len(pe.Approvals) != 1 || pe.Approvals[0] != "3e0a1b2c-0000-4000-8000-0000000000a1" {
		t.Errorf("approvals %v, want the pending one", pe.Approvals)
	}
}
