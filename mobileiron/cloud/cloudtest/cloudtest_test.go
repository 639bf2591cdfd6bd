package cloudtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// call sends one request as a user of the raw API would.
func call(t *testing.T, srv *cloudtest.Server, method, path, contentType, body string, user, password string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func authed(t *testing.T, srv *cloudtest.Server, method, path, contentType, body string) (int, http.Header, string) {
	t.Helper()
	return call(t, srv, method, path, contentType, body, srv.Username, srv.Password)
}

type envelope struct {
	Errors *struct {
		GlobalErrors []struct{ Code, Message string } `json:"globalErrors"`
		FieldErrors  []struct{ Code, Message, Field string }
	} `json:"errors"`
	Result json.RawMessage `json:"result"`
}

func decode(t *testing.T, body string) envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("answer %q is not the errors envelope: %v", body, err)
	}
	return env
}

func globalCode(t *testing.T, body string) string {
	t.Helper()
	env := decode(t, body)
	if env.Errors == nil || len(env.Errors.GlobalErrors) != 1 || string(env.Result) != "null" {
		t.Fatalf("answer %q holds no single global error", body)
	}
	return env.Errors.GlobalErrors[0].Code
}

// Unknown paths, wrong methods and bad credentials are answered in the
// API's errors envelope; credentials are checked before anything else.
func TestAnswersLikeTheVendor(t *testing.T) {
	srv, err := cloudtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	status, h, body := authed(t, srv, "GET", "/api/v1/accountz", "", "")
	if status != 404 || globalCode(t, body) != "CLOUDTEST-404" || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("unknown path: %d %s %q", status, h.Get("Content-Type"), body)
	}
	status, h, body = authed(t, srv, "PATCH", "/api/v1/account", "", "")
	if status != 405 || globalCode(t, body) != "CLOUDTEST-405" || h.Get("Allow") == "" {
		t.Errorf("wrong method: %d Allow %q %q", status, h.Get("Allow"), body)
	}
	allow := strings.Split(strings.ReplaceAll(h.Get("Allow"), " ", ""), ",")
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		if !slices.Contains(allow, m) {
			t.Errorf("Allow %v lacks %s", allow, m)
		}
	}
	for _, path := range []string{"/api/v1/account", "/nowhere"} {
		status, h, body = call(t, srv, "GET", path, "", "", srv.Username, "wrong")
		if status != 401 || globalCode(t, body) != "CLOUDTEST-401" || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("bad credentials on %s: %d %q", path, status, body)
		}
		if status, _, _ = call(t, srv, "GET", path, "", "", "", ""); status != 401 {
			t.Errorf("no credentials on %s: %d", path, status)
		}
	}
	// The contract validator records the calls the spec does not have.
	if v := srv.SpecViolations(); len(v) != 4 || !strings.Contains(v[0], "/api/v1/accountz") || !strings.Contains(v[1], "PATCH /api/v1/account") || !strings.Contains(v[3], "/nowhere") {
		t.Errorf("violations %q", v)
	}
}

// Every identifier of the documentation's samples is an account, with
// every member the samples show, and no address is the documentation's
// obfuscated placeholder.
func TestSeedsTheSamples(t *testing.T) {
	srv := cloudtest.NewTestServer(t)
	ids := srv.AccountIDs()
	for _, id := range []int64{6150167, 10022, 10023, 10024, 10051, 10004, 10552, 11193157, 12477207, 9931017, 47252222, 47253017, cloudtest.AdminID} {
		if !slices.Contains(ids, id) {
			t.Errorf("no account %d", id)
		}
	}
	emails := map[string]bool{}
	for _, id := range ids {
		raw := string(srv.AccountJSON(id))
		a := srv.Account(id)
		if strings.Contains(raw, "protected") || !strings.HasSuffix(a.UID, "@example.test") || a.UID != a.EmailAddress || emails[a.UID] {
			t.Errorf("account %d has address %q / %q: %s", id, a.UID, a.EmailAddress, raw)
		}
		emails[a.UID] = true
	}
	listed := string(srv.AccountJSON(6150167))
	for _, m := range []string{`"accountSettings":"null"`, `"androidWorkRetryCount":0`, `"passwordHistory":"{}"`,
		`"registrationPin":{"createdAt":null,"expiresAt":null,"pin":null,"used":false}`, `"androidWorkUserStatus":"NONE"`} {
		if !strings.Contains(listed, m) {
			t.Errorf("6150167 lacks %s: %s", m, listed)
		}
	}
	if searched := string(srv.AccountJSON(10022)); strings.Contains(searched, "accountSettings") || !strings.Contains(searched, `"loginSuccessAt":1416614208360`) ||
		!strings.Contains(searched, `"registrationPin":{"createdAt":null,"expiresAt":null,"used":false}`) {
		t.Errorf("10022 is not the search sample: %s", searched)
	}
	created := string(srv.AccountJSON(10023))
	for _, m := range []string{`"ldapServerId":null`, `"username":null`, `"guid":null`, `"actionExceptionCodes":null`, `"passwordHistory":"{\"passwords\":[]}"`} {
		if !strings.Contains(created, m) {
			t.Errorf("10023 lacks %s: %s", m, created)
		}
	}
	// The listing leaves null members out.
	status, _, body := authed(t, srv, "GET", "/api/v1/account?fq=UID%3Dnew.user%40example.test", "", "")
	if status != 200 || strings.Contains(body, "ldapServerId") || strings.Contains(body, `"guid"`) || strings.Count(body, ":null") != 1 || !strings.Contains(body, `"id":10023`) {
		t.Errorf("search for 10023: %d %s", status, body)
	}
	status, _, body = authed(t, srv, "GET", "/api/v1/account?metadata", "", "")
	if status != 200 || !strings.Contains(body, `"emailAddress": "`+cloudtest.Username+`"`) || strings.Contains(body, "protected") {
		t.Errorf("metadata: %d %.300s", status, body)
	}
}

