// Package vendorbench holds each vendor's benchmarks for benchreport: the
// P1 small GET per client, the Core export and poll figures and the Cloud
// paging figure. It is under internal/cmd because it names vendors;
// internal/bench holds the vendor-neutral measuring code.
package vendorbench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/bench"
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

// ClientGETs starts every vendor's fake (one line per vendor) and returns its small GET. Close
// each when done.
func ClientGETs() ([]*bench.ClientGET, error) {
	var out []*bench.ClientGET
	for _, start := range []func() (*bench.ClientGET, error){CoreGET, CloudGET, MIMCMGET, CzertainlyGET, EnterpriseGET} {
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

// ClientsSmallGET is figure P1 for every vendor client (bench.ClientsSmallGET).
func ClientsSmallGET() ([]bench.Figure, error) {
	gets, err := ClientGETs()
	if err != nil {
		return nil, err
	}
	return bench.ClientsSmallGET(gets)
}

// CoreGET reads the user-provided certificate enrollment configurations
// (GET …/configurations/CE/USER_PROVIDED/configurations). Every side keeps
// the session cookie the fake hands out, as the client does.
func CoreGET() (*bench.ClientGET, error) {
	srv, err := coretest.NewServer()
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bench.BareClient(nil)
	hc.Jar, _ = cookiejar.New(nil)
	u := srv.URL + "/api/v2/configurations/CE/USER_PROVIDED/configurations"
	header := bench.BasicHeader(srv.Username, srv.Password)
	peerHC := bench.PeerClient(nil)
	peerHC.Jar, _ = cookiejar.New(nil)
	peer, err := coreapi.NewClientWithResponses(srv.URL, coreapi.WithHTTPClient(peerHC), coreapi.WithRequestEditorFn(bench.SetHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	check := func(out *coreapi.ConfigurationListResponse) error {
		if out == nil || out.Results == nil || len(*out.Results) != 1 || *(*out.Results)[0].Value != coretest.UserProvidedCEID {
			return fmt.Errorf("configurations %+v", out)
		}
		return nil
	}
	return &bench.ClientGET{
		Vendor: "core", Call: "CEConfigurations", Stop: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.CEConfigurations(ctx, core.EnrollmentSubTypeUserProvided)
			if err != nil {
				return err
			}
			if len(got.Results) != 1 || got.Results[0].Value != coretest.UserProvidedCEID {
				return fmt.Errorf("configurations %+v", got)
			}
			return nil
		},
		Bare: func(ctx context.Context) error {
			var out coreapi.ConfigurationListResponse
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
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
func CloudGET() (*bench.ClientGET, error) {
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
	hc := bench.BareClient(nil)
	q := url.Values{"fq": {"UID=" + want.UID}, "rows": {"2"}, "start": {"0"}}
	u := srv.URL + "/api/v1/account?" + q.Encode()
	header := bench.BasicHeader(srv.Username, srv.Password)
	peer, err := cloudapi.NewClientWithResponses(srv.URL, cloudapi.WithHTTPClient(bench.PeerClient(nil)), cloudapi.WithRequestEditorFn(bench.SetHeaders(header)))
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
	return &bench.ClientGET{
		Vendor: "cloud", Call: "GetAccountByUID", Stop: srv.Close,
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
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
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
func MIMCMGET() (*bench.ClientGET, error) {
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
	hc := bench.BareClient(nil)
	u := srv.URL + "/CertificateManagement/api/v1.0/requests/" + id.String()
	header := bench.BasicHeader(srv.Username, srv.Password)
	peer, err := mimcmapi.NewClientWithResponses(srv.URL, mimcmapi.WithHTTPClient(bench.PeerClient(nil)), mimcmapi.WithRequestEditorFn(bench.SetHeaders(header)))
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
	return &bench.ClientGET{
		Vendor: "mimcm", Call: "GetRequest", Stop: srv.Close,
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
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
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
func CzertainlyGET() (*bench.ClientGET, error) {
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
	hc := bench.BareClient(tc)
	u := srv.URL + "/v1/admins/" + adminv1test.SuperAdminUUID
	header := http.Header{"Accept": {"application/json"}}
	peer, err := adminv1api.NewClientWithResponses(srv.URL, adminv1api.WithHTTPClient(bench.PeerClient(tc.Clone())), adminv1api.WithRequestEditorFn(bench.SetHeaders(header)))
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
	return &bench.ClientGET{
		Vendor: "czertainly/adminv1", Call: "GetAdmin", Stop: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID)
			if err != nil {
				return err
			}
			return check(got.UUID, got.Username)
		},
		Bare: func(ctx context.Context) error {
			var out adminv1.Admin
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
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
func EnterpriseGET() (*bench.ClientGET, error) {
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
	hc := bench.BareClient(nil)
	u := host + srv.CertificatesPath() + "/identity/" + id + "?f=json"
	header := http.Header{
		"X-Esri-Authorization": {"Bearer " + srv.IssueToken(host, time.Hour)},
		"Referer":              {host},
	}
	peer, err := enterpriseadminapi.NewClientWithResponses(host, enterpriseadminapi.WithHTTPClient(bench.PeerClient(nil)), enterpriseadminapi.WithRequestEditorFn(bench.SetHeaders(header)))
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
	return &bench.ClientGET{
		Vendor: "enterpriseadmin", Call: "GetIdentityCertificate", Stop: srv.Close,
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
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
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
