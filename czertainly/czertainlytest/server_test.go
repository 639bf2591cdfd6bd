package czertainlytest_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

// raw is a plain net/http client for the fake that presents certs (none:
// no client certificate) and trusts the fake's CA.
func raw(srv *czertainlytest.Server, certs ...tls.Certificate) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: srv.CA.Pool(), Certificates: certs, MinVersion: tls.VersionTLS12,
	}}}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request as the super administrator and reads the answer.
func send(t *testing.T, c *http.Client, method, url, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func TestFixturesAreTheDocumentationSamples(t *testing.T) {
	text, err := czertainlytest.Fixture("admins.txt")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(text, []byte("[- {\n- \"uuid\": \"7b55ge1c-844f-11dc-a8a3-0242ac120002\",")) {
		t.Errorf("admins.txt does not start as the rendered sample: %q", text[:min(60, len(text))])
	}
	js, err := czertainlytest.SampleJSON("admins")
	if err != nil {
		t.Fatal(err)
	}
	var admins []map[string]any
	if err := json.Unmarshal(js, &admins); err != nil || len(admins) != 1 || admins[0]["uuid"] != czertainlytest.SampleAdminUUID {
		t.Errorf("SampleJSON(admins) = %v, %v", admins, err)
	}
	if _, err := czertainlytest.Fixture("missing.txt"); err == nil {
		t.Error("a missing fixture gave no error")
	}
	if _, err := czertainlytest.SampleJSON("../server.go"); err == nil {
		t.Error("SampleJSON read outside testdata")
	}
}

func TestAdminReturnsACopyInTheClientsTypes(t *testing.T) {
	srv := czertainlytest.NewTestServer(t)
	a, ok := srv.Admin(czertainlytest.SuperAdminUUID)
	if !ok || a.Username != czertainlytest.SuperAdminUsername || a.Role != czertainly.RoleSuperAdministrator || !a.Enabled {
		t.Fatalf("Admin(super) = %+v, %v", a, ok)
	}
	if a.SerialNumber != srv.ClientCertificate.Leaf.SerialNumber.Text(16) {
		t.Errorf("serial %s, want the client certificate's", a.SerialNumber)
	}
	a.Enabled = false
	if again, _ := srv.Admin(czertainlytest.SuperAdminUUID); !again.Enabled {
		t.Error("changing the returned administrator changed the store")
	}
	if _, ok := srv.Admin("c2f685d4-6a3e-11ec-90d6-0242ac120003"); ok {
		t.Error("an unknown UUID was found")
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("%d seeded administrators, want the sample and the super administrator", n)
	}
}

func TestWriteClientFiles(t *testing.T) {
	srv := czertainlytest.NewTestServer(t)
	f, err := srv.WriteClientFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pair.Certificate[0], srv.ClientCertificate.Leaf.Raw) {
		t.Error("CertFile does not hold ClientCertificate")
	}
	c, err := czertainly.NewClient(srv.URL, czertainly.WithClientCertificateFiles(f.CertFile, f.KeyFile), czertainly.WithRootCAFile(f.CAFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAdmin(t.Context(), czertainlytest.SuperAdminUUID); err != nil {
		t.Error(err)
	}
}

func TestRootCAsTrustsTheServer(t *testing.T) {
	srv := czertainlytest.NewTestServer(t)
	if srv.Certificate() == nil || srv.RootCAs() == nil {
		t.Fatal("no server certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: srv.RootCAs(), Certificates: []tls.Certificate{srv.ClientCertificate}, MinVersion: tls.VersionTLS12,
	}}}
	if a := send(t, c, http.MethodGet, srv.URL+"/v1/admins", "", ""); a.status != http.StatusOK {
		t.Errorf("list with RootCAs: %d %s", a.status, a.body)
	}
}
