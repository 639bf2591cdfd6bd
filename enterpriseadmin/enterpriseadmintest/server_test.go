package enterpriseadmintest_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

func TestOptionsReachTheClient(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t,
		enterpriseadmintest.WithTLS(),
		enterpriseadmintest.WithWebContext("portal"),
		enterpriseadmintest.WithCredentials("gisadmin", "another-test-password"))
	if !strings.HasPrefix(srv.URL, "https://") || !strings.HasSuffix(srv.URL, "/portal") {
		t.Errorf("URL = %s, want https and the web context", srv.URL)
	}
	if srv.Username != "gisadmin" || srv.Password != "another-test-password" {
		t.Errorf("credentials = %q/%q", srv.Username, srv.Password)
	}
	if srv.Certificate() == nil || srv.TLSRootCAs() == nil {
		t.Fatal("a TLS fake has no certificate")
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListIdentityCertificates(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.TokenRequests() != 1 || srv.TotalHits() != 2 {
		t.Errorf("token requests %d, hits %d; want 1 and 2", srv.TokenRequests(), srv.TotalHits())
	}
	// The default user is not known to this fake.
	c, err = srv.NewClient(enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password), enterpriseadmin.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListIdentityCertificates(context.Background()); err == nil {
		t.Error("the default credentials were accepted by a fake with others")
	}
}

func TestFixture(t *testing.T) {
	b, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil || !strings.Contains(string(b), `"id": "`+enterpriseadmintest.SeedCertificateID+`"`) {
		t.Errorf("fixture = %q, %v", b, err)
	}
	if _, err := enterpriseadmintest.Fixture("nothing.json"); err == nil {
		t.Error("a missing fixture gave no error")
	}
}

func TestBadWebContext(t *testing.T) {
	if _, err := enterpriseadmintest.NewServer(enterpriseadmintest.WithWebContext("a/b")); err == nil {
		t.Error("a web context of two segments was accepted")
	}
}

func TestCloseReportsUnusedFaults(t *testing.T) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/never", Status: 500})
	if u := srv.UnusedFaults(); len(u) != 1 || u[0].PathSuffix != "/never" {
		t.Errorf("UnusedFaults = %+v, want the unused fault", u)
	}
	srv.Close()
}

// answer is one raw exchange with the fake, outside the client.
type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func send(t *testing.T, method, u string, header http.Header, form url.Values) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		t.Fatalf("%s %s: answer %q is not a JSON object: %v", method, u, raw, err)
	}
	return a
}

// wantStatusError checks an administrator error: HTTP 200 with
// {"status":"error","messages":[…],"code":code}.
func wantStatusError(t *testing.T, what string, a answer, code int, message string) {
	t.Helper()
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("%s: HTTP %d %q, want 200 JSON as the vendor answers errors", what, a.status, a.header.Get("Content-Type"))
	}
	msgs, _ := a.body["messages"].([]any)
	if a.body["status"] != "error" || a.body["code"] != float64(code) || len(msgs) == 0 || len(a.body) != 3 {
		t.Errorf("%s: body %s, want {\"status\":\"error\",\"messages\":[…],\"code\":%d}", what, a.raw, code)
	}
	if message != "" && (len(msgs) == 0 || msgs[0] != message) {
		t.Errorf("%s: messages %v, want %q", what, msgs, message)
	}
}

func TestUnknownPathsAndMethodsAnswerLikeTheVendor(t *testing.T) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	root := strings.TrimSuffix(srv.URL, "/"+enterpriseadmintest.WebContext)

	wantStatusError(t, "unknown admin resource", send(t, http.MethodGet, srv.URL+"/admin/security/nothing?f=json", nil, nil), 404, "")
	wantStatusError(t, "unknown path outside the web context", send(t, http.MethodGet, root+"/elsewhere", nil, nil), 404, "")

	a := send(t, http.MethodGet, srv.URL+"/admin/security/certificates/identity/"+enterpriseadmintest.SeedCertificateID+"/delete?f=json", nil, nil)
	wantStatusError(t, "GET of a POST operation", a, 405, "")
	if a.header.Get("Allow") != http.MethodPost {
		t.Errorf("Allow = %q, want POST", a.header.Get("Allow"))
	}
	a = send(t, http.MethodPost, srv.URL+"/admin/security/certificates/identity", nil, url.Values{"f": {"json"}})
	wantStatusError(t, "POST of a GET resource", a, 405, "")

	// Under the portal's sharing/rest the portal's shape.
	a = send(t, http.MethodGet, srv.URL+"/sharing/rest/generateToken", nil, nil)
	e, _ := a.body["error"].(map[string]any)
	if a.status != http.StatusOK || e == nil || e["code"] != float64(405) || e["message"] == "" {
		t.Errorf("GET generateToken: HTTP %d %s, want {\"error\":{\"code\":405,…}} in a 200", a.status, a.raw)
	}
	// The contract validator records what the spec does not allow; the
	// answers above are the fake's own.
	if n := len(srv.SpecViolations()); n < 5 {
		t.Errorf("spec violations = %d, want the 5 requests the spec has no operation for recorded", n)
	}
	// No certificate was touched.
	if diff := cmp.Diff([]string{enterpriseadmintest.SeedCertificateName}, srv.IdentityCertificateNames()); diff != "" {
		t.Errorf("identity store (-want +got):\n%s", diff)
	}
}

