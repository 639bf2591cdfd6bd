package oracle

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/interop"
)

// TestEsriClientAgainstArcGISFake runs Esri's own JavaScript client
// (@esri/arcgis-rest-request, pinned by internal/interop/npm) against the
// ArcGIS fake as a user's tool would: ArcGISIdentityManager.signIn (which
// asks generateToken, then the portal's community/self), then a
// GET of the identity certificates with the token it got. Our fake and our
// client share one reading of the vendor's documents; Esri's client does not.
func TestEsriClientAgainstArcGISFake(t *testing.T) {
	t.Parallel()
	began := time.Now()
	srv := enterpriseadmintest.NewTestServer(t)
	stdout, stderr, err := interop.RunNodeScript(t, t.Context(), "arcgis-signin.mjs",
		"ARCGIS_URL="+srv.URL, "ARCGIS_USER="+enterpriseadmintest.Username, "ARCGIS_PASSWORD="+enterpriseadmintest.Password)
	requests := srv.TotalHits()
	if err != nil {
		t.Fatalf("Esri's client fails against the fake: %v\n%s%s", err, stdout, stderr)
	}
	var got struct {
		User         string            `json:"user"`
		TokenLength  int               `json:"tokenLength"`
		Certificates []json.RawMessage `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &got); err != nil {
		t.Fatalf("the script's output: %v\n%s", err, stdout)
	}
	if got.User != enterpriseadmintest.Username || got.TokenLength == 0 {
		t.Errorf("signed in as %q with a token of %d characters; want %q and a token", got.User, got.TokenLength, enterpriseadmintest.Username)
	}
	found := false
	for _, c := range got.Certificates {
		var id struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(c, &id)
		found = found || id.ID == enterpriseadmintest.SeedCertificateID
	}
	if !found {
		t.Errorf("Esri's client did not get the seeded identity certificate %s: %s", enterpriseadmintest.SeedCertificateID, stdout)
	}
	if n := srv.HitsMatching("POST", "/sharing/rest/generateToken"); n != 1 {
		t.Errorf("generateToken was called %d times; signIn asks once", n)
	}
	// signIn resolves only after the portal has described the signed-in
	// user (its getUser); once, and the GET of the certificates once.
	if n := srv.HitsMatching("GET", "/sharing/rest/community/self"); n != 1 {
		t.Errorf("community/self was asked %d times; signIn asks once", n)
	}
	if n := srv.HitsMatching("GET", "/admin/security/certificates/identity"); n != 1 {
		t.Errorf("the identity certificates were asked %d times; want 1", n)
	}
	t.Logf("oracle esri/arcgis-rest-request: operations=3 requests=%d violations=%d cost_s=%.1f", requests, len(srv.SpecViolations()), time.Since(began).Seconds())
}
