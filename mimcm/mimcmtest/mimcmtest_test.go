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
	"github.com/certadmin/certadmin-go/mimcm/mimcmapi"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func get(t *testing.T, srv *mimcmtest.Server, path, user, password string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServesSamplesVerbatimAndWritesUnsetValuesLikeTheServer(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sample, err := mimcmtest.SampleJSON(mimcmtest.SampleEnrollID)
	if err != nil {
		t.Fatal(err)
	}
	code, body := get(t, srv, "/CertificateManagement/api/v1.0/requests/"+mimcmtest.SampleEnrollID, mimcmtest.User, mimcmtest.Password)
	if code != 200 || body != strings.TrimSpace(string(sample)) {
		t.Errorf("sample not served verbatim: %d %q", code, body)
	}
	id := uuid.New()
	if err := srv.AddRequest(mimcmapi.Request{Uuid: id, Status: 4, DataCollection: []mimcmapi.DataCollectionItem{}}); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, srv, "/CertificateManagement/api/v1.0/requests/"+id.String(), mimcmtest.User, mimcmtest.Password)
	for _, want := range []string{`"Completed":"0001-01-01T00:00:00"`, `"NewProfileUuid":"00000000-0000-0000-0000-000000000000"`} {
		if !strings.Contains(body, want) {
			t.Errorf("stored request lacks %s: %s", want, body)
		}
	}
	code, _ = get(t, srv, "/CertificateManagement/api/v1.0/requests?status=Denied", mimcmtest.User, mimcmtest.Password)
	if code != http.StatusNoContent {
		t.Errorf("status 4 has no filter name yet: got %d, want 204", code)
	}
	srv.SetStatusName(4, mimcmapi.Denied)
	code, body = get(t, srv, "/CertificateManagement/api/v1.0/requests?status=Denied", mimcmtest.User, mimcmtest.Password)
	if code != 200 || !strings.Contains(body, id.String()) || strings.Contains(body, mimcmtest.SampleEnrollID) {
		t.Errorf("status filter after SetStatusName: %d %s", code, body)
	}
	if code, _ := get(t, srv, "/CertificateManagement/api/v1.0/requests", mimcmtest.User, "wrong"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
	if v := srv.SpecViolations(); len(v) > 0 {
		t.Errorf("spec violations: %v", v)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(mimcmtest.User, mimcmtest.Password))
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
			errs <- srv.AddRequest(mimcmapi.Request{Uuid: uuid.New(), Status: 3, TargetUserUuid: uuid.MustParse(mimcmtest.UserUUID), DataCollection: []mimcmapi.DataCollectionItem{}, Comment: fmt.Sprint(i)})
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
	if v := srv.SpecViolations(); len(v) > 0 {
		t.Errorf("spec violations: %v", v)
	}
}

func TestServesHTTPSWithTLS(t *testing.T) {
	srv, err := mimcmtest.NewServer(mimcmtest.WithTLS())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("URL %s is not HTTPS", srv.URL)
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	c, err := mimcm.NewClient(srv.URL, mimcm.WithBasicAuth(mimcmtest.User, mimcmtest.Password), mimcm.WithRootCAs(pool))
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.GetRequest(context.Background(), uuid.MustParse(mimcmtest.SampleEnrollID))
	if err != nil || r.UUID.String() != mimcmtest.SampleEnrollID {
		t.Fatalf("over TLS: %v", err)
	}
}
