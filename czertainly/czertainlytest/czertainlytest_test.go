package czertainlytest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// The vendor's documents load with kin-openapi as OpenAPI 3.1, but two of
// their own values break their schemas; the fake's loader skips exactly
// those checks. If the vendor fixes them, this test says so.
func TestVendorDocuments(t *testing.T) {
	for _, name := range czertainlytest.VendorDocuments {
		b, err := czertainlytest.Fixture("vendor/" + czertainlytest.VendorRelease + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := czertainlytest.LoadVendorDocument(b); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(b)
		if err != nil {
			t.Fatal(err)
		}
		if !doc.IsOpenAPI31OrLater() {
			t.Errorf("%s is not OpenAPI 3.1", name)
		}
		strict := doc.Validate(context.Background())
		if name == "doc-openapi-core-auth.yaml" || name == "doc-openapi-core-approval.yaml" || name == "doc-openapi-core-group.yaml" {
			if strict != nil {
				t.Errorf("%s: %v", name, strict)
			}
			continue
		}
		if strict == nil || !strings.Contains(strict.Error(), "BaseAttributeDto") {
			t.Errorf("%s: strict validation %v, want the known BaseAttributeDto example defect", name, strict)
		}
	}
}

// Examples of the documents decode into the package's types.
func TestVendorExamplesDecode(t *testing.T) {
	b, _ := czertainlytest.Fixture("vendor/" + czertainlytest.VendorRelease + "/doc-openapi-core-auth.yaml")
	doc, err := czertainlytest.LoadVendorDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	ex := map[string]any{}
	for name, prop := range doc.Components.Schemas["UserDetailDto"].Value.Properties {
		if len(prop.Value.Examples) > 0 {
			ex[name] = prop.Value.Examples[0]
		}
	}
	raw, _ := json.Marshal(ex)
	var u czertainly.UserDetail
	if err := json.Unmarshal(raw, &u); err != nil || u.Username != "user1" || u.UUID == "" {
		t.Errorf("UserDetailDto examples %s: %+v %v", raw, u, err)
	}
}

// getRawBase64 asks for a certificate's raw download with
// ?encoding=base64, which the vendor's documents do not allow, and
// returns the status.
func getRawBase64(t *testing.T, srv *czertainlytest.Server) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/certificates/"+czertainlytest.AdminUserUUID+"/raw?encoding=base64", nil)
	req.Header.Set("Authorization", "Bearer "+czertainlytest.BearerToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A request the vendor's documents do not allow is recorded, and the
// fake still answers it as Core would.
func TestVendorViolationsAreRecorded(t *testing.T) {
	srv, err := czertainlytest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if status := getRawBase64(t, srv); status != http.StatusBadRequest {
		t.Errorf("status %d, want Core's 400", status)
	}
	if v := srv.VendorViolations(); len(v) != 1 || !strings.Contains(v[0], "downloadCertificate") {
		t.Errorf("vendor violations %q", v)
	}
	if v := srv.SpecViolations(); len(v) != 1 {
		t.Errorf("spec violations %q", v)
	}
}

// WithoutValidation: the same request the documents do not allow is
// answered the same way, and neither check records anything (benchmarks
// measure the client, not kin-openapi).
func TestWithoutValidationChecksNothing(t *testing.T) {
	srv, err := czertainlytest.NewServer(czertainlytest.WithoutValidation())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if status := getRawBase64(t, srv); status != http.StatusBadRequest {
		t.Errorf("status %d, want Core's 400", status)
	}
	if v := srv.VendorViolations(); len(v) != 0 {
		t.Errorf("vendor violations %q, want none", v)
	}
	if v := srv.SpecViolations(); len(v) != 0 {
		t.Errorf("spec violations %q, want none", v)
	}
	if n := srv.TotalHits(); n != 1 {
		t.Errorf("hits %d, want 1", n)
	}
}

// recordingTB is a testing.TB whose failures and clean-ups are kept, to
// see what NewTestServer reports when a test ends.
type recordingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Cleanup(f func())          { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.TB.Fatalf(f, a...) }

// A violation of the vendor's documents fails the test that used the
// test server, as a violation of our own spec does.
func TestNewTestServerFailsOnVendorViolation(t *testing.T) {
	rec := &recordingTB{TB: t}
	srv := czertainlytest.NewTestServer(rec)
	// encoding=base64 is in neither document: recorded by both checks.
	getRawBase64(t, srv)
	for i := len(rec.cleanups) - 1; i >= 0; i-- {
		rec.cleanups[i]()
	}
	vendor := 0
	for _, e := range rec.errors {
		if strings.Contains(e, "vendor "+czertainlytest.VendorRelease+" document") {
			vendor++
		}
	}
	if vendor != 1 {
		t.Errorf("errors at cleanup %q, want one for the vendor's document", rec.errors)
	}
}
