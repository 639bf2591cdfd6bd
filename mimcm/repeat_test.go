package mimcm_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/openapi"
)

// A state-changing PUT answered 503 is sent once, whichever path sends
// it: the generated client of Raw (which sends through the same stack),
// Do, or a method. A GET is still retried.
func TestStateChangingPUTIsNeverRepeated(t *testing.T) {
	srv, c := setup(t)
	ctx := context.Background()
	id := mimcmtest.SampleEnrollID
	puts := func() int { return srv.HitsMatching(http.MethodPut, "/requests/"+id.String()) }

	srv.Inject(mimcmtest.Fault{Method: http.MethodPut, PathSuffix: "/requests/" + id.String(), Status: http.StatusServiceUnavailable})
	resp, err := c.Raw().SetRequestStatus(ctx, id, mimcmapi.SetRequestStatusBody{Status: mimcmapi.SetRequestStatusBodyStatusCompleted})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || puts() != 1 {
		t.Fatalf("Raw().SetRequestStatus: status %d after %d PUTs, want the 503 after exactly 1", resp.StatusCode, puts())
	}

	srv.Inject(mimcmtest.Fault{Method: http.MethodPut, PathSuffix: "/requests/" + id.String(), Status: http.StatusServiceUnavailable})
	req, err := mimcmapi.NewSetRequestStatusRequest(c.Raw().Server, id, mimcmapi.SetRequestStatusBody{Status: mimcmapi.SetRequestStatusBodyStatusCanceled})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, req, nil); err == nil || puts() != 2 {
		t.Fatalf("Do: %v after %d PUTs in all, want the 503 after exactly 1 more", err, puts())
	}

	card := uuid.New()
	srv.Inject(mimcmtest.Fault{Method: http.MethodPut, PathSuffix: "/smartcards/" + card.String(), Status: http.StatusServiceUnavailable})
	resp, err = c.Raw().SetSmartcardStatus(ctx, id, card, mimcmapi.SetSmartcardStatusBody{Status: "Retired"})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := srv.HitsMatching(http.MethodPut, "/smartcards/"+card.String()); n != 1 {
		t.Errorf("Raw().SetSmartcardStatus: %d PUTs, want 1", n)
	}

	// Reads are still retried.
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/requests/" + id.String(), Status: http.StatusServiceUnavailable})
	resp, err = c.Raw().GetRequest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n := srv.Hits(http.MethodGet, api+"/requests/"+id.String()); resp.StatusCode != http.StatusOK || n != 2 {
		t.Errorf("Raw().GetRequest: status %d after %d GETs, want 200 after 2", resp.StatusCode, n)
	}
}

// Every operation of openapi/mimcm.yaml other than a GET changes state, so
// every one is sent once: a new write operation cannot be added to the
// spec and be repeated by default.
func TestEveryWriteOperationOfTheSpecIsSentOnce(t *testing.T) {
	b, err := openapi.Spec("mimcm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	srv, c := setup(t)
	ctx := context.Background()
	writes := 0
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			m := strings.ToUpper(method)
			if m != http.MethodPost && m != http.MethodPut && m != http.MethodDelete && m != http.MethodPatch {
				continue
			}
			writes++
			// Fill the path's parameters with a GUID the fake does not know.
			p := path
			for strings.Contains(p, "{") {
				i, j := strings.Index(p, "{"), strings.Index(p, "}")
				p = p[:i] + uuid.NewString() + p[j+1:]
			}
			srv.Inject(mimcmtest.Fault{Method: m, PathSuffix: p, Status: http.StatusServiceUnavailable})
			req, err := http.NewRequestWithContext(ctx, m, srv.URL+p, strings.NewReader(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			_ = c.Do(ctx, req, nil)
			if n := srv.Hits(m, p); n != 1 {
				t.Errorf("%s %s: sent %d times after a 503, want 1", m, path, n)
			}
		}
	}
	if writes < 5 {
		t.Errorf("only %d write operations found in the spec", writes)
	}
}
