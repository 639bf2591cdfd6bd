package adminv1_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
	"github.com/certadmin/certadmin-go/internal/fuzzcheck"
)

// TestBaseURLWithoutContextPath gives the platform's root as base URL:
// the server's Tomcat maps nothing outside /api and answers its HTML 404,
// which the client reports as ErrNoAdminAPI with the fix.
func TestBaseURLWithoutContextPath(t *testing.T) {
	srv, err := adminv1test.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if u := srv.UnusedFaults(); len(u) != 0 {
			t.Errorf("unused faults: %+v", u)
		}
		srv.Close()
	}()
	root := strings.TrimSuffix(srv.URL, adminv1test.BasePath)
	c, err := adminv1.NewClient(root, adminv1.WithClientCertificate(srv.ClientCertificate), adminv1.WithRootCAs(srv.CA.Pool()), adminv1.WithRetry(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, listErr := c.ListAdmins(ctx)
	_, getErr := c.GetAdmin(ctx, adminv1test.SuperAdminUUID)
	for name, err := range map[string]error{
		"list": listErr, "get": getErr, "delete": c.DeleteAdmin(ctx, adminv1test.SuperAdminUUID),
		"bulk": c.DisableAdmins(ctx, []string{adminv1test.SuperAdminUUID}),
	} {
		e := apiError(t, err)
		if !errors.Is(err, adminv1.ErrNoAdminAPI) || !errors.Is(err, adminv1.ErrNotFound) || e.StatusCode != http.StatusNotFound ||
			!strings.Contains(e.Hint, "no /api context path") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, ok := srv.Admin(adminv1test.SuperAdminUUID); !ok {
		t.Error("the store changed")
	}
	if len(srv.SpecViolations()) != 4 {
		t.Errorf("violations %v, want the 4 requests outside /api", srv.SpecViolations())
	}
	// With the context path, a 404 on the list (a 2.x server) keeps the
	// hint about versions.
	srv.Inject(adminv1test.Fault{Status: http.StatusNotFound, ContentType: "application/json",
		Body: `{"timestamp":"2023-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"/api/v1/admins"}`})
	good, err := srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	_, err = good.ListAdmins(ctx)
	if e := apiError(t, err); !errors.Is(err, adminv1.ErrNoAdminAPI) || !strings.Contains(e.Hint, "2.x") {
		t.Errorf("2.x: %v", err)
	}
}

// TestPlainHTTPToTheTLSServer sends http:// to the fake's TLS port. Go's
// TLS server answers 400 "Client sent an HTTP request to an HTTPS server."
// and closes the connection, which used to surface as a truncated body.
func TestPlainHTTPToTheTLSServer(t *testing.T) {
	srv := newFake(t)
	plain := strings.Replace(srv.URL, "https://", "http://", 1)
	for name, opts := range map[string][]adminv1.Option{
		"no credentials": nil,
		// A certificate in a header may go over plain http to loopback.
		"certificate header": {adminv1.WithCertificateHeader(srv.ClientCertificate.Leaf)},
	} {
		c, err := adminv1.NewClient(plain, append(opts, adminv1.WithRetry(fastRetry))...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListAdmins(context.Background())
		e := apiError(t, err)
		if !errors.Is(err, adminv1.ErrTLSRequired) || errors.Is(err, adminv1.ErrTruncated) || e.StatusCode != http.StatusBadRequest ||
			!strings.Contains(e.Hint, "use https://") || strings.Contains(err.Error(), "reset") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests reached the handler", n)
	}
	// A client certificate never goes over plain http at all.
	if _, err := adminv1.NewClient(plain, adminv1.WithClientCertificate(srv.ClientCertificate)); !errors.Is(err, adminv1.ErrInvalidInput) {
		t.Errorf("client certificate over http: %v", err)
	}
}

// TestPlainHTTPAnswersOfOtherTLSServers: Tomcat (the vendor's server) and
// nginx (a proxy) answer plain HTTP with their own 400 text; a server that
// answers with a TLS alert leaves Go's client a malformed response.
func TestPlainHTTPAnswersOfOtherTLSServers(t *testing.T) {
	for name, body := range map[string]string{
		"tomcat": "Bad Request\r\nThis combination of host and port requires TLS.\r\n",
		"nginx":  "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n</html>\r\n",
	} {
		c, err := adminv1.NewClient("http://czertainly.example.com/api", adminv1.WithMaxAttempts(1),
			adminv1.WithHTTPClient(&http.Client{Transport: fuzzcheck.CannedTransport{Status: 400, ContentType: "text/plain", Body: []byte(body)}}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListAdmins(context.Background())
		if e := apiError(t, err); !errors.Is(err, adminv1.ErrTLSRequired) || !strings.Contains(e.Hint, "https://") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The same texts over https are not about TLS.
	c, err := adminv1.NewClient("https://czertainly.example.com/api", adminv1.WithMaxAttempts(1),
		adminv1.WithHTTPClient(&http.Client{Transport: fuzzcheck.CannedTransport{Status: 400, ContentType: "text/plain", Body: []byte("This combination of host and port requires TLS.")}}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListAdmins(context.Background()); errors.Is(err, adminv1.ErrTLSRequired) {
		t.Errorf("https: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			_, _ = conn.Write([]byte("\x15\x03\x03\x00\x02\x02\x46")) // alert: protocol version
			_ = conn.Close()
		}
	}()
	alert, err := adminv1.NewClient("http://"+ln.Addr().String()+"/api", adminv1.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	_, err = alert.ListAdmins(context.Background())
	if e := apiError(t, err); !errors.Is(err, adminv1.ErrTLSRequired) || !strings.Contains(e.Hint, "https://") {
		t.Errorf("TLS alert: %v", err)
	}
}
