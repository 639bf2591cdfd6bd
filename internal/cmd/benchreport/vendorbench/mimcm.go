package vendorbench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/certadmin/certadmin-go/internal/bench"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

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
