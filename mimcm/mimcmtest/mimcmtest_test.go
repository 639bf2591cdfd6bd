package mimcmtest_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func get(t *testing.T, srv *mimcmtest.Server, path, user, password string) (int, string) {
	t.Helper()
	resp, body := send(t, srv, http.MethodGet, path, user, password)
	return resp.StatusCode, body
}

// send makes one request with basic credentials and returns the answer
// with its body read.
func send(t *testing.T, srv *mimcmtest.Server, method, path, user, password string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestServesSamplesVerbatimAndWritesUnsetValuesLikeTheServer(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	sample, err := mimcmtest.Fixture(mimcmtest.FixtureEnroll)
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, srv, "/CertificateManagement/api/v1.0/requests/"+mimcmtest.SampleEnrollID.String(), srv.Username, srv.Password)
	if code != 200 || body != strings.TrimSpace(string(sample)) {
		t.Errorf("sample not served verbatim: %d %q", code, body)
	}
	id := uuid.New()
	if err := srv.AddRequest(mimcm.Request{UUID: id, Status: 4}); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, srv, "/CertificateManagement/api/v1.0/requests/"+id.String(), srv.Username, srv.Password)
	for _, want := range []string{`"Completed":"0001-01-01T00:00:00"`, `"NewProfileUuid":"00000000-0000-0000-0000-000000000000"`} {
		if !strings.Contains(body, want) {
			t.Errorf("stored request lacks %s: %s", want, body)
		}
	}
	code, _ = get(t, srv, "/CertificateManagement/api/v1.0/requests?status=Denied", srv.Username, srv.Password)
	if code != http.StatusNoContent {
		t.Errorf("status 4 has no filter name yet: got %d, want 204", code)
	}
	srv.SetStatusName(4, mimcm.StatusDenied)
	code, body = get(t, srv, "/CertificateManagement/api/v1.0/requests?status=Denied", srv.Username, srv.Password)
	if code != 200 || !strings.Contains(body, id.String()) || strings.Contains(body, mimcmtest.SampleEnrollID.String()) {
		t.Errorf("status filter after SetStatusName: %d %s", code, body)
	}
	if code, _ := get(t, srv, "/CertificateManagement/api/v1.0/requests", srv.Username, "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- srv.AddRequest(mimcm.Request{UUID: uuid.New(), Status: 3, TargetUserUUID: &mimcmtest.UserUUID, Comment: fmt.Sprint(i)})
		}()
		go func() {
			defer wg.Done()
			_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusApproved})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	list, err := c.ListRequests(context.Background(), mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusApproved})
	if err != nil || len(list) != 2+n {
		t.Errorf("after %d concurrent adds: %d requests, %v", n, len(list), err)
	}
}

func TestServesHTTPSWithTLS(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithTLS())
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("URL %s is not HTTPS", srv.URL)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(srv.Username, srv.Password), mimcm.WithRootCAs(pool))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if err != nil || r.UUID != mimcmtest.SampleEnrollID {
		t.Fatalf("over TLS: %v", err)
	}
	// The fake's own client options trust its certificate.
	c2, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.GetRequest(context.Background(), mimcmtest.SampleUnblockID); err != nil {
		t.Fatalf("srv.NewClient over TLS: %v", err)
	}
}

func TestNewServerThenNewClient(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if err != nil || r.Type != mimcm.RequestTypeEnroll {
		t.Fatalf("GetRequest: %+v, %v", r, err)
	}
	if srv.Username != mimcmtest.Username || srv.Password != mimcmtest.Password {
		t.Errorf("default credentials: %q %q", srv.Username, srv.Password)
	}
	if u := srv.UnusedFaults(); len(u) != 0 {
		t.Errorf("unused faults: %+v", u)
	}
	srv.Close()
}

