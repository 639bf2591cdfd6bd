package mimcmtest_test

import (
	"context"
	"encoding/asn1"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	cms "github.com/smallstep/pkcs7"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// The certificate data answer is a CMC full response, as the vendor's
// sample: a SignedData whose content is id-cct-PKIResponse, with a
// signer whose signature verifies (checked by smallstep/pkcs7 and, where
// installed, by openssl cms), carrying the issued certificate; the
// client's enrollment reads it. SetCertsOnlyPKCS7 switches to the bare
// form, which the client reads too.
func TestCertificateDataIsACMCFullResponse(t *testing.T) {
	for _, certsOnly := range []bool{false, true} {
		srv := mimcmtest.NewTestServer(t)
		srv.SetCertsOnlyPKCS7(certsOnly)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		e, err := c.EnrollSoftwareCertificate(context.Background(), mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
		if err != nil {
			t.Fatalf("certs-only %v: %v", certsOnly, err)
		}
		blob := e.Issued[0].PKCS7
		p7, err := cms.Parse(blob)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, cert := range p7.Certificates {
			found = found || cert.Equal(e.Certificate)
		}
		if !found {
			t.Error("the issued certificate is not in the PKCS#7 blob")
		}
		if certsOnly {
			if len(p7.Signers) != 0 {
				t.Error("certs-only answer with a signer")
			}
			continue
		}
		if len(p7.Signers) != 1 {
			t.Fatalf("%d signers, want 1", len(p7.Signers))
		}
		if err := p7.Verify(); err != nil {
			t.Errorf("the CMC response's signature: %v", err)
		}
		var status struct {
			Controls []struct {
				BodyPartID int
				AttrType   asn1.ObjectIdentifier
				AttrValues []asn1.RawValue `asn1:"set"`
			}
			CMS, Other []asn1.RawValue
		}
		if _, err := asn1.Unmarshal(p7.Content, &status); err != nil || len(status.Controls) != 1 ||
			!status.Controls[0].AttrType.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 7, 1}) {
			t.Errorf("PKIResponse: %v %+v", err, status)
		}
		if openssl, err := exec.LookPath("openssl"); err == nil {
			f := filepath.Join(t.TempDir(), "answer.p7")
			if err := os.WriteFile(f, blob, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(openssl, "cms", "-verify", "-noverify", "-inform", "DER", "-in", f, "-out", os.DevNull).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Verification successful") {
				t.Errorf("openssl cms -verify: %v: %s", err, out)
			}
			out, err = exec.Command(openssl, "cms", "-cmsout", "-print", "-inform", "DER", "-in", f).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "id-cct-PKIResponse") {
				t.Errorf("openssl cms -print: %v: %s", err, out)
			}
		}
	}
}
