package adminv1test_test

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

// raw is a plain net/http client for the fake that presents certs (none:
// no client certificate) and trusts the fake's CA.
func raw(srv *adminv1test.Server, certs ...tls.Certificate) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: srv.CA.Pool(), Certificates: certs, MinVersion: tls.VersionTLS12,
	}}}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request as the super administrator and reads the answer.
func send(t *testing.T, c *http.Client, method, url, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func TestFixturesAreTheDocumentationSamples(t *testing.T) {
	text, err := adminv1test.Fixture("admins.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(text, []byte("[- {\n- \"uuid\": \"7b55ge1c-844f-11dc-a8a3-0242ac120002\",")) {
		t.Errorf("admins.txt does not start as the rendered sample: %q", text[:min(60, len(text))])
	}
	js, err := adminv1test.SampleJSON("admins")
	if err != nil {
		t.Fatal(err)
	}
	var admins []map[string]any
	if err := json.Unmarshal(js, &admins); err != nil || len(admins) != 1 || admins[0]["uuid"] != adminv1test.SampleAdminUUID {
		t.Errorf("SampleJSON(admins) = %v, %v", admins, err)
	}
	if _, err := adminv1test.Fixture("missing.txt"); err == nil {
		t.Error("a missing fixture gave no error")
	}
	if _, err := adminv1test.SampleJSON("../server.go"); err == nil {
		t.Error("SampleJSON read outside testdata")
	}
}

func TestAdminReturnsACopyInTheClientsTypes(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	a, ok := srv.Admin(adminv1test.SuperAdminUUID)
	if !ok || a.Username != adminv1test.SuperAdminUsername || a.Role != adminv1.RoleSuperAdministrator || !a.Enabled {
		t.Fatalf("Admin(super) = %+v, %v", a, ok)
	}
	if a.SerialNumber != srv.ClientCertificate.Leaf.SerialNumber.Text(16) {
		t.Errorf("serial %s, want the client certificate's", a.SerialNumber)
	}
	a.Enabled = false
	if again, _ := srv.Admin(adminv1test.SuperAdminUUID); !again.Enabled {
		t.Error("changing the returned administrator changed the store")
	}
	if _, ok := srv.Admin("c2f685d4-6a3e-11ec-90d6-0242ac120003"); ok {
		t.Error("an unknown UUID was found")
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("%d seeded administrators, want the sample and the super administrator", n)
	}
}

func TestWriteClientFiles(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	f, err := srv.WriteClientFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pair.Certificate[0], srv.ClientCertificate.Leaf.Raw) {
		t.Error("CertFile does not hold ClientCertificate")
	}
	c, err := adminv1.NewClient(srv.URL, adminv1.WithClientCertificateFiles(f.CertFile, f.KeyFile), adminv1.WithRootCAFile(f.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAdmin(t.Context(), adminv1test.SuperAdminUUID); err != nil {
		t.Error(err)
	}
}

func TestRootCAsTrustsTheServer(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	if srv.Certificate() == nil || srv.TLSRootCAs() == nil {
		t.Fatal("no server certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: srv.TLSRootCAs(), Certificates: []tls.Certificate{srv.ClientCertificate}, MinVersion: tls.VersionTLS12,
	}}}
	if a := send(t, c, http.MethodGet, srv.URL+"/v1/admins", "", ""); a.status != http.StatusOK {
		t.Errorf("list with RootCAs: %d %s", a.status, a.body)
	}
}

// newRawServer starts a fake for tests that send requests the spec does
// not allow: its violations are expected, so it is closed by hand.
func newRawServer(t *testing.T, opts ...adminv1test.Option) *adminv1test.Server {
	t.Helper()
	srv, err := adminv1test.NewServer(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if u := srv.UnusedFaults(); len(u) != 0 {
			t.Errorf("unused faults: %+v", u)
		}
		srv.Close()
	})
	return srv
}

func decode[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("%d %s: %v", a.status, a.body, err)
	}
	return v
}

