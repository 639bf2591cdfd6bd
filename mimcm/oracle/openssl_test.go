package oracle

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/internal/oracletest"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// TestOpenSSLReadsWhatTheSDKWrites: the PKCS#12 files of the MIM CM
// workflows (client and server key) and of the mimcm-enroll tool, and the
// fake's PKCS#7 and PFX answers, read by Debian's openssl.
func TestOpenSSLReadsWhatTheSDKWrites(t *testing.T) {
	t.Parallel()
	began := time.Now()
	interop.LookPath(t, "openssl", "openssl.sh")
	dir := t.TempDir()
	var tally oracletest.OpenSSLTally
	ctx := t.Context()

	// MIM CM, client key: the workflow's PKCS#12 file, and the fake's
	// PKCS#7 answer as it came.
	msrv := mimcmtest.NewTestServer(t)
	mc, err := msrv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	e, err := mc.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateSoftware})
	if err != nil {
		t.Fatal(err)
	}
	p12 := filepath.Join(dir, "mimcm-client-key.p12")
	if err := e.WritePKCS12(p12, "oracle-pass"); err != nil {
		t.Fatal(err)
	}
	tally.CheckPKCS12(t, p12, "oracle-pass")
	sawP7 := false
	for _, ic := range e.Issued {
		if len(ic.PKCS7) == 0 {
			continue
		}
		sawP7 = true
		for _, args := range [][]string{
			{"pkcs7", "-inform", "DER", "-print_certs", "-noout"},
			{"cms", "-cmsout", "-inform", "DER", "-print", "-noout"},
		} {
			tally.Checks++
			if _, err := interop.OpenSSL(t, ic.PKCS7, args...); err != nil {
				tally.Failures++
				t.Errorf("the MIM CM fake's PKCS#7 answer: %v", err)
			}
		}
	}
	if !sawP7 {
		t.Error("the MIM CM fake answered the software template without a PKCS#7 blob")
	}

	// MIM CM, server key: the fake's PFX answer with the caller's password,
	// and the workflow's own file.
	e, err = mc.EnrollSoftwareCertificate(ctx, mimcm.EnrollInput{ProfileTemplateUUID: mimcmtest.TemplateServerKey, PFXPassword: "server-pfx"})
	if err != nil {
		t.Fatal(err)
	}
	for i, ic := range e.Issued {
		if len(ic.PFX) > 0 {
			p := filepath.Join(dir, "mimcm-fake-answer-"+string(rune('a'+i))+".pfx")
			if err := os.WriteFile(p, ic.PFX, 0o600); err != nil {
				t.Fatal(err)
			}
			tally.CheckPKCS12(t, p, "server-pfx")
		}
	}
	p12 = filepath.Join(dir, "mimcm-server-key.p12")
	if err := e.WritePKCS12(p12, "oracle-pass"); err != nil {
		t.Fatal(err)
	}
	tally.CheckPKCS12(t, p12, "oracle-pass")

	// The example tool mimcm-enroll, run as a user runs it (against its
	// in-process fake), writes a PKCS#12 file.
	tool := filepath.Join(dir, "mimcm-enroll.p12")
	cmd := exec.CommandContext(context.WithoutCancel(ctx), "go", "run", "./examples/mimcm-enroll", "-o", tool)
	cmd.Dir = interop.ModuleRoot(t)
	cmd.Env = append(os.Environ(), "MIMCM_P12_PASSWORD=tool-pass")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mimcm-enroll: %v\n%s", err, out)
	}
	tally.CheckPKCS12(t, tool, "tool-pass")

	if tally.Files < 3 {
		t.Errorf("openssl read %d files; the workflows and the tool above write at least 3", tally.Files)
	}
	t.Logf("oracle openssl/mimcm: files=%d checks=%d failures=%d cost_s=%.1f", tally.Files, tally.Checks, tally.Failures, time.Since(began).Seconds())
}
