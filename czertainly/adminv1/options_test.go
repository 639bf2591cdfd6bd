package adminv1_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1api"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

func TestPerCallOptions(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	list := adminv1test.BasePath + "/v1/admins"

	// WithMaxAttempts for one call: no retry after a 503 ...
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	if _, err := c.ListAdmins(ctx, adminv1.WithMaxAttempts(1)); !errors.Is(err, adminv1.ErrServer) {
		t.Errorf("one attempt: %v", err)
	}
	if n := srv.Hits(http.MethodGet, list); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
	// ... while the client's own policy still retries.
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	if _, err := c.ListAdmins(ctx); err != nil {
		t.Errorf("client policy: %v", err)
	}
	if n := srv.Hits(http.MethodGet, list); n != 3 {
		t.Errorf("%d hits, want 3", n)
	}
	// WithRetry for one call replaces the policy.
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0", Times: 2})
	if _, err := c.ListAdmins(ctx, adminv1.WithRetry(adminv1.RetryPolicy{MaxAttempts: 2, MaxRetryAfter: time.Second})); !errors.Is(err, adminv1.ErrServer) {
		t.Errorf("two attempts: %v", err)
	}
	if n := srv.Hits(http.MethodGet, list); n != 5 {
		t.Errorf("%d hits, want 5", n)
	}
	// WithTimeout for one call bounds the wait for the answer.
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, PathSuffix: "/" + adminv1test.SuperAdminUUID, Delay: time.Minute})
	if _, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.WithTimeout(50*time.Millisecond), adminv1.WithMaxAttempts(1)); err == nil ||
		!strings.Contains(err.Error(), "timeout") {
		t.Errorf("per-call timeout: %v", err)
	}
}

func TestPerCallHeader(t *testing.T) {
	rt := &scripted{get: `{"uuid":"0b2f3a4c-5d6e-4f70-8a91-b2c3d4e5f607","username":"u","name":"N","surname":"S","email":"e@example.com","role":"administrator"}`}
	c, err := adminv1.NewClient("https://czertainly.example.com/api", adminv1.WithHTTPClient(&http.Client{Transport: rt}),
		adminv1.WithHeader("X-Client", "all"), adminv1.WithUserAgent("tool/1"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID, adminv1.WithHeader("X-Trace", "t-1")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAdmin(ctx, adminv1test.SuperAdminUUID); err != nil {
		t.Fatal(err)
	}
	if h := rt.headers[0]; h.Get("X-Trace") != "t-1" || h.Get("X-Client") != "all" || h.Get("User-Agent") != "tool/1" {
		t.Errorf("first call headers %v", h)
	}
	if h := rt.headers[1]; h.Get("X-Trace") != "" || h.Get("X-Client") != "all" {
		t.Errorf("second call headers %v", h)
	}
	// The bodiless enable and disable carry the JSON Content-Type the
	// server requires.
	if err := c.EnableAdmin(ctx, adminv1test.SuperAdminUUID); err != nil {
		t.Fatal(err)
	}
	if h := rt.headers[2]; h.Get("Content-Type") != "application/json" || rt.sent[2] != "" {
		t.Errorf("enable: headers %v, body %q", h, rt.sent[2])
	}
}

func TestDoIsTheCheckedEscapeHatch(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	req, err := adminv1api.NewGetAdminRequest(c.Raw().Server, adminv1test.SuperAdminUUID)
	if err != nil {
		t.Fatal(err)
	}
	var a adminv1.Admin
	if err := c.Do(ctx, req, &a); err != nil || a.Username != adminv1test.SuperAdminUsername {
		t.Fatalf("Do = %+v, %v", a, err)
	}
	req, _ = adminv1api.NewGetAdminRequest(c.Raw().Server, "c2f685d4-6a3e-11ec-90d6-0242ac120003")
	err = c.Do(ctx, req, nil)
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || e.Op != "adminv1.Do" || !strings.HasPrefix(e.Message, "Object of type 'Admin'") {
		t.Errorf("Do 404: %v", err)
	}
	srv.Inject(adminv1test.Fault{Method: http.MethodGet, Status: http.StatusOK, ContentType: "text/html", Body: adminv1test.HTMLLoginPage})
	req, _ = adminv1api.NewListAdminsRequest(c.Raw().Server)
	var list []adminv1.Admin
	err = c.Do(ctx, req, &list)
	if e := apiError(t, err); !errors.Is(err, adminv1.ErrHTMLResponse) || !strings.Contains(e.Hint, "/api context path") {
		t.Errorf("Do on a login page: %v", err)
	}
}
