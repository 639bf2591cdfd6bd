package oracle

import (
	"crypto/x509/pkix"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
	"github.com/certadmin/certadmin-go/internal/interop"
	"github.com/certadmin/certadmin-go/internal/oracletest"
)

// TestOpenSSLReadsWhatTheSDKWrites: Enroll's PEM files and its PKCS#12
// file, for an ECDSA and an RSA key, read by Debian's openssl.
func TestOpenSSLReadsWhatTheSDKWrites(t *testing.T) {
	t.Parallel()
	began := time.Now()
	interop.LookPath(t, "openssl", "openssl.sh")
	dir := t.TempDir()
	var tally oracletest.OpenSSLTally
	ctx := t.Context()

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
		tally.Files += 2
		tally.CheckPair(t, string(kt)+" PEM files", certPEM, keyPEM)
		p12 := filepath.Join(dir, string(kt)+".p12")
		if err := ce.WritePKCS12(p12, "oracle-pass"); err != nil {
			t.Fatal(err)
		}
		tally.CheckPKCS12(t, p12, "oracle-pass")
	}

	if tally.Files < 6 {
		t.Errorf("openssl read %d files; the enrollments above write 6", tally.Files)
	}
	t.Logf("oracle openssl/czertainly: files=%d checks=%d failures=%d cost_s=%.1f", tally.Files, tally.Checks, tally.Failures, time.Since(began).Seconds())
}
