package bench

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/cloud"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudapi"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coreapi"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// ClientGET is figure P1 for one vendor client: one small GET against the
// vendor's fake, made through the client and made with bare net/http plus
// encoding/json, both against the same loopback endpoint. The bare call
// sends the same credentials, checks the status and decodes the same JSON
// into the vendor's generated (or published) model; the client call also
// does whatever the client adds (retry bookkeeping, redaction, error
// envelopes, conversion to its own types). Both calls check the answer.
type ClientGET struct {
	Vendor string
	// Call describes the call, e.g. "GetRequest".
	Call      string
	SDK, Bare func(ctx context.Context) error
	close     func()
}

// Close stops the fake.
func (g *ClientGET) Close() { g.close() }

// Loop runs the SDK call (sdk) or the bare one as a benchmark body.
func (g *ClientGET) Loop(sdk bool) func(b *testing.B) {
	fn := g.Bare
	if sdk {
		fn = g.SDK
	}
	return func(b *testing.B) {
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if err := fn(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// ClientGETs starts every vendor's fake and returns its small GET. Close
// each when done.
func ClientGETs() ([]*ClientGET, error) {
	var out []*ClientGET
	for _, start := range []func() (*ClientGET, error){CoreGET, CloudGET, MIMCMGET, CzertainlyGET, EnterpriseGET} {
		g, err := start()
		if err != nil {
			for _, g := range out {
				g.Close()
			}
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// ClientsSmallGET is figure P1 for each vendor client: the median wall-time
// ratio of five alternating rounds, the allocations of both calls and the
// time the client adds to each call at that ratio. The fake runs in the
// same process, so allocations per call include the fake's own (the same
// on both sides) and the time of a call includes the fake's work.
func ClientsSmallGET() ([]Figure, error) {
	gets, err := ClientGETs()
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, g := range gets {
			g.Close()
		}
	}()
	var figs []Figure
	for _, g := range gets {
		// One call each first: a broken setup fails here, not as a benchmark.
		for _, fn := range []func(context.Context) error{g.SDK, g.Bare} {
			if err := fn(context.Background()); err != nil {
				return nil, fmt.Errorf("%s %s: %w", g.Vendor, g.Call, err)
			}
		}
		ratio, s, r := Ratio(5, g.Loop(true), g.Loop(false))
		if s.N == 0 || r.N == 0 {
			return nil, fmt.Errorf("%s: benchmark did not run", g.Vendor)
		}
		name := "P1 " + g.Vendor + " small GET (" + g.Call + ")"
		bare := float64(r.NsPerOp()) / 1e3
		figs = append(figs,
			Figure{Name: name + " wall ratio (SDK / net/http)", Value: ratio, Unit: "x", Target: "<= 1.05", Met: ratio <= 1.05},
			Figure{Name: name + " allocs/op (SDK)", Value: float64(s.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " allocs/op (net/http)", Value: float64(r.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " time/op (net/http)", Value: bare, Unit: "µs", Target: "info", Met: true},
			Figure{Name: name + " time added by the SDK", Value: (ratio - 1) * bare, Unit: "µs/op", Target: "info", Met: true},
		)
	}
	return figs, nil
}

// bareClient is net/http with the default transport's settings.
func bareClient(tlsConfig *tls.Config) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if tlsConfig != nil {
		t.TLSClientConfig = tlsConfig
	}
	return &http.Client{Transport: t}
}

// bareGET sends a GET with the headers set and decodes a 200 JSON answer into out.
func bareGET(ctx context.Context, hc *http.Client, url string, header http.Header, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func basicHeader(user, password string) http.Header {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(user, password)
	return req.Header
}

// CoreGET reads the user-provided certificate enrollment configurations
// (GET …/configurations/CE/USER_PROVIDED/configurations). Both sides keep
// the session cookie the fake hands out, as the client does.
func CoreGET() (*ClientGET, error) {
	srv, err := coretest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := core.NewClient(srv.URL, core.WithBasicAuth(srv.User, srv.Password))
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bareClient(nil)
	hc.Jar, _ = cookiejar.New(nil)
	u := srv.URL + "/api/v2/configurations/CE/USER_PROVIDED/configurations"
	header := basicHeader(srv.User, srv.Password)
	return &ClientGET{
		Vendor: "core", Call: "CEConfigurations", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.CEConfigurations(ctx, core.SubTypeUserProvided)
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].Value != coretest.UserProvidedCEID {
				return fmt.Errorf("configurations %+v", got)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out coreapi.ConfigurationListResponse
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			if out.Results == nil || len(*out.Results) != 1 || *(*out.Results)[0].Value != coretest.UserProvidedCEID {
				return fmt.Errorf("configurations %+v", out)
			}
			return nil
		},
	}, nil
}

// CloudGET reads one account by UID (GET /api/v1/account?fq=UID=…&rows=2).
func CloudGET() (*ClientGET, error) {
	srv, err := cloudtest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := cloud.NewClient(srv.URL, cloud.WithBasicAuth(cloudtest.Username, cloudtest.Password))
	if err != nil {
		srv.Close()
		return nil, err
	}
	first, err := c.ListAccounts(context.Background(), cloud.ListOptions{PageSize: 1})
	if err == nil && len(first.Accounts) != 1 {
		err = fmt.Errorf("%d accounts on a page of one", len(first.Accounts))
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("cloud: first account: %w", err)
	}
	want := first.Accounts[0]
	hc := bareClient(nil)
	q := url.Values{"fq": {"UID=" + want.UID}, "rows": {"2"}, "start": {"0"}}
	u := srv.URL + "/api/v1/account?" + q.Encode()
	header := basicHeader(cloudtest.Username, cloudtest.Password)
	return &ClientGET{
		Vendor: "cloud", Call: "AccountByUID", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.AccountByUID(ctx, want.UID)
			if err != nil {
				return err
			}
			if got.ID != want.ID {
				return fmt.Errorf("account %d, want %d", got.ID, want.ID)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out cloudapi.SearchResponse
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			if out.Errors != nil || out.Result == nil || out.Result.SearchResults == nil || len(*out.Result.SearchResults) == 0 ||
				*(*out.Result.SearchResults)[0].Id != want.ID {
				return fmt.Errorf("answer %+v", out)
			}
			return nil
		},
	}, nil
}

// MIMCMGET reads the enroll request of Microsoft's sample (GET …/requests/{id}).
func MIMCMGET() (*ClientGET, error) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(mimcmtest.User, mimcmtest.Password))
	if err != nil {
		srv.Close()
		return nil, err
	}
	id := uuid.MustParse(mimcmtest.SampleEnrollID)
	hc := bareClient(nil)
	u := srv.URL + "/CertificateManagement/api/v1.0/requests/" + id.String()
	header := basicHeader(mimcmtest.User, mimcmtest.Password)
	return &ClientGET{
		Vendor: "mimcm", Call: "GetRequest", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetRequest(ctx, id)
			if err != nil {
				return err
			}
			if got.UUID != id || got.Type != mimcm.RequestTypeEnroll {
				return fmt.Errorf("request %+v", got)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out mimcmapi.Request
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			if out.Uuid != id || out.RequestType != int32(mimcm.RequestTypeEnroll) {
				return fmt.Errorf("request %+v", out)
			}
			return nil
		},
	}, nil
}

// CzertainlyGET reads the super administrator (GET /api/v1/admins/{uuid})
// over mutual TLS.
func CzertainlyGET() (*ClientGET, error) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := czertainly.NewClient(srv.BaseURL(), czertainly.WithClientCertificate(srv.AdminCertificate), czertainly.WithRootCAs(srv.CA.Pool()))
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bareClient(&tls.Config{
		Certificates: []tls.Certificate{srv.AdminCertificate},
		RootCAs:      srv.CA.Pool(),
		MinVersion:   tls.VersionTLS12,
	})
	u := srv.BaseURL() + "/v1/admins/" + czertainlytest.SuperAdminUUID
	header := http.Header{"Accept": {"application/json"}}
	check := func(a *czertainly.Admin) error {
		if a.UUID != czertainlytest.SuperAdminUUID || a.Username != czertainlytest.SuperAdminUsername {
			return fmt.Errorf("administrator %+v", a)
		}
		return nil
	}
	return &ClientGET{
		Vendor: "czertainly", Call: "GetAdmin", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetAdmin(ctx, czertainlytest.SuperAdminUUID)
			if err != nil {
				return err
			}
			return check(got)
		},
		Bare: func(ctx context.Context) error {
			var out czertainly.Admin
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			return check(&out)
		},
	}, nil
}

// EnterpriseGET reads the seeded identity certificate
// (GET …/admin/security/certificates/identity/{id}?f=json) with a session
// token in the X-Esri-Authorization header. The client generates its token
// on the first call and caches it; the bare side is given one issued for the
// same referer.
func EnterpriseGET() (*ClientGET, error) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := enterpriseadmin.NewClient(srv.URL, enterpriseadmintest.WebContext,
		enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password),
		enterpriseadmin.WithReferer(srv.URL))
	if err != nil {
		srv.Close()
		return nil, err
	}
	const id = enterpriseadmintest.SeedCertificateID
	hc := bareClient(nil)
	u := srv.URL + srv.CertificatesPath() + "/identity/" + id + "?f=json"
	header := http.Header{
		"X-Esri-Authorization": {"Bearer " + srv.IssueToken(srv.URL, time.Hour)},
		"Referer":              {srv.URL},
	}
	return &ClientGET{
		Vendor: "enterpriseadmin", Call: "GetIdentityCertificate", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetIdentityCertificate(ctx, id)
			if err != nil {
				return err
			}
			if got.ID != id || got.SHA256Fingerprint == "" {
				return fmt.Errorf("certificate %+v", got)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out enterpriseadminapi.Certificate
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			if out.Error != nil {
				return errors.New("the server answered an error")
			}
			if out.Id == nil || *out.Id != id || out.Sha256Fingerprint == nil {
				return fmt.Errorf("certificate %+v", out)
			}
			return nil
		},
	}, nil
}
