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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
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
	// Peer is the same call through the vendor's generated oapi-codegen
	// client on go-retryablehttp's defaults (its logger off): what a user
	// would build without this SDK.
	Peer  func(ctx context.Context) error
	close func()
}

// Close stops the fake.
func (g *ClientGET) Close() { g.close() }

// Loop runs fn as a benchmark body.
func Loop(fn func(ctx context.Context) error) func(b *testing.B) {
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
		for _, fn := range []func(context.Context) error{g.SDK, g.Bare, g.Peer} {
			if err := fn(context.Background()); err != nil {
				return nil, fmt.Errorf("%s %s: %w", g.Vendor, g.Call, err)
			}
		}
		ratio, s, r := Ratio(5, Loop(g.SDK), Loop(g.Bare))
		peerRatio, _, p := Ratio(5, Loop(g.SDK), Loop(g.Peer))
		if s.N == 0 || r.N == 0 || p.N == 0 {
			return nil, fmt.Errorf("%s: benchmark did not run", g.Vendor)
		}
		name := "P1 " + g.Vendor + " small GET (" + g.Call + ")"
		bare := float64(r.NsPerOp()) / 1e3
		figs = append(figs,
			Figure{Name: name + " wall ratio (SDK / net/http)", Value: ratio, Unit: "x", Target: "<= 1.05", Met: ratio <= 1.05},
			Figure{Name: name + " allocs/op (SDK)", Value: float64(s.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " allocs/op (net/http)", Value: float64(r.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
			Figure{Name: name + " wall ratio (SDK / oapi-codegen + retryablehttp)", Value: peerRatio, Unit: "x", Target: "<= 1.0", Met: peerRatio <= 1.0},
			Figure{Name: name + " allocs/op (oapi-codegen + retryablehttp)", Value: float64(p.AllocsPerOp()), Unit: "allocs/op", Target: "info", Met: true},
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

// peerClient is go-retryablehttp's default client (logging off: its
// default logger writes every request to stderr) as an *http.Client.
func peerClient(tlsConfig *tls.Config) *http.Client {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	if tlsConfig != nil {
		rc.HTTPClient.Transport.(*http.Transport).TLSClientConfig = tlsConfig
	}
	return rc.StandardClient()
}

// setHeaders is a generated client's request editor adding header.
func setHeaders(header http.Header) func(context.Context, *http.Request) error {
	return func(_ context.Context, req *http.Request) error {
		for k, v := range header {
			req.Header[k] = v
		}
		return nil
	}
}

func basicHeader(user, password string) http.Header {
	req := &http.Request{Header: http.Header{}}
	req.SetBasicAuth(user, password)
	return req.Header
}

// CoreGET reads the user-provided certificate enrollment configurations
// (GET …/configurations/CE/USER_PROVIDED/configurations). Every side keeps
// the session cookie the fake hands out, as the client does.
func CoreGET() (*ClientGET, error) {
	srv, err := coretest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bareClient(nil)
	hc.Jar, _ = cookiejar.New(nil)
	u := srv.URL + "/api/v2/configurations/CE/USER_PROVIDED/configurations"
	header := basicHeader(srv.Username, srv.Password)
	peerHC := peerClient(nil)
	peerHC.Jar, _ = cookiejar.New(nil)
	peer, err := coreapi.NewClientWithResponses(srv.URL, coreapi.WithHTTPClient(peerHC), coreapi.WithRequestEditorFn(setHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	check := func(out *coreapi.ConfigurationListResponse) error {
		if out == nil || out.Results == nil || len(*out.Results) != 1 || *(*out.Results)[0].Value != strconv.Itoa(coretest.UserProvidedCEID) {
			return fmt.Errorf("configurations %+v", out)
		}
		return nil
	}
	return &ClientGET{
		Vendor: "core", Call: "CEConfigurations", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
			if err != nil {
				return err
			}
			if len(got.Results) != 1 || got.Results[0].Value != strconv.Itoa(coretest.UserProvidedCEID) {
				return fmt.Errorf("configurations %+v", got)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out coreapi.ConfigurationListResponse
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			return check(&out)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetCEConfigurationsWithResponse(ctx, coreapi.EnrollmentSubType(core.EnrollmentSubTypeUserProvided))
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return check(resp.JSON200)
		},
	}, nil
}

// CloudGET reads one account by UID (GET /api/v1/account?fq=UID=…).
func CloudGET() (*ClientGET, error) {
	srv, err := cloudtest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	first, err := c.ListAccountsPage(context.Background(), cloud.ListOptions{PageSize: 1})
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
	header := basicHeader(srv.Username, srv.Password)
	peer, err := cloudapi.NewClientWithResponses(srv.URL, cloudapi.WithHTTPClient(peerClient(nil)), cloudapi.WithRequestEditorFn(setHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	fq, rows, start := "UID="+want.UID, int32(2), int32(0)
	check := func(out *cloudapi.SearchResponse) error {
		if out == nil || out.Errors != nil || out.Result == nil || out.Result.SearchResults == nil || len(*out.Result.SearchResults) == 0 ||
			*(*out.Result.SearchResults)[0].Id != want.ID {
			return fmt.Errorf("answer %+v", out)
		}
		return nil
	}
	// The generated client types GET /api/v1/account's answer as a union
	// (a search result or, with ?metadata, the metadata).
	checkUnion := func(out *cloudapi.AccountGetResponse) error {
		if out == nil || out.Errors != nil || out.Result == nil {
			return fmt.Errorf("answer %+v", out)
		}
		res, err := out.Result.AsSearchResult()
		if err != nil {
			return err
		}
		return check(&cloudapi.SearchResponse{Result: &res})
	}
	return &ClientGET{
		Vendor: "cloud", Call: "GetAccountByUID", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetAccountByUID(ctx, want.UID)
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
			return check(&out)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetAccountsWithResponse(ctx, &cloudapi.GetAccountsParams{Fq: &fq, Rows: &rows, Start: &start})
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return checkUnion(resp.JSON200)
		},
	}, nil
}

// MIMCMGET reads the enroll request of Microsoft's sample (GET …/requests/{id}).
func MIMCMGET() (*ClientGET, error) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	id := mimcmtest.SampleEnrollID
	hc := bareClient(nil)
	u := srv.URL + "/CertificateManagement/api/v1.0/requests/" + id.String()
	header := basicHeader(srv.Username, srv.Password)
	peer, err := mimcmapi.NewClientWithResponses(srv.URL, mimcmapi.WithHTTPClient(peerClient(nil)), mimcmapi.WithRequestEditorFn(setHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	check := func(out *mimcmapi.Request) error {
		if out == nil || out.Uuid != id || out.RequestType != int32(mimcm.RequestTypeEnroll) {
			return fmt.Errorf("request %+v", out)
		}
		return nil
	}
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
			return check(&out)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetRequestWithResponse(ctx, id)
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return check(resp.JSON200)
		},
	}, nil
}

// CzertainlyGET reads the super administrator of the 1.x Administrator API
// (GET /api/v1/admins/{uuid}, package czertainly/adminv1)
// over mutual TLS.
func CzertainlyGET() (*ClientGET, error) {
	srv, err := adminv1test.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	tc := &tls.Config{
		Certificates: []tls.Certificate{srv.ClientCertificate},
		RootCAs:      srv.CA.Pool(),
		MinVersion:   tls.VersionTLS12,
	}
	hc := bareClient(tc)
	u := srv.URL + "/v1/admins/" + adminv1test.SuperAdminUUID
	header := http.Header{"Accept": {"application/json"}}
	peer, err := adminv1api.NewClientWithResponses(srv.URL, adminv1api.WithHTTPClient(peerClient(tc.Clone())), adminv1api.WithRequestEditorFn(setHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	check := func(uuid, username string) error {
		if uuid != adminv1test.SuperAdminUUID || username != adminv1test.SuperAdminUsername {
			return fmt.Errorf("administrator %s %s", uuid, username)
		}
		return nil
	}
	return &ClientGET{
		Vendor: "czertainly/adminv1", Call: "GetAdmin", close: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID)
			if err != nil {
				return err
			}
			return check(got.UUID, got.Username)
		},
		Bare: func(ctx context.Context) error {
			var out adminv1.Admin
			if err := bareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			return check(out.UUID, out.Username)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetAdminWithResponse(ctx, adminv1test.SuperAdminUUID)
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return check(resp.JSON200.Uuid, resp.JSON200.Username)
		},
	}, nil
}

// EnterpriseGET reads the seeded identity certificate
// (GET …/admin/security/certificates/identity/{id}?f=json) with a session
// token in the X-Esri-Authorization header. The client generates its token
// on the first call and caches it; the other sides are given one issued for
// the same referer.
func EnterpriseGET() (*ClientGET, error) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		return nil, err
	}
	host := strings.TrimSuffix(srv.URL, "/"+enterpriseadmintest.WebContext)
	c, err := srv.NewClient(enterpriseadmin.WithReferer(host))
	if err != nil {
		srv.Close()
		return nil, err
	}
	const id = enterpriseadmintest.SeedCertificateID
	hc := bareClient(nil)
	u := host + srv.CertificatesPath() + "/identity/" + id + "?f=json"
	header := http.Header{
		"X-Esri-Authorization": {"Bearer " + srv.IssueToken(host, time.Hour)},
		"Referer":              {host},
	}
	peer, err := enterpriseadminapi.NewClientWithResponses(host, enterpriseadminapi.WithHTTPClient(peerClient(nil)), enterpriseadminapi.WithRequestEditorFn(setHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	f := enterpriseadminapi.GetIdentityCertificateParamsF("json")
	check := func(out *enterpriseadminapi.Certificate) error {
		if out == nil || out.Error != nil {
			return errors.New("the server answered an error")
		}
		if out.Id == nil || *out.Id != id || out.Sha256Fingerprint == nil {
			return fmt.Errorf("certificate %+v", out)
		}
		return nil
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
			return check(&out)
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetIdentityCertificateWithResponse(ctx, enterpriseadmintest.WebContext, id, &enterpriseadminapi.GetIdentityCertificateParams{F: &f})
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return check(resp.JSON200)
		},
	}, nil
}
