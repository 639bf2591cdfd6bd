package czertainly_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/czertainly"
	"github.com/certadmin/certadmin-go/czertainly/czertainlyapi"
	"github.com/certadmin/certadmin-go/czertainly/czertainlytest"
)

func TestPerCallOptions(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	list := czertainlytest.BasePath + "/v1/admins"

	// WithMaxAttempts for one call: no retry after a 503 ...
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	if _, err := c.ListAdmins(ctx, czertainly.WithMaxAttempts(1)); !errors.Is(err, czertainly.ErrServer) {
		t.Errorf("one attempt: %v", err)
	}
	if n := srv.Hits(http.MethodGet, list); n != 1 {
		t.Errorf("%d hits, want 1", n)
	}
	// ... while the client's own policy still retries.
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	if _, err := c.ListAdmins(ctx); err != nil {
		t.Errorf("client policy: %v", err)
	}
	if n := srv.Hits(http.MethodGet, list); n != 3 {
		t.Errorf("%d hits, want 3", n)
	}
	// WithRetry for one call replaces the policy.
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/v1/admins", Status: http.StatusServiceUnavailable, RetryAfter: "0", Times: 2})
	if _, err := c.ListAdmins(ctx, czertainly.WithRetry(czertainly.RetryPolicy{MaxAttempts: 2, MaxRetryAfter: time.Second})); !errors.Is(err, czertainly.ErrServer) {
		t.Errorf("two attempts: %v", err)
	}
	if n := srv.Hits(http.MethodGet, list); n != 5 {
		t.Errorf("%d hits, want 5", n)
	}
	// WithTimeout for one call bounds the wait for the answer.
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, PathSuffix: "/" + czertainlytest.SuperAdminUUID, Delay: time.Minute})
	if _, err := c.GetAdmin(ctx, czertainlytest.SuperAdminUUID, czertainly.WithTimeout(50*time.Millisecond), czertainly.WithMaxAttempts(1)); err == nil ||
		!strings.Contains(err.Error(), "timeout") {
		t.Errorf("per-call timeout: %v", err)
	}
}

func TestPerCallHeader(t *testing.T) {
	rt := &scripted{get: `{"uuid":"0b2f3a4c-5d6e-4f70-8a91-b2c3d4e5f607","username":"u","name":"N","surname":"S","email":"e@example.com","role":"administrator"}`}
	c, err := czertainly.NewClient("https://czertainly.example.com/api", czertainly.WithHTTPClient(&http.Client{Transport: rt}),
		czertainly.WithHeader("X-Client", "all"), czertainly.WithUserAgent("tool/1"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetAdmin(ctx, czertainlytest.SuperAdminUUID, czertainly.WithHeader("X-Trace", "t-1")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAdmin(ctx, czertainlytest.SuperAdminUUID); err != nil {
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
	if err := c.EnableAdmin(ctx, czertainlytest.SuperAdminUUID); err != nil {
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
	req, err := czertainlyapi.NewGetAdminRequest(c.Raw().Server, czertainlytest.SuperAdminUUID)
	if err != nil {
		t.Fatal(err)
	}
	var a czertainly.Admin
	if err := c.Do(ctx, req, &a); err != nil || a.Username != czertainlytest.SuperAdminUsername {
		t.Fatalf("Do = %+v, %v", a, err)
	}
	req, _ = czertainlyapi.NewGetAdminRequest(c.Raw().Server, "c2f685d4-6a3e-11ec-90d6-0242ac120003")
	err = c.Do(ctx, req, nil)
	if e := apiError(t, err); e.StatusCode != http.StatusNotFound || e.Op != "czertainly.Do" || !strings.HasPrefix(e.Message, "Object of type 'Admin'") {
		t.Errorf("Do 404: %v", err)
	}
	srv.Inject(czertainlytest.Fault{Method: http.MethodGet, Status: http.StatusOK, ContentType: "text/html", Body: czertainlytest.HTMLLoginPage})
	req, _ = czertainlyapi.NewListAdminsRequest(c.Raw().Server)
	var list []czertainly.Admin
	err = c.Do(ctx, req, &list)
	if e := apiError(t, err); !errors.Is(err, czertainly.ErrHTMLResponse) || !strings.Contains(e.Hint, "/api context path") {
		t.Errorf("Do on a login page: %v", err)
	}
}
