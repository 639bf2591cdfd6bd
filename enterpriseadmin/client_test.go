package enterpriseadmin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

// cannedRecorder answers every request with an empty certificate list and
// keeps the URLs asked for.
type cannedRecorder struct {
	mu   sync.Mutex
	urls []string
}

func (c *cannedRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	c.mu.Lock()
	c.urls = append(c.urls, req.URL.String())
	c.mu.Unlock()
	body := `{"certificates":[]}`
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

func TestNewClientAndFake(t *testing.T) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !strings.HasSuffix(srv.URL, "/"+enterpriseadmintest.WebContext) || c.WebContext() != enterpriseadmintest.WebContext {
		t.Errorf("srv.URL %s, client web context %q", srv.URL, c.WebContext())
	}
	certs, err := c.ListIdentityCertificates(context.Background())
	if err != nil || len(certs) != 1 || certs[0].ID != enterpriseadmintest.SeedCertificateID {
		t.Fatalf("list = %+v, %v", certs, err)
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want 1", n)
	}
	if v := srv.SpecViolations(); len(v) > 0 {
		t.Errorf("spec violations: %v", v)
	}
}

// The web context comes from the base URL's last path segment, or from
// WithWebContext when the base URL is only the host; the requests go to
// the same paths either way.
func TestWebContextInURLOrOption(t *testing.T) {
	const want = "https://gis.example.com/portal/admin/security/certificates/identity?f=json"
	for name, tc := range map[string]struct {
		base string
		opts []enterpriseadmin.Option
		url  string
	}{
		"in the URL":         {base: "https://gis.example.com/portal", url: want},
		"trailing slash":     {base: "https://gis.example.com/portal/", url: want},
		"option":             {base: "https://gis.example.com", opts: []enterpriseadmin.Option{enterpriseadmin.WithWebContext("portal")}, url: want},
		"option with slash":  {base: "https://gis.example.com/", opts: []enterpriseadmin.Option{enterpriseadmin.WithWebContext("/portal/")}, url: want},
		"behind a prefix":    {base: "https://gis.example.com/gis/portal", url: "https://gis.example.com/gis/portal/admin/security/certificates/identity?f=json"},
		"loopback over http": {base: "http://127.0.0.1:6443/arcgis", url: "http://127.0.0.1:6443/arcgis/admin/security/certificates/identity?f=json"},
	} {
		t.Run(name, func(t *testing.T) {
			rt := &cannedRecorder{}
			c, err := enterpriseadmin.NewClient(tc.base, append(tc.opts, enterpriseadmin.WithTransport(rt))...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ListIdentityCertificates(context.Background()); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tc.url}, rt.urls); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewClientURLChecks(t *testing.T) {
	creds := enterpriseadmin.WithCredentials("admin", "secret")
	token := enterpriseadmin.WithToken(enterpriseadmin.StaticToken("tok"))
	for name, tc := range map[string]struct {
		base string
		opts []enterpriseadmin.Option
		want error
	}{
		"empty":                      {base: "", want: enterpriseadmin.ErrInvalidInput},
		"no scheme":                  {base: "gis.example.com/arcgis", want: enterpriseadmin.ErrInvalidInput},
		"ftp":                        {base: "ftp://gis.example.com/arcgis", want: enterpriseadmin.ErrInvalidInput},
		"no host":                    {base: "https:///arcgis", want: enterpriseadmin.ErrInvalidInput},
		"query":                      {base: "https://gis.example.com/arcgis?f=json", want: enterpriseadmin.ErrInvalidInput},
		"fragment":                   {base: "https://gis.example.com/arcgis#x", want: enterpriseadmin.ErrInvalidInput},
		"user info":                  {base: "https://admin:pw@gis.example.com/arcgis", want: enterpriseadmin.ErrInvalidInput},
		"no web context":             {base: "https://gis.example.com", want: enterpriseadmin.ErrInvalidInput},
		"admin URL":                  {base: "https://gis.example.com/arcgis/admin", want: enterpriseadmin.ErrInvalidInput},
		"portal REST URL":            {base: "https://gis.example.com/arcgis/sharing/rest", want: enterpriseadmin.ErrInvalidInput},
		"context twice":              {base: "https://gis.example.com/arcgis", opts: []enterpriseadmin.Option{enterpriseadmin.WithWebContext("arcgis")}, want: enterpriseadmin.ErrInvalidInput},
		"context with a slash":       {base: "https://gis.example.com", opts: []enterpriseadmin.Option{enterpriseadmin.WithWebContext("a/b")}, want: enterpriseadmin.ErrInvalidInput},
		"empty context option":       {base: "https://gis.example.com", opts: []enterpriseadmin.Option{enterpriseadmin.WithWebContext("")}, want: enterpriseadmin.ErrInvalidInput},
		"odd context":                {base: "https://gis.example.com/ar%20cgis", want: enterpriseadmin.ErrInvalidInput},
		"password over plain http":   {base: "http://gis.example.com/arcgis", opts: []enterpriseadmin.Option{creds}, want: enterpriseadmin.ErrPlainHTTP},
		"token over plain http":      {base: "http://gis.example.com/arcgis", opts: []enterpriseadmin.Option{token}, want: enterpriseadmin.ErrPlainHTTP},
		"plain http, allowed":        {base: "http://gis.example.com/arcgis", opts: []enterpriseadmin.Option{creds, enterpriseadmin.WithInsecurePlainHTTP()}},
		"plain http to loopback":     {base: "http://localhost:7443/arcgis", opts: []enterpriseadmin.Option{creds}},
		"plain http, no credentials": {base: "http://gis.example.com/arcgis"},
		"https with credentials":     {base: "https://gis.example.com/arcgis", opts: []enterpriseadmin.Option{creds}},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := enterpriseadmin.NewClient(tc.base, tc.opts...)
			if tc.want == nil {
				if err != nil || c == nil {
					t.Fatalf("NewClient(%q) = %v, %v", tc.base, c, err)
				}
				return
			}
			if !errors.Is(err, tc.want) || c != nil {
				t.Fatalf("NewClient(%q) = %v, %v; want %v", tc.base, c, err, tc.want)
			}
			var e *enterpriseadmin.Error
			if !errors.As(err, &e) || e.Op != "enterpriseadmin.NewClient" || !errors.Is(err, enterpriseadmin.ErrInvalidInput) {
				t.Errorf("err %v is not an ErrInvalidInput *Error of enterpriseadmin.NewClient", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("err shows the password: %v", err)
			}
		})
	}
}

// generateToken and the calls it serves share one connection pool: the
// first call opens one connection for both.
func TestTokenRequestSharesTheConnection(t *testing.T) {
	srv := startFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	for range 3 {
		if _, err := c.ListIdentityCertificates(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.TokenRequests(); n != 1 {
		t.Errorf("generateToken calls = %d, want 1", n)
	}
	if n := srv.NewConnections(); n != 1 {
		t.Errorf("connections = %d, want 1 (generateToken on its own pool would open a second)", n)
	}
}

// WithCredentials and WithToken are both sign-in options: given together,
// NewClient refuses them in either order (before, the last one given
// applied and the other was dropped without a word). The fake's NewClient
// then drops its own credentials for the caller's token.
func TestOneCredentialOption(t *testing.T) {
	srv := startFake(t)
	token := srv.IssueToken(hostOf(t, srv.URL), time.Hour)
	c, err := srv.NewClient(fastRetry, enterpriseadmin.WithToken(enterpriseadmin.StaticToken(token)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTrustCertificates(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.TokenRequests(); n != 0 {
		t.Errorf("generateToken calls = %d, want 0 (the fake's NewClient uses the caller's token instead of its credentials)", n)
	}
	tok := enterpriseadmin.WithToken(enterpriseadmin.StaticToken(token))
	creds := enterpriseadmin.WithCredentials(srv.Username, srv.Password)
	for name, opts := range map[string][]enterpriseadmin.Option{
		"token then credentials": {tok, creds},
		"credentials then token": {creds, tok},
	} {
		c, err := enterpriseadmin.NewClient(srv.URL, append([]enterpriseadmin.Option{fastRetry}, opts...)...)
		if !errors.Is(err, enterpriseadmin.ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), "two sign-in options") || c != nil {
			t.Errorf("%s: NewClient = %v, %v; want ErrInvalidInput (two sign-in options)", name, c, err)
		}
	}
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("%d requests sent, want the 1 call of the token client", n)
	}
}

// Per-call options change one call only.
func TestCallOptions(t *testing.T) {
	srv := startFake(t)
	rec := &recorder{}
	c := newClient(t, srv, enterpriseadmin.WithTransport(rec), enterpriseadmin.WithHeader("X-Tool", "client"))
	ctx := context.Background()
	if _, err := c.GetIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID, enterpriseadmin.WithHeader("X-Tool", "call")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListTrustCertificates(ctx); err != nil {
		t.Fatal(err)
	}
	ex := rec.exchanges()
	if len(ex) != 3 {
		t.Fatalf("exchanges = %d, want generateToken, GET, GET", len(ex))
	}
	if got := ex[1].header.Values("X-Tool"); !cmp.Equal(got, []string{"call"}) {
		t.Errorf("call header = %q, want the call's value", got)
	}
	if got := ex[2].header.Values("X-Tool"); !cmp.Equal(got, []string{"client"}) {
		t.Errorf("next call's header = %q, want the client's value", got)
	}

	// One attempt for this call only: the 503 is not retried.
	listPath := srv.CertificatesPath() + "/trust"
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/trust", Status: http.StatusServiceUnavailable})
	if _, err := c.ListTrustCertificates(ctx, enterpriseadmin.WithMaxAttempts(1)); !errors.Is(err, enterpriseadmin.ErrServer) {
		t.Errorf("err = %v, want ErrServer", err)
	}
	if n := srv.Hits(http.MethodGet, listPath); n != 2 {
		t.Errorf("list hits = %d, want 2 (one earlier call, one attempt)", n)
	}
}

// A Certificate encodes to the server's own JSON and back.
func TestCertificateJSONIsTheWireForm(t *testing.T) {
	sample, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil {
		t.Fatal(err)
	}
	var got enterpriseadmin.Certificate
	if err := json.Unmarshal(sample, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(seedCertificate, got); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
	out, err := json.Marshal(seedCertificate)
	if err != nil {
		t.Fatal(err)
	}
	var wantWire, gotWire map[string]any
	if err := json.Unmarshal(sample, &wantWire); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &gotWire); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantWire, gotWire); diff != "" {
		t.Errorf("encoded (-sample +got):\n%s", diff)
	}
	// Zero times are left out rather than written as year 1.
	out, err = json.Marshal(enterpriseadmin.Certificate{ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("AsEpoch")) {
		t.Errorf("zero validity encoded: %s", out)
	}
}
