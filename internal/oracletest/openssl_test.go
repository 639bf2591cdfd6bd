package oracletest

import (
	"context"
	"crypto/x509/pkix"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// opensslTally counts what openssl read.
type opensslTally struct{ files, checks, failures int }

// checkPKCS12 reads a PKCS#12 file with openssl: the whole structure
// (pkcs12 -info, MAC and encryption included), the certificate (x509) and
// the key (pkey), and that the key is the certificate's.
func checkPKCS12(t *testing.T, tally *opensslTally, path, password string) {
	t.Helper()
	tally.files++
	pass := "pass:" + password
	run := func(stdin []byte, args ...string) string {
		t.Helper()
		tally.checks++
		out, err := interop.OpenSSL(t, stdin, args...)
		if err != nil {
			tally.failures++
			t.Errorf("%s: %v", filepath.Base(path), err)
		}
		return out
	}
	run(nil, "pkcs12", "-info", "-noout", "-in", path, "-passin", pass)
	certPEM := run(nil, "pkcs12", "-in", path, "-passin", pass, "-nokeys", "-clcerts")
	keyPEM := run(nil, "pkcs12", "-in", path, "-passin", pass, "-nocerts", "-nodes")
	checkPair(t, tally, filepath.Base(path), []byte(certPEM), []byte(keyPEM))
}

// checkPair checks a certificate and key (PEM) with x509 and pkey and
// compares the certificate's public key with the key's.
func checkPair(t *testing.T, tally *opensslTally, what string, certPEM, keyPEM []byte) {
	t.Helper()
	run := func(stdin []byte, args ...string) string {
		t.Helper()
		tally.checks++
		out, err := interop.OpenSSL(t, stdin, args...)
		if err != nil {
			tally.failures++
			t.Errorf("%s: %v", what, err)
		}
		return out
	}
	run(certPEM, "x509", "-noout", "-subject", "-issuer", "-dates")
	run(keyPEM, "pkey", "-check", "-noout")
	certPub := run(certPEM, "x509", "-noout", "-pubkey")
	keyPub := run(keyPEM, "pkey", "-pubout")
	tally.checks++
	if strings.TrimSpace(certPub) == "" || strings.TrimSpace(certPub) != strings.TrimSpace(keyPub) {
		tally.failures++
		t.Errorf("%s: openssl says the key is not the certificate's:\ncertificate %s\nkey %s", what, certPub, keyPub)
	}
}

func TestOpenSSLReadsWhatTheSDKWrites(t *testing.T) {
	t.Parallel()
	began := time.Now()
	interop.LookPath(t, "openssl", "openssl.sh")
	dir := t.TempDir()
	var tally opensslTally
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
	checkPKCS12(t, &tally, p12, "oracle-pass")
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
			tally.checks++
			if _, err := interop.OpenSSL(t, ic.PKCS7, args...); err != nil {
				tally.failures++
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
			checkPKCS12(t, &tally, p, "server-pfx")
		}
	}
	p12 = filepath.Join(dir, "mimcm-server-key.p12")
	if err := e.WritePKCS12(p12, "oracle-pass"); err != nil {
		t.Fatal(err)
	}
	checkPKCS12(t, &tally, p12, "oracle-pass")

	// CZERTAINLY: Enroll's PEM files and its PKCS#12 file.
	csrv := czertainlytest.NewTestServer(t)
	cc, err := csrv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []czertainly.KeyType{czertainly.KeyTypeECDSAP256, czertainly.KeyTypeRSA2048} {
		ce, err := cc.Enroll(ctx, czertainly.EnrollInput{
			Profile: czertainly.Profile{AuthorityUUID: czertainlytest.AuthorityUUID, RAProfileUUID: czertainlytest.RAProfileUUID},
			KeyType: kt, Subject: pkix.Name{CommonName: "openssl.example.com"}, DNSNames: []string{"openssl.example.com"},
		}, czertainly.WithPollInterval(time.Millisecond))
		if err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		certPath, keyPath := filepath.Join(dir, string(kt)+".crt"), filepath.Join(dir, string(kt)+".key")
		if err := ce.WritePEM(certPath, keyPath); err != nil {
			t.Fatal(err)
		}
		certPEM, _ := os.ReadFile(certPath)
		keyPEM, _ := os.ReadFile(keyPath)
		tally.files += 2
		checkPair(t, &tally, string(kt)+" PEM files", certPEM, keyPEM)
		p12 := filepath.Join(dir, string(kt)+".p12")
		if err := ce.WritePKCS12(p12, "oracle-pass"); err != nil {
			t.Fatal(err)
		}
		checkPKCS12(t, &tally, p12, "oracle-pass")
	}

	// The example tool mimcm-enroll, run as a user runs it (against its
	// in-process fake), writes a PKCS#12 file.
	tool := filepath.Join(dir, "mimcm-enroll.p12")
	cmd := exec.CommandContext(context.WithoutCancel(ctx), "go", "run", "./examples/mimcm-enroll", "-o", tool)
	cmd.Dir = interop.ModuleRoot(t)
	cmd.Env = append(os.Environ(), "MIMCM_P12_PASSWORD=tool-pass")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mimcm-enroll: %v\n%s", err, out)
	}
	checkPKCS12(t, &tally, tool, "tool-pass")

	if tally.files < 9 {
		t.Errorf("openssl read %d files; the workflows above write at least 9", tally.files)
	}
	t.Logf("oracle openssl: files=%d checks=%d failures=%d cost_s=%.1f", tally.files, tally.checks, tally.failures, time.Since(began).Seconds())
}
