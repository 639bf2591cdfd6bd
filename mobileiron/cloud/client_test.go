package cloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

func TestNewClientChecksTheURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		opts []cloud.Option
		want string
	}{
		{"", nil, "base URL is empty"},
		{"na1.mobileiron.com", nil, "has no scheme"},
		{"ftp://na1.mobileiron.com", nil, `scheme "ftp"`},
		{"https://", nil, "has no host"},
		{"https://na1.mobileiron.com/?x=1", nil, "query or fragment"},
		{"https://admin:pw@na1.mobileiron.com", nil, "must not carry credentials"},
		{"http://na1.mobileiron.com", []cloud.Option{cloud.WithBasicAuth("a", "b")}, "plain http"},
		{"https://na1.mobileiron.com", []cloud.Option{cloud.WithWaitTimeout(-time.Second)}, "wait timeout"},
		{"https://na1.mobileiron.com", []cloud.Option{cloud.WithPollInterval(0)}, "poll interval"},
	} {
		c, err := cloud.NewClient(tc.url, tc.opts...)
		if c != nil || !errors.Is(err, cloud.ErrInvalidInput) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "cloud.NewClient: ") {
			t.Errorf("NewClient(%q): %v, want an ErrInvalidInput saying %q", tc.url, err, tc.want)
		}
	}
	if _, err := cloud.NewClient("http://na1.mobileiron.com", cloud.WithBasicAuth("a", "b")); !errors.Is(err, cloud.ErrPlainHTTP) {
		t.Errorf("plain http: %v does not match ErrPlainHTTP", err)
	}
	for _, ok := range []string{"https://na1.mobileiron.com", "https://na1.mobileiron.com/", "http://127.0.0.1:8080", "https://tenant.example.com/prefix"} {
		c, err := cloud.NewClient(ok, cloud.WithBasicAuth("a", "b"))
		if err != nil {
			t.Errorf("NewClient(%q): %v", ok, err)
			continue
		}
		c.Close()
	}
}

// The fake configures a client for itself: URL, credentials and nothing else.
func TestFakeNewClient(t *testing.T) {
	srv, err := cloudtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 5})
	if err != nil || len(page.Accounts) != 5 || page.TotalCount != srv.AccountCount() {
		t.Fatalf("page %+v, %v", page, err)
	}
	if srv.Username != cloudtest.Username || srv.Password != cloudtest.Password {
		t.Errorf("credentials %q/%q", srv.Username, srv.Password)
	}
	if u := srv.UnusedFaults(); len(u) != 0 {
		t.Errorf("unused faults: %+v", u)
	}
	srv.Close()
}

func TestFakeWithTLSAndOwnCredentials(t *testing.T) {
	srv := cloudtest.NewTestServer(t, cloudtest.WithTLS(), cloudtest.WithCredentials("other@example.test", "other-not-a-secret"))
	if !strings.HasPrefix(srv.URL, "https://") || srv.Certificate() == nil || srv.TLSRootCAs() == nil {
		t.Fatalf("URL %s, certificate %v", srv.URL, srv.Certificate())
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAccountByUID(context.Background(), "john.doe@example.test"); err != nil {
		t.Fatal(err)
	}
	// A client that does not trust the fake's certificate is refused.
	bare, err := cloud.NewClient(srv.URL, cloud.WithBasicAuth(srv.Username, srv.Password), cloud.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.ListAccountsPage(context.Background(), cloud.ListOptions{}); err == nil {
		t.Error("an untrusted certificate was accepted")
	}
	wrong, err := cloud.NewClient(srv.URL, cloud.WithBasicAuth(cloudtest.Username, cloudtest.Password), cloud.WithRootCAs(srv.TLSRootCAs()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.ListAccountsPage(context.Background(), cloud.ListOptions{}); !errors.Is(err, cloud.ErrUnauthorized) {
		t.Errorf("default credentials on a fake with its own: %v", err)
	}
}

// Results marshal with the API's wire names, times in milliseconds, and
// read back to the same value.
func TestAccountJSONUsesWireNames(t *testing.T) {
	_, c, _ := newFake(t)
	a, err := c.GetAccountByUID(context.Background(), "john.doe@example.test")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id":10022`, `"uid":"john.doe@example.test"`, `"emailAddress":`, `"createdAt":1372188681178`, `"loginSuccessAt":1416614208360`, `"registrationPin":{"used":false}`, `"groups":["All Users","Engineering"]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	for _, unwanted := range []string{`"ID"`, `"UID"`, `"CreatedAt"`, `"modifiedAt"`, "0001-01-01"} {
		if strings.Contains(string(b), unwanted) {
			t.Errorf("%s holds %s", b, unwanted)
		}
	}
	var back cloud.Account
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, &back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	pol, err := json.Marshal(cloud.PINOnlyPolicy())
	if err != nil || !strings.Contains(string(pol), `"pinLifetimeMillis":604800000`) || !strings.Contains(string(pol), `"registrationAuthMode":"PIN"`) {
		t.Errorf("policy JSON %s, %v", pol, err)
	}
}

// The other result types read back what they write, in the API's form.
func TestResultTypesRoundTripThroughJSON(t *testing.T) {
	_, c, _ := newFake(t)
	ctx := context.Background()
	page, err := c.ListAccountsPage(ctx, cloud.ListOptions{PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	page.QueryTime = 16 * time.Millisecond
	b, err := json.Marshal(page)
	if err != nil || !strings.Contains(string(b), `"queryTime":16`) || !strings.Contains(string(b), `"searchResults":[{"id":10001,`) {
		t.Fatalf("page JSON %.200s, %v", b, err)
	}
	var back cloud.AccountPage
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(page, &back, cmpopts.IgnoreUnexported(cloud.AccountPage{})); diff != "" {
		t.Errorf("page round trip (-want +got):\n%s", diff)
	}
	pin := cloud.RegistrationPIN{ID: 37000, AccountID: 10051, PIN: "6426", CreatedAt: ms(1413954409916), CreatedBy: 10051, ExpiresAt: ms(1414559209914)}
	b, err = json.Marshal(pin)
	if err != nil || string(b) != `{"id":37000,"accountId":10051,"pin":"6426","createdBy":10051,"used":false,"createdAt":1413954409916,"expiresAt":1414559209914}` {
		t.Fatalf("PIN JSON %s, %v", b, err)
	}
	var pinBack cloud.RegistrationPIN
	if err := json.Unmarshal(b, &pinBack); err != nil || pinBack != pin {
		t.Errorf("PIN round trip %+v, %v", pinBack, err)
	}
}
