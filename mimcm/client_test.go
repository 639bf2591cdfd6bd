package mimcm_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/internal/testcert"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func TestNewClientChecksTheBaseURL(t *testing.T) {
	cert := clientCertificate(t)
	for _, c := range []struct {
		name, url string
		opts      []mimcm.Option
		want      string // in the error text
	}{
		{"empty", "", nil, "empty"},
		{"no scheme", "cm.contoso.com", nil, "no scheme"},
		{"other scheme", "ftp://cm.contoso.com", nil, `"ftp"`},
		{"no host", "https://", nil, "no host"},
		{"query", "https://cm.contoso.com?x=1", nil, "query"},
		{"fragment", "https://cm.contoso.com#top", nil, "fragment"},
		{"credentials in URL", "https://jdoe:secret@cm.contoso.com", nil, "credentials"},
		{"API path included", "https://cm.contoso.com/CertificateManagement/api/v1.0", nil, "/CertificateManagement/api/v1.0"},
		{"API path in lower case", "https://cm.contoso.com/certificatemanagement/", nil, "already holds the API path"},
		{"API path behind a prefix", "https://gw.contoso.com/cm/CertificateManagement/api", nil, "already holds the API path"},
		{"plain http with credentials", "http://cm.contoso.com", []mimcm.Option{mimcm.WithBasicAuth("u", "p")}, "plain http"},
		{"client certificate over http", "http://cm.contoso.com", []mimcm.Option{mimcm.WithClientCertificate(cert)}, "client certificate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := mimcm.NewClient(c.url, c.opts...)
			if !errors.Is(err, mimcm.ErrInvalidInput) {
				t.Fatalf("NewClient(%q) = %v, want ErrInvalidInput", c.url, err)
			}
			if !strings.HasPrefix(err.Error(), "mimcm.NewClient: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q must name the operation and say %q", err, c.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("the URL's password leaked: %v", err)
			}
		})
	}
	for _, ok := range []struct {
		url  string
		opts []mimcm.Option
	}{
		{"https://cm.contoso.com", nil},
		{"https://cm.contoso.com/", nil},
		{"https://gw.contoso.com/cm-proxy/", nil},
		{"http://127.0.0.1:8080", []mimcm.Option{mimcm.WithBasicAuth("u", "p")}},
		{"http://cm.lab.example", []mimcm.Option{mimcm.WithBasicAuth("u", "p"), mimcm.WithInsecurePlainHTTP()}},
	} {
		if _, err := mimcm.NewClient(ok.url, ok.opts...); err != nil {
			t.Errorf("NewClient(%q): %v", ok.url, err)
		}
	}
}

func clientCertificate(t *testing.T) tls.Certificate {
	t.Helper()
	cert, key := testcert.ForName(t, "cm-client")
	return tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}
}

func TestFakeNewClientWorksWithoutOptions(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListRequests(context.Background(), mimcm.RequestFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("ListRequests: %d requests, %v", len(list), err)
	}
	c.Close()
	if u := srv.UnusedFaults(); len(u) != 0 {
		t.Errorf("unused faults: %+v", u)
	}
	srv.Close()
}

func TestCallOptionsApplyToOneCall(t *testing.T) {
	rt := &countingTransport{}
	srv, c := setup(t, mimcm.WithTransport(rt))
	ctx := context.Background()

	// The client retries a 503; one call told to make a single attempt
	// does not, and the next call retries again.
	srv.Inject(mimcmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	_, err := c.ListRequests(ctx, mimcm.RequestFilter{}, mimcm.WithMaxAttempts(1))
	if !errors.Is(err, mimcm.ErrServer) {
		t.Fatalf("single attempt: got %v, want ErrServer", err)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	if _, err := c.GetRequest(ctx, mimcmtest.SampleEnrollID); err != nil {
		t.Fatalf("default policy: %v", err)
	}
	if n := srv.TotalHits(); n != 3 {
		t.Errorf("%d hits, want 3 (1 for the single-attempt call, 2 for the retried one)", n)
	}

	if _, err := c.GetRequest(ctx, mimcmtest.SampleEnrollID, mimcm.WithHeader("X-Trace", "call-1")); err != nil {
		t.Fatal(err)
	}
	if got := rt.header.Load(); got == nil || got.(http.Header).Get("X-Trace") != "call-1" {
		t.Errorf("per-call header not sent: %v", got)
	}
	if _, err := c.GetRequest(ctx, mimcmtest.SampleEnrollID); err != nil {
		t.Fatal(err)
	}
	if got := rt.header.Load().(http.Header).Get("X-Trace"); got != "" {
		t.Errorf("per-call header leaked into the next call: %q", got)
	}
}

func TestDoIsTheCheckedEscapeHatch(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	req, err := mimcmapi.NewGetRequestRequest(srv.URL, mimcmtest.SampleUnblockID)
	if err != nil {
		t.Fatal(err)
	}
	var out mimcm.Request
	if err := c.Do(ctx, req, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantUnblock, out); diff != "" {
		t.Errorf("Do into a Request (-want +got):\n%s", diff)
	}
	srv.Inject(mimcmtest.Fault{Status: http.StatusOK, ContentType: "text/html", Body: mimcmtest.HTMLLoginPage})
	req, _ = mimcmapi.NewGetRequestRequest(srv.URL, mimcmtest.SampleUnblockID)
	if err := c.Do(ctx, req, &out); !errors.Is(err, mimcm.ErrHTMLResponse) {
		t.Errorf("Do must refuse a login page: %v", err)
	}
}

func TestStaticTokenIsSentAsBearer(t *testing.T) {
	rt := &countingTransport{}
	_, c := setup(t, mimcm.WithTransport(rt), mimcm.WithToken(mimcm.StaticToken("adfs-token")))
	_, _ = c.ListRequests(context.Background(), mimcm.RequestFilter{})
	if a, _ := rt.auth.Load().(string); a != "Bearer adfs-token" {
		t.Errorf("Authorization = %q", a)
	}
}

func TestRequestJSONIsTheServersForm(t *testing.T) {
	sample, err := mimcmtest.Fixture(mimcmtest.FixtureEnroll)
	if err != nil {
		t.Fatal(err)
	}
	var r mimcm.Request
	if err := json.Unmarshal(sample, &r); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantEnroll, r); diff != "" {
		t.Errorf("sample decoded (-want +got):\n%s", diff)
	}
	b, err := json.Marshal(wantUnblock)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"Uuid":"0c96d73f-967b-420e-854a-43ad2a1504bc"`, `"RequestType":5`, `"Status":3`,
		`"Completed":"0001-01-01T00:00:00"`, `"Submitted":"2015-07-07T23:40:33.133Z"`,
		`"DataCollection":[{"Name":"Sample Data Item","Value":null}]`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("marshalled request lacks %s: %s", want, b)
		}
	}
	b, err = json.Marshal(wantEnroll)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"NewProfileUuid":"00000000-0000-0000-0000-000000000000"`) {
		t.Errorf("an unset GUID must be written as the server writes it: %s", b)
	}
	var back mimcm.Request
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantEnroll, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}