// The update call clears every field of its table the call does not
// carry; the Change Password call changes the password and nothing else.
func TestUpdateAndChangePasswordCalls(t *testing.T) {
	srv := cloudtest.NewTestServer(t)
	put := func(form url.Values) (int, string) {
		status, _, body := authed(t, srv, "PUT", "/api/v1/account", "application/x-www-form-urlencoded", form.Encode())
		return status, body
	}
	status, body := put(url.Values{"id": {"12477207"}, "emailAddress": {"password.change@example.test"}, "enabled": {"true"},
		"password": {"Clever78password"}, "confirmPassword": {"Clever78password"}})
	if status != 200 || body != `{"errors":null,"result":1}` || !srv.HasPassword(12477207) {
		t.Fatalf("change password: %d %s", status, body)
	}
	if a := srv.Account(12477207); a.FirstName != "Password" || a.DisplayName != "Password Change" || !a.Enabled {
		t.Errorf("change password changed more: %+v", a)
	}
	status, body = put(url.Values{"id": {"12477207"}, "emailAddress": {"someone.else@example.test"}, "password": {"x"}, "confirmPassword": {"x"}})
	if status != 400 || !strings.Contains(body, `"field":"emailAddress"`) {
		t.Errorf("change password with another address: %d %s", status, body)
	}

	status, body = put(url.Values{"id": {"11193157"}, "emailAddress": {"jdoe@example.test"}, "firstName": {"Johnny"}})
	if status != 200 {
		t.Fatalf("update: %d %s", status, body)
	}
	raw := string(srv.AccountJSON(11193157))
	for _, m := range []string{`"firstName":"Johnny"`, `"lastName":null`, `"displayName":null`, `"edipi":null`, `"managedAppleId":null`,
		`"gdprProfileId":null`, `"passwordNeverExpire":null`, `"androidWorkDeviceAccountEnabled":null`, `"enabled":null`, `"uid":"jdoe@example.test"`} {
		if !strings.Contains(raw, m) {
			t.Errorf("after an update with two fields, the account lacks %s: %s", m, raw)
		}
	}
	status, body = put(url.Values{"id": {"11193157"}, "firstName": {"Johnny"}})
	if status != 400 || !strings.Contains(body, `"field":"emailAddress"`) {
		t.Errorf("update without an address: %d %s", status, body)
	}
	status, body = put(url.Values{"id": {"1"}, "emailAddress": {"x@example.test"}})
	if status != 404 || !strings.Contains(body, "CLOUDTEST-NO-ACCOUNT") {
		t.Errorf("unknown account: %d %s", status, body)
	}
}

// The registration policy call is taken as the documentation's curl sends
// it: JSON with curl's default form content type, read-only members
// included.
func TestRegistrationPolicyAsTheCurlExampleSendsIt(t *testing.T) {
	srv := cloudtest.NewTestServer(t)
	body := `{"id":50582,"createdAt":1395521907150,"createdBy":1,"modifiedAt":1395521907150,"modifiedBy":null,` +
		`"uuid":"65ca6590-b1a7-46d5-afcc-469c0f71526b","systemName":"registrationAuthUserPolicy","name":"Device Registration Authentication Type",` +
		`"description":"PIN Only Setting","policyType":"REGISTRATION_AUTH","priority":2147483647,"enabled":true,"policyDataMutable":true,` +
		`"distributionMutable":false,"priorityMutable":false,"deletable":false,"registrationAuthMode":"PIN","pinType":"NUMERIC","pinLength":4,` +
		`"pinLifetimeMillis":604800000,"pinResetByUser":true}`
	status, _, answer := authed(t, srv, "PUT", "/api/v1/userpolicy?policyType=REGISTRATION_AUTH", "application/x-www-form-urlencoded", body)
	if status != 200 || answer != `{"errors":null,"result":1}` {
		t.Fatalf("%d %s", status, answer)
	}
	want := cloud.PINOnlyPolicy()
	want.ID, want.UUID = 50582, "65ca6590-b1a7-46d5-afcc-469c0f71526b"
	if got := srv.Policy(); got == nil || *got != want {
		t.Errorf("policy %+v, want %+v", got, want)
	}
}

// With a GDPR profile the answers mask the chosen members; the store
// keeps the values.
func TestGDPRProfileMasksAnswers(t *testing.T) {
	srv := cloudtest.NewTestServer(t, cloudtest.WithGDPRProfile())
	status, _, body := authed(t, srv, "GET", "/api/v1/account?fq=UID%3Djdoe%40example.test", "", "")
	if status != 200 || !strings.Contains(body, `"emailAddress":"*****"`) || !strings.Contains(body, `"firstName":"*****"`) ||
		!strings.Contains(body, `"uid":"jdoe@example.test"`) || !strings.Contains(body, `"edipi":1234567895`) {
		t.Errorf("masked search: %s", body)
	}
	if a := srv.Account(11193157); a.EmailAddress != "jdoe@example.test" || a.FirstName != "John" {
		t.Errorf("stored %+v", a)
	}
	srv2 := cloudtest.NewTestServer(t, cloudtest.WithGDPRProfile("edipi"))
	_, _, body = authed(t, srv2, "GET", "/api/v1/account?fq=UID%3Djdoe%40example.test", "", "")
	if !strings.Contains(body, `"edipi":"*****"`) || !strings.Contains(body, `"firstName":"John"`) {
		t.Errorf("edipi masked: %s", body)
	}
}