type springError struct {
	Timestamp string  `json:"timestamp"`
	Status    int     `json:"status"`
	Error     string  `json:"error"`
	Path      string  `json:"path"`
	Message   *string `json:"message"`
}

func TestFakeAnswersAsTheServerDoes(t *testing.T) {
	srv := newRawServer(t)
	super := raw(srv, srv.ClientCertificate)
	admins := srv.URL + "/v1/admins"

	// No client certificate: the handshake succeeds (the connector only
	// asks for one) and Spring Security answers 403.
	a := send(t, raw(srv), http.MethodGet, admins, "", "")
	if e := decode[springError](t, a); a.status != http.StatusForbidden || e.Status != 403 || e.Error != "Forbidden" ||
		e.Path != "/api/v1/admins" || e.Message != nil || e.Timestamp == "" || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("no certificate: %d %s", a.status, a.body)
	}
	// Also on a path the API does not have.
	if a := send(t, raw(srv), http.MethodGet, srv.URL+"/v1/users", "", ""); a.status != http.StatusForbidden {
		t.Errorf("no certificate, unknown path: %d %s", a.status, a.body)
	}
	// A path the API does not have: Spring Boot's 404.
	a = send(t, super, http.MethodGet, srv.URL+"/v1/users", "", "")
	if e := decode[springError](t, a); a.status != http.StatusNotFound || e.Error != "Not Found" || e.Path != "/api/v1/users" {
		t.Errorf("unknown path: %d %s", a.status, a.body)
	}
	// Outside the context path: Tomcat's own HTML page.
	root := strings.TrimSuffix(srv.URL, adminv1test.BasePath)
	a = send(t, super, http.MethodGet, root+"/v1/admins", "", "")
	if a.status != http.StatusNotFound || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !bytes.Contains(a.body, []byte("HTTP Status 404")) {
		t.Errorf("outside /api: %d %s %s", a.status, a.header.Get("Content-Type"), a.body)
	}
	// Another method on a known path, or another Content-Type: the
	// catch-all handler's 500, no 405 or 415.
	for _, req := range []struct{ method, url, contentType, body string }{
		{http.MethodPatch, admins, "application/json", "{}"},
		{http.MethodPut, admins + "/" + adminv1test.SuperAdminUUID, "application/json", "{}"},
		{http.MethodPut, admins + "/" + adminv1test.SuperAdminUUID + "/enable", "", ""},
		{http.MethodPost, admins, "text/plain", "{}"},
	} {
		a := send(t, super, req.method, req.url, req.contentType, req.body)
		if m := decode[map[string]string](t, a); a.status != http.StatusInternalServerError || m["message"] != "Internal server error." || a.header.Get("Allow") != "" {
			t.Errorf("%s %s (%q): %d %v %s", req.method, req.url, req.contentType, a.status, a.header, a.body)
		}
	}
	// A body that is not the expected JSON: 400.
	for _, body := range []string{"{", `{"name":1}`, `{"role":"root","username":"x"}`, `"x"`} {
		a := send(t, super, http.MethodPost, admins, "application/json", body)
		if m := decode[map[string]string](t, a); a.status != http.StatusBadRequest || m["message"] != "Unable to read HTTP message" {
			t.Errorf("create %s: %d %s", body, a.status, a.body)
		}
	}
	if a := send(t, super, http.MethodPut, admins+"/disable", "application/json", `{"uuid":"x"}`); a.status != http.StatusBadRequest {
		t.Errorf("bulk with an object: %d %s", a.status, a.body)
	}
	// Unknown administrators, one at a time: the application's 404.
	const unknown = "c2f685d4-6a3e-11ec-90d6-0242ac120003"
	for _, req := range []struct{ method, url string }{
		{http.MethodGet, admins + "/" + unknown}, {http.MethodDelete, admins + "/" + unknown},
		{http.MethodPut, admins + "/" + unknown + "/enable"}, {http.MethodPut, admins + "/" + unknown + "/disable"},
	} {
		a := send(t, super, req.method, req.url, "application/json", "")
		if m := decode[map[string]string](t, a); a.status != http.StatusNotFound ||
			m["message"] != "Object of type 'Admin' identified by "+unknown+" was not found or is not enabled." {
			t.Errorf("%s %s: %d %s", req.method, req.url, a.status, a.body)
		}
	}
	if len(srv.SpecViolations()) == 0 {
		t.Error("the requests outside the spec were not recorded")
	}
	if srv.AdminCount() != 2 {
		t.Errorf("%d administrators, want the 2 seeded", srv.AdminCount())
	}
}