func TestWithCredentialsAndUnusedFaults(t *testing.T) {
	srv, err := mimcmtest.NewServer(mimcmtest.WithCredentials(`CONTOSO\someone`, "someone-password"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, srv, "/CertificateManagement/api/v1.0/requests", mimcmtest.Username, mimcmtest.Password); code != http.StatusUnauthorized {
		t.Errorf("the default credentials after WithCredentials: %d, want 401", code)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListRequests(context.Background(), mimcm.RequestFilter{}); err != nil {
		t.Errorf("srv.NewClient must use the replaced credentials: %v", err)
	}
	srv.Inject(mimcmtest.Fault{PathSuffix: "/nowhere", Status: http.StatusTeapot})
	if u := srv.UnusedFaults(); len(u) != 1 || u[0].PathSuffix != "/nowhere" {
		t.Errorf("UnusedFaults must report the unused fault: %+v", u)
	}
	srv.Close()
}

func TestFixtures(t *testing.T) {
	for _, name := range []string{mimcmtest.FixtureEnroll, mimcmtest.FixtureUnblock} {
		if b, err := mimcmtest.Fixture(name); err != nil || !strings.Contains(string(b), `"Uuid"`) {
			t.Errorf("Fixture(%s): %v", name, err)
		}
	}
	if _, err := mimcmtest.Fixture("missing.json"); err == nil {
		t.Error("Fixture of a missing file must fail")
	}
}

// The vendor's own examples write /certificatemanagement/…: IIS matches
// paths in any letter case, and Web API query parameter names too.
func TestPathsMatchInAnyLetterCase(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sample, err := mimcmtest.Fixture(mimcmtest.FixtureEnroll)
	if err != nil {
		t.Fatal(err)
	}
	id := mimcmtest.SampleEnrollID.String()
	for _, path := range []string{
		"/certificatemanagement/api/v1.0/requests/" + id,
		"/CERTIFICATEMANAGEMENT/API/V1.0/REQUESTS/" + strings.ToUpper(id),
		"/CertificateManagement/api/v1.0/Requests/{" + id + "}",
		"/certificatemanagement/api/v1.0/requests/" + id + "/",
	} {
		code, body := get(t, srv, path, srv.Username, srv.Password)
		if code != http.StatusOK || body != strings.TrimSpace(string(sample)) {
			t.Errorf("GET %s: %d %.80q", path, code, body)
		}
	}
	for _, path := range []string{
		"/certificatemanagement/api/v1.0/requests?status=Completed",
		"/CertificateManagement/api/v1.0/requests/?Status=Completed",
		"/certificatemanagement/api/v1.0/REQUESTS?STATUS=Approved&TargetUser=current",
	} {
		code, body := get(t, srv, path, srv.Username, srv.Password)
		wantCode := http.StatusNoContent
		if strings.HasSuffix(path, "current") {
			wantCode = http.StatusOK
		}
		if code != wantCode || (code == http.StatusOK && !strings.Contains(body, id)) {
			t.Errorf("GET %s: %d %.80q, want %d", path, code, body, wantCode)
		}
	}
	// The path is put in the spec's spelling before validation, so no
	// spelling is recorded as an unknown operation.
	if v := srv.SpecViolations(); len(v) != 0 {
		t.Errorf("violations for paths the server accepts: %q", v)
	}
}

func TestAnswersLikeTheVendor(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	const api = "/CertificateManagement/api/v1.0"
	item := api + "/requests/" + mimcmtest.SampleEnrollID.String()
	user, password := srv.Username, srv.Password
	cases := []struct {
		name                string
		method, path        string
		user, password      string
		disabled            bool
		status              int
		contentType, inBody string
		allow, authenticate string
	}{
		{"unknown path in the API", "GET", api + "/widgets?x=1", user, password, false, 404, "application/json", `"Message":"No resource of the API matches the request URI 'http://` + strings.TrimPrefix(srv.URL, "http://") + api + `/widgets?x=1'."`, "", ""},
		{"unknown path in lower case", "GET", "/certificatemanagement/api/v1.0/widgets", user, password, false, 404, "application/json", "/certificatemanagement/api/v1.0/widgets", "", ""},
		{"path outside the API", "GET", "/default.aspx", user, password, false, 404, "text/html", "404", "", ""},
		{"wrong method", "DELETE", item, user, password, false, 405, "application/json", `'DELETE'`, "GET, HEAD, PUT", ""},
		{"wrong method on the list", "PATCH", api + "/requests", user, password, false, 405, "application/json", `'PATCH'`, "GET, HEAD, POST", ""},
		{"malformed GUID", "GET", api + "/requests/not-a-guid", user, password, false, 400, "application/json", "not a GUID", "", ""},
		{"bad password", "GET", item, user, "wrong", false, 401, "text/html", "401", "", `Basic realm="CertificateManagement"`},
		{"no credentials", "GET", item, "", "", false, 401, "text/html", "401", "", "Basic"},
		{"bad password before an unknown path", "GET", api + "/widgets", user, "wrong", false, 401, "text/html", "401", "", "Basic"},
		{"bad password before a wrong method", "DELETE", item, user, "wrong", false, 401, "text/html", "401", "", "Basic"},
		{"bad password before the disabled API", "GET", item, user, "wrong", true, 401, "text/html", "401", "", "Basic"},
		{"disabled API", "GET", item, user, password, true, 404, "text/html", "404", "", ""},
		{"disabled API, unknown path", "GET", api + "/widgets", user, password, true, 404, "text/html", "404", "", ""},
		{"forbidden user", "GET", item, mimcmtest.NoAccessUsername, mimcmtest.NoAccessPassword, false, 403, "application/json", `{"Message":"Access is denied."}`, "", ""},
		{"forbidden user, unknown path", "GET", api + "/widgets", mimcmtest.NoAccessUsername, mimcmtest.NoAccessPassword, false, 404, "application/json", "No resource", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv.SetEnabled(!c.disabled)
			resp, body := send(t, srv, c.method, c.path, c.user, c.password)
			if resp.StatusCode != c.status {
				t.Fatalf("%s %s: %d %q, want %d", c.method, c.path, resp.StatusCode, body, c.status)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, c.contentType)
			}
			if !strings.Contains(body, c.inBody) {
				t.Errorf("body %q lacks %q", body, c.inBody)
			}
			if got := resp.Header.Get("Allow"); got != c.allow {
				t.Errorf("Allow %q, want %q", got, c.allow)
			}
			if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, c.authenticate) || (c.authenticate == "") != (got == "") {
				t.Errorf("WWW-Authenticate %q, want %q", got, c.authenticate)
			}
		})
	}
	srv.SetEnabled(true)
	// Answers to requests the spec knows match the spec, the HTML pages
	// too; the requests it does not know are recorded as such.
	for _, v := range srv.SpecViolations() {
		if !strings.HasPrefix(v, "request: ") {
			t.Errorf("an answer broke the spec: %s", v)
		}
	}
}

func TestInternalErrorCarriesTheCorrelationID(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	srv.Inject(mimcmtest.InternalError("0HMPNHL0JHL76:00000001", 1))
	resp, body := send(t, srv, "GET", "/CertificateManagement/api/v1.0/requests", srv.Username, srv.Password)
	if resp.StatusCode != 500 || body != `{"Message":"An error has occurred. Correlation ID: 0HMPNHL0JHL76:00000001"}` {
		t.Errorf("500: %d %s", resp.StatusCode, body)
	}
}
