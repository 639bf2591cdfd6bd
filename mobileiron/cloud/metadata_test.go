package cloud_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// The documentation's example and parameter table read the metadata with
// GET /api/v1/account?metadata; its Request URI line says
// /api/v1/account/metadata. The client sends the first and falls back to
// the second when the first is answered 404 or with an account list.
func TestMetadataUsesTheDocumentedForm(t *testing.T) {
	srv, c, rec := newFake(t)
	ctx := context.Background()
	m, err := c.GetAccountMetadata(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.last(t, "GET").URL; got != "/api/v1/account?metadata" || srv.TotalHits() != 1 {
		t.Errorf("sent %s (%d requests), want /api/v1/account?metadata once", got, srv.TotalHits())
	}
	if m.AccountID != cloudtest.AdminID || m.EmailAddress != cloudtest.Username || len(m.GlobalAuthorities) != 103 {
		t.Errorf("metadata %+v", m)
	}

	for _, f := range []cloudtest.Fault{
		{Method: "GET", PathSuffix: "/api/v1/account", Status: http.StatusNotFound, ContentType: "application/json",
			Body: `{"errors":{"globalErrors":[{"code":"NOT_FOUND","message":"no such call"}],"fieldErrors":null},"result":null}`},
		{Method: "GET", PathSuffix: "/api/v1/account", Status: http.StatusOK, ContentType: "application/json",
			Body: `{"errors":null,"result":{"totalCount":1,"searchResults":[{"id":10022}],"offset":0}}`},
	} {
		before := srv.Hits("GET", "/api/v1/account/metadata")
		srv.Inject(f)
		m, err := c.GetAccountMetadata(ctx)
		if err != nil || m.AccountID != cloudtest.AdminID {
			t.Errorf("after a %d answer: %+v, %v", f.Status, m, err)
		}
		if got := rec.last(t, "GET").URL; got != "/api/v1/account/metadata" || srv.Hits("GET", "/api/v1/account/metadata") != before+1 {
			t.Errorf("after a %d answer the fallback was %s", f.Status, got)
		}
	}
}