func TestFakeCreateChecksInTheServersOrder(t *testing.T) {
	srv := newRawServer(t) // the incomplete bodies break the spec
	super := raw(srv, srv.ClientCertificate)
	admins := srv.URL + "/v1/admins"
	certB64 := func(name string) string {
		c, err := srv.CA.IssueClientCertificate(name)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(c.Leaf.Raw)
	}
	inventorySerial := srv.InventoryCertificate.Leaf.SerialNumber.Text(16)
	inventoryB64 := base64.StdEncoding.EncodeToString(srv.InventoryCertificate.Leaf.Raw)
	for _, tc := range []struct {
		name, body string
		status     int
		message    string
	}{
		{"blank username", `{"username":" ","name":"n","surname":"s","email":"e","role":"administrator"}`, 422, ""},
		{"no name", `{"username":"u","surname":"s","email":"e","role":"administrator"}`, 422, ""},
		{"blank email", `{"username":"u","name":"n","surname":"s","email":"","role":"administrator"}`, 422, ""},
		{"taken username", `{"username":"superadmin","name":"n","surname":"s","email":"e","role":"administrator","certificateUuid":"x"}`, 400,
			"Object of type 'Admin' identified by superadmin already exists."},
		{"no certificate", `{"username":"u","name":"n","surname":"s","email":"e","role":"administrator"}`, 404,
			"Object of type 'Certificate' identified by null was not found or is not enabled."},
		{"not a certificate", `{"username":"u","name":"n","surname":"s","email":"e","role":"administrator","adminCertificate":"string"}`, 500,
			"Internal server error."},
		{"uploaded certificate in the inventory", `{"username":"u","name":"n","surname":"s","email":"e","role":"administrator","adminCertificate":"` + inventoryB64 + `"}`, 400,
			"Object of type 'Certificate' identified by " + inventorySerial + " already exists."},
		{"certificate of an administrator", `{"username":"u","name":"n","surname":"s","email":"e","role":"administrator","adminCertificate":"` +
			base64.StdEncoding.EncodeToString(srv.ClientCertificate.Leaf.Raw) + `"}`, 400,
			"Object of type 'Admin' identified by " + srv.ClientCertificate.Leaf.SerialNumber.Text(16) + " already exists."},
	} {
		a := send(t, super, http.MethodPost, admins, "application/json", tc.body)
		if tc.status == 422 {
			if got := decode[[]string](t, a); a.status != 422 || got == nil || len(got) != 0 {
				t.Errorf("%s: %d %s, want 422 []", tc.name, a.status, a.body)
			}
			continue
		}
		if m := decode[map[string]string](t, a); a.status != tc.status || m["message"] != tc.message {
			t.Errorf("%s: %d %s, want %d %q", tc.name, a.status, a.body, tc.status, tc.message)
		}
	}
	if n := srv.AdminCount(); n != 2 {
		t.Fatalf("%d administrators after refused creates", n)
	}
	// No role: administrator; no description: none in the answer.
	a := send(t, super, http.MethodPost, admins, "application/json", `{"username":"u","name":"n","surname":"s","email":"e","adminCertificate":"`+certB64("u")+`"}`)
	created := decode[map[string]string](t, a)
	if a.status != http.StatusCreated || a.header.Get("Location") != "https://"+strings.TrimPrefix(srv.URL, "https://")+"/v1/admins/"+created["uuid"] {
		t.Fatalf("create: %d %v %s", a.status, a.header, a.body)
	}
	got := decode[map[string]any](t, send(t, super, http.MethodGet, admins+"/"+created["uuid"], "", ""))
	if _, has := got["description"]; has || got["role"] != "administrator" || got["enabled"] != false {
		t.Errorf("created administrator: %v", got)
	}
}