func TestBadTokensAnswerLikeTheVendor(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t)
	list := srv.URL + "/admin/security/certificates/identity?f=json"
	referer := hostOf(t, srv.URL)
	wantStatusError(t, "no token", send(t, http.MethodGet, list, nil, nil), 499, "Token Required.")
	wantStatusError(t, "unknown token", send(t, http.MethodGet, list, http.Header{"X-Esri-Authorization": {"Bearer nope"}}, nil), 498, "Invalid token.")
	tok := srv.IssueToken(referer, time.Hour)
	wantStatusError(t, "token for another referer", send(t, http.MethodGet, list,
		http.Header{"X-Esri-Authorization": {"Bearer " + tok}, "Referer": {"https://other.example.com"}}, nil), 498, "Invalid token.")
	// A POST needs the token in its body: the header is not enough.
	wantStatusError(t, "POST with the token in a header", send(t, http.MethodPost, srv.URL+"/admin/security/certificates/trust/x/delete",
		http.Header{"X-Esri-Authorization": {"Bearer " + tok}, "Referer": {referer}}, url.Values{"f": {"json"}}), 499, "Token Required.")
	srv.ExpireTokens()
	wantStatusError(t, "expired token", send(t, http.MethodGet, list, http.Header{"X-Esri-Authorization": {"Bearer " + tok}, "Referer": {referer}}, nil), 498, "Token Expired.")

	// Wrong credentials: the portal's shape, code 400, in a 200.
	a := send(t, http.MethodPost, srv.URL+"/sharing/rest/generateToken", nil, url.Values{
		"username": {srv.Username}, "password": {"wrong"}, "client": {"referer"}, "referer": {referer}, "f": {"json"},
	})
	e, _ := a.body["error"].(map[string]any)
	if a.status != http.StatusOK || e == nil || e["code"] != float64(400) || !strings.Contains(a.raw, "Invalid username or password.") {
		t.Errorf("wrong password: HTTP %d %s", a.status, a.raw)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want 1", n)
	}
}

