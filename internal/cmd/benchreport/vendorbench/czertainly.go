package vendorbench

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/bench"
)

// Czertainly2GET reads one certificate of the 2.x Core API
// (GET /api/v1/certificates/{uuid}, package czertainly) with the fake's
// bearer token: the record every certificate workflow starts from.
//
// The fake runs WithoutValidation: checking every exchange against the
// vendor's OpenAPI 3.1 documents costs it about 85 ms and 106,000
// allocations per request (the JSON Schema compiled each time), so a
// figure taken with it measured the fake (SDK, net/http and peer within
// 5% of each other, each call 400 times slower than the other vendors').
func Czertainly2GET() (*bench.ClientGET, error) {
	srv, err := czertainlytest.NewServer(czertainlytest.WithoutValidation())
	if err != nil {
		return nil, err
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, err
	}
	// The newest seeded certificate (the fake lists newest first).
	first, err := c.ListCertificatesPage(context.Background(), czertainly.CertificateQuery{PageSize: 1}, 1)
	if err == nil && len(first.Certificates) != 1 {
		err = fmt.Errorf("%d certificates on a page of one", len(first.Certificates))
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("czertainly: first certificate: %w", err)
	}
	want := first.Certificates[0]
	id, err := uuid.Parse(want.UUID)
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bench.BareClient(nil)
	u := srv.URL + "/api/v1/certificates/" + want.UUID
	header := http.Header{"Authorization": {"Bearer " + czertainlytest.BearerToken}, "Accept": {"application/json"}}
	peer, err := czertainlyapi.NewClientWithResponses(srv.URL+"/api", czertainlyapi.WithHTTPClient(bench.PeerClient(nil)), czertainlyapi.WithRequestEditorFn(bench.SetHeaders(header)))
	if err != nil {
		srv.Close()
		return nil, err
	}
	check := func(uuid, commonName string, content int) error {
		if uuid != want.UUID || commonName != want.CommonName || content == 0 {
			return fmt.Errorf("certificate %s %q (%d bytes of content)", uuid, commonName, content)
		}
		return nil
	}
	return &bench.ClientGET{
		Vendor: "czertainly", Call: "GetCertificate", Stop: srv.Close,
		SDK: func(ctx context.Context) error {
			got, err := c.GetCertificate(ctx, want.UUID)
			if err != nil {
				return err
			}
			return check(got.UUID, got.CommonName, len(got.CertificateContent))
		},
		Bare: func(ctx context.Context) error {
			var out czertainlyapi.CertificateDetailDto
			if err := bench.BareGET(ctx, hc, u, header, &out); err != nil {
				return err
			}
			return check(out.Uuid, out.CommonName, len(deref(out.CertificateContent)))
		},
		Peer: func(ctx context.Context) error {
			resp, err := peer.GetCertificateWithResponse(ctx, id)
			if err != nil {
				return err
			}
			if resp.StatusCode() != http.StatusOK || resp.JSON200 == nil {
				return fmt.Errorf("status %d", resp.StatusCode())
			}
			return check(resp.JSON200.Uuid, resp.JSON200.CommonName, len(deref(resp.JSON200.CertificateContent)))
		},
	}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
