//go:build audit

package audit21

import (
	"context"
	"crypto/x509"
	"errors"
	"go/types"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func serverMethod(t *testing.T, rel, name string) (string, bool) {
	srv := lookup(t, rel, "Server")
	if srv == nil {
		return "", false
	}
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(srv.Type()), false, pkgTypes(t, rel), name)
	f, ok := obj.(*types.Func)
	if !ok {
		return "", false
	}
	return typeString(t, rel, f.Type()), true
}

// Issue: "mimcmtest's RootCAs() is the TLS root, and a user filling
// EnrollInput.Roots needs the issuing CA. Give the fake one obvious way to get
// each." TLSRootCAs verifies the server's TLS certificate and not what the CA
// issues; IssuingCAs is what EnrollInput.Roots takes; the ambiguous RootCAs
// is gone.
func TestMIMCMTestRoots(t *testing.T) {
	if _, ok := serverMethod(t, "mimcm/mimcmtest", "RootCAs"); ok {
		t.Errorf("mimcmtest.Server still has the ambiguous RootCAs")
	}
	for _, n := range []string{"TLSRootCAs", "IssuingCAs"} {
		if sig, _ := serverMethod(t, "mimcm/mimcmtest", n); sig != "func() *x509.CertPool" {
			t.Fatalf("mimcmtest.Server.%s = %q", n, sig)
		}
	}
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithTLS())
	leaf := srv.Certificate()
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: srv.TLSRootCAs()}); err != nil {
		t.Errorf("TLSRootCAs does not verify the server's TLS certificate: %v", err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: srv.IssuingCAs()}); err == nil {
		t.Errorf("IssuingCAs verifies the TLS certificate too: the two are not told apart")
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware, Roots: srv.IssuingCAs()}); err != nil {
		t.Errorf("enrollment with Roots: IssuingCAs(): %v", err)
	}
	_, err = c.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware, Roots: srv.TLSRootCAs()})
	if !errors.Is(err, mimcm.ErrKeyMismatch) {
		t.Errorf("enrollment with Roots: TLSRootCAs() (the wrong pool) = %v, want ErrKeyMismatch", err)
	}
}

// CONTRIBUTING's vocabulary row "fake's roots: TLSRootCAs() (every fake),
// IssuingCAs() (a fake with a CA)", the issue's "one obvious way to get each".
// Every fake has TLSRootCAs; every fake that has a CA (it exposes the CA's
// certificate) names the pool IssuingCAs.
func TestFakesRootsNaming(t *testing.T) {
	for _, f := range fakes {
		if sig, _ := serverMethod(t, f, "TLSRootCAs"); sig != "func() *x509.CertPool" {
			t.Errorf("%s.Server.TLSRootCAs = %q", f, sig)
		}
		_, hasCA := serverMethod(t, f, "CA")
		_, hasCACert := serverMethod(t, f, "CACertificate")
		if hasCA || hasCACert {
			if sig, _ := serverMethod(t, f, "IssuingCAs"); sig != "func() *x509.CertPool" {
				t.Errorf("%s.Server has a CA (CA or CACertificate) but no IssuingCAs() *x509.CertPool", f)
			}
		}
	}
}
