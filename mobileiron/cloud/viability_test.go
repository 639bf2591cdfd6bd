package cloud_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

// CheckDeleteViability returns what the server said, counts and entries,
// and no verdict of its own: the documentation does not say what an
// entry means.
func TestCheckDeleteViabilityReturnsTheAnswer(t *testing.T) {
	srv, c, _ := newFake(t)
	ctx := context.Background()
	v, err := c.CheckDeleteViability(ctx, []int64{cloudtest.AdminID, 10022})
	if err != nil {
		t.Fatal(err)
	}
	if v.TotalCount != 1 || v.Offset != 0 || v.Limit != 0 || len(v.SearchResults) != 1 || string(v.SearchResults[0]) != `{"id":10001,"superUser":true}` {
		t.Errorf("viability %+v", v)
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) != `{"totalCount":1,"offset":0,"limit":0,"searchResults":[{"id":10001,"superUser":true}]}` {
		t.Errorf("as JSON %s, %v", b, err)
	}
	srv.Inject(cloudtest.Fault{Method: "GET", PathSuffix: "/api/v1/account", Status: 200, ContentType: "application/json",
		Body: `{"errors":null,"result":{"searchResults":[{"deviceCount":2},{"reason":"owner of 3 apps"}],"totalCount":2,"offset":0,"limit":50}}`})
	v, err = c.CheckDeleteViability(ctx, []int64{47253017})
	if err != nil || v.TotalCount != 2 || v.Limit != 50 || len(v.SearchResults) != 2 || string(v.SearchResults[1]) != `{"reason":"owner of 3 apps"}` {
		t.Errorf("viability %+v, %v", v, err)
	}
}
