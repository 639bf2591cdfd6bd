package core_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/internal/testcert"
	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// fastRetry keeps retries in tests to a few milliseconds.
var fastRetry = core.WithRetry(core.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second})

// fastPoll checks an export's status every millisecond.
var fastPoll = core.WithPollInterval(time.Millisecond)

// newFake starts a coretest server and a client for it. When the test ends
// it fails the test if any request or response broke the spec.
func newFake(t testing.TB, extra ...core.Option) (*coretest.Server, *core.Client) {
	t.Helper()
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if v := srv.SpecViolations(); len(v) > 0 {
			t.Errorf("spec violations:\n%v", v)
		}
		srv.Close()
	})
	opts := append([]core.Option{core.WithBasicAuth(srv.Username, srv.Password), fastRetry}, extra...)
	c, err := core.NewClient(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// testPKCS12 builds a PKCS#12 file for cn, protected by password.
func testPKCS12(t testing.TB, cn, password string) ([]byte, *x509.Certificate) {
	t.Helper()
	cert, key := testcert.SelfSigned(t, x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Example"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	})
	return testcert.PFX(t, cert, key, password), cert
}

// Paths of the fake, for hit counts.
const (
	pathExport        = "/api/v2/certificates/search_export"
	pathExportStatus  = "/api/v2/certificates/search_export_status"
	pathDownload      = "/api/v2/certificates/search_download_csv"
	pathSearch        = "/api/v2/certificates/search"
	pathUpload        = "/api/v2/configuration/CE/USER_PROVIDED/10/uploadCertificate"
	pathDelete        = "/api/v2/configuration/CE/USER_PROVIDED/10/deleteCertificate"
	pathRevoke        = "/api/v2/certificateCheckJob/attemptRevokeForPendingRevocation"
	pathUsersSearch   = "/api/v2/configurations/CE/32/users/withnocerts/search"
	pathUsersStatus   = "/api/v2/configurations/CE/10/users/withnocerts/search_export_status"
	pathUsersDownload = "/api/v2/configurations/CE/10/users/withnocerts/search_download_csv"
)