func TestFakeEditIsNotAPatch(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	super := raw(srv, srv.ClientCertificate)
	url := srv.URL + "/v1/admins/" + adminv1test.SuperAdminUUID
	edit := func(body string) answer { return send(t, super, http.MethodPost, url, "application/json", body) }
	stored := func() map[string]any {
		return decode[map[string]any](t, send(t, super, http.MethodGet, url, "", ""))
	}
	before := stored()

	// A patch of one field: name, surname and email are then blank.
	if a := edit(`{"role":"superAdministrator"}`); a.status != 422 || string(bytes.TrimSpace(a.body)) != "[]" {
		t.Errorf("role only: %d %s, want 422 []", a.status, a.body)
	}
	if a := edit(`{"name":"Super","surname":"Admin","email":" "}`); a.status != 422 {
		t.Errorf("blank email: %d %s", a.status, a.body)
	}
	// All three: description absent clears it, role absent keeps it.
	a := edit(`{"name":"Sue","surname":"Admin","email":"sue@example.com"}`)
	got := decode[map[string]any](t, a)
	if _, has := got["description"]; a.status != 200 || has || got["name"] != "Sue" || got["role"] != "superAdministrator" ||
		got["serialNumber"] != before["serialNumber"] {
		t.Errorf("edit: %d %v", a.status, got)
	}
	if _, has := stored()["description"]; has {
		t.Error("the description was kept")
	}
	// adminCertificate without certificateUuid: the server fails with 500
	// and changes nothing.
	next, err := srv.CA.IssueClientCertificate("next")
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(next.Leaf.Raw)
	if a := edit(`{"name":"Sue","surname":"Admin","email":"sue@example.com","description":"x","adminCertificate":"` + b64 + `"}`); a.status != 500 ||
		!bytes.Contains(a.body, []byte(`"Internal server error."`)) {
		t.Errorf("adminCertificate alone: %d %s", a.status, a.body)
	}
	if now := stored(); now["serialNumber"] != before["serialNumber"] || now["description"] != nil {
		t.Errorf("a failed edit changed the administrator: %v", now)
	}
	// With certificateUuid "" it is the uploaded certificate.
	a = edit(`{"name":"Sue","surname":"Admin","email":"sue@example.com","description":"x","adminCertificate":"` + b64 + `","certificateUuid":""}`)
	if got := decode[map[string]any](t, a); a.status != 200 || got["serialNumber"] != next.Leaf.SerialNumber.Text(16) || got["description"] != "x" {
		t.Errorf("upload: %d %v", a.status, got)
	}
	// The old client certificate no longer signs in; the new one does.
	if a := send(t, super, http.MethodGet, url, "", ""); a.status != http.StatusForbidden {
		t.Errorf("old certificate after the change: %d", a.status)
	}
	if a := send(t, raw(srv, next), http.MethodGet, url, "", ""); a.status != http.StatusOK {
		t.Errorf("new certificate: %d %s", a.status, a.body)
	}
}

func TestFakeBulkSkipsUnknownUUIDs(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	super := raw(srv, srv.ClientCertificate)
	body, err := adminv1test.SampleJSON("bulk-request")
	if err != nil {
		t.Fatal(err)
	}
	withSample := strings.Replace(string(body), "[", `["`+adminv1test.SampleAdminUUID+`",`, 1)
	if a := send(t, super, http.MethodPut, srv.URL+"/v1/admins/disable", "application/json", withSample); a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Errorf("bulk disable: %d %s", a.status, a.body)
	}
	if a, _ := srv.Admin(adminv1test.SampleAdminUUID); a.Enabled {
		t.Error("the known administrator stayed enabled")
	}
	if a := send(t, super, http.MethodDelete, srv.URL+"/v1/admins", "application/json", string(body)); a.status != http.StatusNoContent {
		t.Errorf("bulk delete of unknown UUIDs: %d %s", a.status, a.body)
	}
	want := []string{"c2f685d4-6a3e-11ec-90d6-0242ac120003", "b9b09548-a97c-4c6a-a06a-e4ee6fc2da98"}
	if got := srv.SkippedUUIDs(); len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[0] || got[3] != want[1] {
		t.Errorf("skipped %v", got)
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("%d administrators", n)
	}
}

