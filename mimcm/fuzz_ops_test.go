package mimcm

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
)

// FuzzDecodeOperations feeds a 200 (or 201) body to the decoder of every
// operation added beside the request reads: each gives a result or a
// typed error (never both, never a panic), a decoding failure is
// ErrUnexpectedResponse or ErrHTMLResponse, and no all-zero GUID comes
// back behind a pointer.
func FuzzDecodeOperations(f *testing.F) {
	for _, b := range samples(f) {
		f.Add(b, uint8(0))
	}
	for i, s := range hostileBodies {
		f.Add([]byte(s), uint8(i))
	}
	for _, s := range []string{`"api/v1.0/requests/a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099"`, `"api/v1.0/smartcards/{17CF063D-E337-4AA9-A822-346554DDD3C9}"`,
		`"api/v1.0/requests/00000000-0000-0000-0000-000000000000"`, `"mBVA+HopB/gc+6FuKsQqx+OX01hK1WQI"`, `"not base64!"`,
		`[{"isPfx":true,"Pfx":"!!"}]`, `[{"isPkcs7":true,"Pkcs7":"MIIB\r\nAA==\r\n"}]`, `{"ApprovalsNeeded":"one"}`} {
		f.Add([]byte(s), uint8(len(s)))
	}
	id := uuid.MustParse("a9b4b42c-cc50-4c9b-89d1-bbc0bcd5a099")
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		calls := []func(c *Client) (any, error){
			func(c *Client) (any, error) { return c.ListProfileTemplates(ctx) },
			func(c *Client) (any, error) { return c.GetProfileTemplate(ctx, id) },
			func(c *Client) (any, error) { return c.GetWorkflowPolicy(ctx, id, RequestTypeNameEnroll) },
			func(c *Client) (any, error) { return c.GetSmartcardConfiguration(ctx, id) },
			func(c *Client) (any, error) {
				return c.CreateRequest(ctx, CreateRequestInput{Type: RequestTypeNameEnroll, ProfileTemplateUUID: id})
			},
			func(c *Client) (any, error) { return c.CompleteRequest(ctx, id) },
			func(c *Client) (any, error) { return c.GetCertificateRequestGenerationOptions(ctx, id) },
			func(c *Client) (any, error) {
				return c.SubmitCertificateRequests(ctx, id, SubmitInput{CertificateRequests: [][]byte{{0x30}}, PFXPassword: "pw"})
			},
			func(c *Client) (any, error) { return c.ListProfiles(ctx, ProfileFilter{}) },
			func(c *Client) (any, error) { return c.GetProfile(ctx, id) },
			func(c *Client) (any, error) { return c.ListSmartcards(ctx, SmartcardFilter{CardID: "x"}) },
			func(c *Client) (any, error) { return c.GetSmartcard(ctx, id) },
			func(c *Client) (any, error) {
				return c.AssignSmartcard(ctx, AssignSmartcardInput{RequestID: id, CardID: "x"})
			},
			func(c *Client) (any, error) {
				return c.GetSmartcardDiversifiedKey(ctx, CardRef{RequestID: id, SmartcardID: id, CardID: "x"})
			},
			func(c *Client) (any, error) { return c.ListSmartcardOperations(ctx, id) },
			func(c *Client) (any, error) { return c.ListUserCertificates(ctx) },
			func(c *Client) (any, error) { return c.ListProfileCertificates(ctx, id) },
		}
		n := int(which) % len(calls)
		call := calls[n]
		status := http.StatusOK
		if n == 4 || n == 12 {
			status = http.StatusCreated
		}
		c := fuzzClient(t, fuzzcheck.CannedTransport{Status: status, ContentType: "application/json; charset=utf-8", Body: body})
		v, err := call(c)
		if err != nil {
			_ = fuzzcheck.CheckError(t, err)
			// ErrVendor: the server's error object sent with a success status.
			if !errors.Is(err, ErrUnexpectedResponse) && !errors.Is(err, ErrHTMLResponse) && !errors.Is(err, ErrVendor) {
				t.Fatalf("a %d answer gave %v", status, err)
			}
			return
		}
		switch r := v.(type) {
		case []Profile:
			for _, p := range r {
				for _, g := range []*uuid.UUID{p.ParentProfileUUID, p.PrimaryProfileUUID, p.AssignedUserUUID, p.ProfileTemplateUUID} {
					if g != nil && *g == uuid.Nil {
						t.Fatal("all-zero GUID kept as set")
					}
				}
			}
		case uuid.UUID:
			if r == uuid.Nil {
				t.Fatal("a create returned the all-zero GUID")
			}
		}
	})
}
