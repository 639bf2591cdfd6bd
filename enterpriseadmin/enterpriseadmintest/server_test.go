package enterpriseadmintest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func TestOptionsReachTheClient(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t,
		enterpriseadmintest.WithTLS(),
		enterpriseadmintest.WithWebContext("portal"),
		enterpriseadmintest.WithCredentials("gisadmin", "another-test-password"))
	if !strings.HasPrefix(srv.URL, "https://") || !strings.HasSuffix(srv.URL, "/portal") {
		t.Errorf("URL = %s, want https and the web context", srv.URL)
	}
	if srv.Username != "gisadmin" || srv.Password != "another-test-password" {
		t.Errorf("credentials = %q/%q", srv.Username, srv.Password)
	}
	if srv.Certificate() == nil || srv.RootCAs() == nil {
		t.Fatal("a TLS fake has no certificate")
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListIdentityCertificates(context.Background()); err != nil {
		t.Fatal(err)
	}
	if srv.TokenRequests() != 1 || srv.TotalHits() != 2 {
		t.Errorf("token requests %d, hits %d; want 1 and 2", srv.TokenRequests(), srv.TotalHits())
	}
	// The default user is not known to this fake.
	c, err = srv.NewClient(enterpriseadmin.WithCredentials(enterpriseadmintest.Username, enterpriseadmintest.Password), enterpriseadmin.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListIdentityCertificates(context.Background()); err == nil {
		t.Error("the default credentials were accepted by a fake with others")
	}
}

func TestFixture(t *testing.T) {
	b, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil || !strings.Contains(string(b), `"id": "`+enterpriseadmintest.SeedCertificateID+`"`) {
		t.Errorf("fixture = %q, %v", b, err)
	}
	if _, err := enterpriseadmintest.Fixture("nothing.json"); err == nil {
		t.Error("a missing fixture gave no error")
	}
}

func TestBadWebContext(t *testing.T) {
	if _, err := enterpriseadmintest.NewServer(enterpriseadmintest.WithWebContext("a/b")); err == nil {
		t.Error("a web context of two segments was accepted")
	}
}

func TestCloseReportsUnusedFaults(t *testing.T) {
	srv, err := enterpriseadmintest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(enterpriseadmintest.Fault{PathSuffix: "/never", Status: 500})
	if err := srv.Close(); err == nil || !strings.Contains(err.Error(), "/never") {
		t.Errorf("Close = %v, want the unused fault named", err)
	}
}