func TestFakeSignIn(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	super := raw(srv, srv.ClientCertificate)
	admins := srv.URL + "/v1/admins"
	// An enabled administrator who is not a super administrator signs in,
	// but AdminServiceImpl is for super administrators only.
	op, err := srv.CA.IssueClientCertificate("operator")
	if err != nil {
		t.Fatal(err)
	}
	a := send(t, super, http.MethodPost, admins, "application/json", `{"username":"operator","name":"O","surname":"P","email":"o@example.com",`+
		`"role":"administrator","enabled":true,"adminCertificate":"`+base64.StdEncoding.EncodeToString(op.Leaf.Raw)+`"}`)
	if a.status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	if a := send(t, raw(srv, op), http.MethodGet, admins, "", ""); a.status != http.StatusForbidden {
		t.Errorf("administrator role: %d %s", a.status, a.body)
	}
	// A disabled super administrator does not sign in at all.
	if a := send(t, super, http.MethodPut, admins+"/"+adminv1test.SuperAdminUUID+"/disable", "application/json", ""); a.status != http.StatusNoContent {
		t.Fatalf("disable: %d %s", a.status, a.body)
	}
	if a := send(t, super, http.MethodGet, admins, "", ""); a.status != http.StatusForbidden {
		t.Errorf("disabled: %d %s", a.status, a.body)
	}
}

func TestFakeCertificateHeader(t *testing.T) {
	srv := adminv1test.NewTestServer(t, adminv1test.WithCertificateHeader("ssl-client-cert"))
	noCert := raw(srv)
	get := func(header string) answer {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/admins", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("ssl-client-cert", header)
		resp, err := noCert.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header, b}
	}
	certPEM, _, err := adminv1test.EncodePEM(srv.ClientCertificate)
	if err != nil {
		t.Fatal(err)
	}
	if a := get(url.QueryEscape(string(certPEM))); a.status != http.StatusOK {
		t.Errorf("URL-encoded PEM: %d %s", a.status, a.body)
	}
	// Base64 DER must be URL-encoded too: the server URL-decodes first,
	// which turns a '+' into a space.
	der := base64.StdEncoding.EncodeToString(srv.ClientCertificate.Leaf.Raw)
	if a := get(url.QueryEscape(der)); a.status != http.StatusOK {
		t.Errorf("Base64 DER: %d %s", a.status, a.body)
	}
	if strings.Contains(der, "+") {
		if a := get(der); a.status != http.StatusForbidden {
			t.Errorf("Base64 DER with a bare '+': %d %s", a.status, a.body)
		}
	}
	if a := get("not a certificate"); a.status != http.StatusForbidden || string(a.body) != "Fail to decode certificate in header\n" ||
		!strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") {
		t.Errorf("garbage: %d %q", a.status, a.body)
	}
	other, err := adminv1test.NewCA("other")
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := other.IssueClientCertificate("stranger")
	if err != nil {
		t.Fatal(err)
	}
	if a := get(url.QueryEscape(base64.StdEncoding.EncodeToString(stranger.Leaf.Raw))); a.status != http.StatusForbidden || string(a.body) != "Certificate in header is invalid\n" {
		t.Errorf("another CA: %d %q", a.status, a.body)
	}
	if a := send(t, noCert, http.MethodGet, srv.URL+"/v1/admins", "", ""); a.status != http.StatusForbidden {
		t.Errorf("no header: %d %s", a.status, a.body)
	}
}