// The documentation's sample request URL names the certificate with
// another id than its response carries; the fake answers both with the
// sample, byte for byte.
func TestSampleURLIdentifier(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t)
	sample, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil {
		t.Fatal(err)
	}
	referer := hostOf(t, srv.URL)
	tok := srv.IssueToken(referer, time.Hour)
	auth := http.Header{"X-Esri-Authorization": {"Bearer " + tok}, "Referer": {referer}}
	for _, id := range []string{enterpriseadmintest.SampleURLCertificateID, enterpriseadmintest.SeedCertificateID} {
		a := send(t, http.MethodGet, srv.URL+"/admin/security/certificates/identity/"+id+"?f=pjson", auth, nil)
		if a.raw != string(sample) {
			t.Errorf("GET %s?f=pjson = %s, want the sample byte for byte", id, a.raw)
		}
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := c.GetIdentityCertificate(ctx, enterpriseadmintest.SampleURLCertificateID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != enterpriseadmintest.SeedCertificateID || got.Name != enterpriseadmintest.SeedCertificateName {
		t.Errorf("certificate = %+v", got)
	}
	// One certificate, listed once, deleted by either id.
	certs, err := c.ListIdentityCertificates(ctx)
	if err != nil || len(certs) != 1 {
		t.Fatalf("list = %v, %v", certs, err)
	}
	if err := c.DeleteIdentityCertificate(ctx, enterpriseadmintest.SampleURLCertificateID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID); !errors.Is(err, enterpriseadmin.ErrNotFound) {
		t.Errorf("after delete: %v, want ErrNotFound", err)
	}
}

// Every certificate the fake describes, listed or imported, has every
// member of the documentation's sample.
func TestDescriptionsKeepEveryMemberOfTheSample(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t)
	sample, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(sample, &want); err != nil {
		t.Fatal(err)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cert, _ := testcert.SelfSigned(t, x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Corp CA"},
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err := c.ImportTrustCertificate(ctx, enterpriseadmin.ImportTrustCertificateInput{Name: "corp", Certificate: cert.Raw}); err != nil {
		t.Fatal(err)
	}
	referer := hostOf(t, srv.URL)
	auth := http.Header{"X-Esri-Authorization": {"Bearer " + srv.IssueToken(referer, time.Hour)}, "Referer": {referer}}
	for _, store := range []string{"identity", "trust"} {
		a := send(t, http.MethodGet, srv.URL+"/admin/security/certificates/"+store+"?f=json", auth, nil)
		list, _ := a.body["certificates"].([]any)
		if len(list) != 1 {
			t.Fatalf("%s list: %s", store, a.raw)
		}
		got, _ := list[0].(map[string]any)
		if diff := cmp.Diff(slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(got))); diff != "" {
			t.Errorf("%s certificate members (-sample +got):\n%s", store, diff)
		}
	}
}

func hostOf(t *testing.T, baseURL string) string {
	t.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Scheme + "://" + u.Host
}

// The portal's community/self names the user the token was issued to
// (Esri's arcgis-rest-js reads username from it in signIn), refuses a
// missing, unknown, other-referer or expired token in the portal's error
// shape.
func TestCommunitySelfNamesTheTokensUser(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t)
	srv.AddUser("gisviewer", "viewer-test-password")
	referer := hostOf(t, srv.URL)
	self := srv.URL + "/sharing/rest/community/self"
	login := func(user, password string) string {
		t.Helper()
		a := send(t, http.MethodPost, srv.URL+"/sharing/rest/generateToken", nil, url.Values{
			"username": {user}, "password": {password}, "client": {"referer"}, "referer": {referer}, "f": {"json"},
		})
		tok, _ := a.body["token"].(string)
		if tok == "" {
			t.Fatalf("generateToken for %s: %s", user, a.raw)
		}
		return tok
	}
	ids := map[string]string{}
	for _, u := range []struct{ name, password string }{{srv.Username, srv.Password}, {"gisviewer", "viewer-test-password"}} {
		tok := login(u.name, u.password)
		// Esri's client sends the token as a query parameter on a GET.
		a := send(t, http.MethodGet, self+"?f=json&token="+url.QueryEscape(tok), http.Header{"Referer": {referer}}, nil)
		if a.status != http.StatusOK || a.body["username"] != u.name || a.body["error"] != nil {
			t.Errorf("community/self with %s's token: HTTP %d %s", u.name, a.status, a.raw)
		}
		for _, k := range []string{"id", "role", "orgId", "privileges", "created", "provider"} {
			if _, ok := a.body[k]; !ok {
				t.Errorf("community/self for %s lacks %s: %s", u.name, k, a.raw)
			}
		}
		id, _ := a.body["id"].(string)
		ids[u.name] = id
		// The header placement names the same user.
		b := send(t, http.MethodGet, self+"?f=json", http.Header{"X-Esri-Authorization": {"Bearer " + tok}, "Referer": {referer}}, nil)
		if b.body["username"] != u.name || b.body["id"] != id {
			t.Errorf("community/self with the token in the header: %s", b.raw)
		}
	}
	if ids[srv.Username] == ids["gisviewer"] || ids[srv.Username] == "" {
		t.Errorf("two users have ids %q", ids)
	}

	wantPortalError := func(name string, a answer, code int, message string) {
		t.Helper()
		e, _ := a.body["error"].(map[string]any)
		if a.status != http.StatusOK || e == nil || e["code"] != float64(code) || e["message"] != message || a.body["username"] != nil {
			t.Errorf("%s: HTTP %d %s; want the portal's error %d %q in a 200", name, a.status, a.raw, code, message)
		}
	}
	wantPortalError("no token", send(t, http.MethodGet, self+"?f=json", nil, nil), 499, "Token Required.")
	wantPortalError("unknown token", send(t, http.MethodGet, self+"?f=json&token=nope", nil, nil), 498, "Invalid token.")
	tok := login(srv.Username, srv.Password)
	wantPortalError("token for another referer", send(t, http.MethodGet, self+"?f=json&token="+tok,
		http.Header{"Referer": {"https://other.example.com"}}, nil), 498, "Invalid token.")
	srv.ExpireTokens()
	wantPortalError("expired token", send(t, http.MethodGet, self+"?f=json&token="+tok, http.Header{"Referer": {referer}}, nil), 498, "Token Expired.")
	if n := srv.HitsMatching(http.MethodGet, "/sharing/rest/community/self"); n != 8 {
		t.Errorf("community/self requests = %d, want 8", n)
	}
}
