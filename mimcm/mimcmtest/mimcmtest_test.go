package mimcmtest_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func get(t *testing.T, srv *mimcmtest.Server, path, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServesSamplesVerbatimAndWritesUnsetValuesLikeTheServer(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	sample, err := mimcmtest.Fixture(mimcmtest.FixtureEnroll)
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, srv, "/CertificateManagement/api/v1.0/requests/"+mimcmtest.SampleEnrollID.String(), srv.Username, srv.Password)
	if code != 200 || body != strings.TrimSpace(string(sample)) {
		t.Errorf("sample not served verbatim: %d %q", code, body)
	}
	id := uuid.New()
	if err := srv.AddRequest(mimcm.Request{UUID: id, Status: 4}); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, srv, "/CertificateManagement/api/v1.0/requests/"+id.String(), srv.Username, srv.Password)
	for _, want := range []string{`"Completed":"0001-01-01T00:00:00"`, `"NewProfileUuid":"00000000-0000-0000-0000-000000000000"`} {
		if !strings.Contains(body, want) {
			t.Errorf("stored request lacks %s: %s", want, body)
		}
	}
	code, _ = get(t, srv, "/CertificateManagement/api/v1.0/requests?status=Denied", srv.Username, srv.Password)
	if code != http.StatusNoContent {
		t.Errorf("status 4 has no filter name yet: got %d, want 204", code)
	}
	srv.SetStatusName(4, mimcm.StatusDenied)
	code, body = get(t, srv, "/CertificateManagement/api/v1.0/requests?status=Denied", srv.Username, srv.Password)
	if code != 200 || !strings.Contains(body, id.String()) || strings.Contains(body, mimcmtest.SampleEnrollID.String()) {
		t.Errorf("status filter after SetStatusName: %d %s", code, body)
	}
	if code, _ := get(t, srv, "/CertificateManagement/api/v1.0/requests", srv.Username, "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- srv.AddRequest(mimcm.Request{UUID: uuid.New(), Status: 3, TargetUserUUID: &mimcmtest.UserUUID, Comment: fmt.Sprint(i)})
		}()
		go func() {
			defer wg.Done()
			_, err := c.ListRequests(context.Background(), mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusPending})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	list, err := c.ListRequests(context.Background(), mimcm.RequestFilter{CurrentUser: true, Status: mimcm.StatusPending})
	if err != nil || len(list) != 2+n {
		t.Errorf("after %d concurrent adds: %d requests, %v", n, len(list), err)
	}
}

func TestServesHTTPSWithTLS(t *testing.T) {
	srv := mimcmtest.NewTestServer(t, mimcmtest.WithTLS())
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("URL %s is not HTTPS", srv.URL)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(srv.Username, srv.Password), mimcm.WithRootCAs(pool))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if err != nil || r.UUID != mimcmtest.SampleEnrollID {
		t.Fatalf("over TLS: %v", err)
	}
	// The fake's own client options trust its certificate.
	c2, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c2.GetRequest(context.Background(), mimcmtest.SampleUnblockID); err != nil {
		t.Fatalf("srv.NewClient over TLS: %v", err)
	}
}

func TestNewServerThenNewClient(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRequest(context.Background(), mimcmtest.SampleEnrollID)
	if err != nil || r.Type != mimcm.RequestTypeEnroll {
		t.Fatalf("GetRequest: %+v, %v", r, err)
	}
	if srv.Username != mimcmtest.Username || srv.Password != mimcmtest.Password {
		t.Errorf("default credentials: %q %q", srv.Username, srv.Password)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestWithCredentialsAndUnusedFaults(t *testing.T) {
	srv, err := mimcmtest.NewServer(mimcmtest.WithCredentials(`CONTOSO\other`, "other-password"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, srv, "/CertificateManagement/api/v1.0/requests", mimcmtest.Username, mimcmtest.Password); code != http.StatusUnauthorized {
		t.Errorf("the default credentials after WithCredentials: %d, want 401", code)
	}
	c, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListRequests(context.Background(), mimcm.RequestFilter{}); err != nil {
		t.Errorf("srv.NewClient must use the replaced credentials: %v", err)
	}
	srv.Inject(mimcmtest.Fault{PathSuffix: "/nowhere", Status: http.StatusTeapot})
	if err := srv.Close(); err == nil || !strings.Contains(err.Error(), "/nowhere") {
		t.Errorf("Close must report the unused fault: %v", err)
	}
}

func TestFixtures(t *testing.T) {
	for _, name := range []string{mimcmtest.FixtureEnroll, mimcmtest.FixtureUnblock} {
		if b, err := mimcmtest.Fixture(name); err != nil || !strings.Contains(string(b), `"Uuid"`) {
			t.Errorf("Fixture(%s): %v", name, err)
		}
	}
	if _, err := mimcmtest.Fixture("missing.json"); err == nil {
		t.Error("Fixture of a missing file must fail")
	}
}
