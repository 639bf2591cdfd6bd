package vendorbench

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/internal/bench"
)

// AdminV1GET reads the super administrator of the 1.x Administrator API
// (GET /api/v1/admins/{uuid}, package czertainly/adminv1)
// over mutual TLS.
func AdminV1GET() (*bench.ClientGET, error) {
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
