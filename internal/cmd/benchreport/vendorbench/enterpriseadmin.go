package vendorbench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadminapi"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/bench"
)

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
