package vendorbench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

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
// The answer is czertainlytest's own, replayed by a loopback server: the
// fake checks every exchange against the vendor's OpenAPI 3.1 documents,
// which costs it about 85 ms and 106,000 allocations per request (the
// JSON Schema compiled each time), so a figure taken against it measured
// the fake (SDK, net/http and peer all within 5% of each other, each call
// 400 times slower than the other vendors'). The replay server checks the
// path and the token and answers the fake's bytes.
func Czertainly2GET() (*bench.ClientGET, error) {
	fake, err := czertainlytest.NewServer()
	if err != nil {
		return nil, err
	}
	defer fake.Close()
	fc, err := fake.NewClient()
	if err != nil {
		return nil, err
	}
	// The newest seeded certificate (the fake lists newest first).
	first, err := fc.ListCertificatesPage(context.Background(), czertainly.CertificateQuery{PageSize: 1}, 1)
	if err == nil && len(first.Certificates) != 1 {
		err = fmt.Errorf("%d certificates on a page of one", len(first.Certificates))
	}
	if err != nil {
		return nil, fmt.Errorf("czertainly: first certificate: %w", err)
	}
	want := first.Certificates[0]
	id, err := uuid.Parse(want.UUID)
	if err != nil {
		return nil, err
	}
	path := "/api/v1/certificates/" + want.UUID
	auth := "Bearer " + czertainlytest.BearerToken
	header := http.Header{"Authorization": {auth}, "Accept": {"application/json"}}
	var answer json.RawMessage
	if err := bench.BareGET(context.Background(), bench.BareClient(nil), fake.URL+path, header, &answer); err != nil {
		return nil, fmt.Errorf("czertainly: the fake's answer: %w", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("Authorization") != auth:
			http.Error(w, `{"message":"unauthorized"}`, http.StatusUnauthorized)
		case r.Method != http.MethodGet || r.URL.Path != path:
			http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(answer)
		}
	}))
	c, err := czertainly.NewClient(srv.URL, czertainly.WithBearerToken(czertainlytest.BearerToken))
	if err != nil {
		srv.Close()
		return nil, err
	}
	hc := bench.BareClient(nil)
	u := srv.URL + path
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
