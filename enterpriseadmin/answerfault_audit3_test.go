package enterpriseadmin_test

// Audit probes: the token refusals the ArcGIS Enterprise Administrator API
// sends (vendor evidence: HTTP 498/499, or HTTP 200 with
// {"error":{"code":498,…}}, {"status":"error","messages":[…],"code":498},
// or messageCode GWM_0003), in every framing the transport reads ahead
// (declared length, chunked, gzip), renew the token once through every
// reader, after the change of TokenAuth.Rejected to fault().

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/apierror"
)

// a3Refuser answers the first refuse requests to the administrator API
// itself, with status and body in framing, and sends every other request
// to the fake.
type a3Refuser struct {
	status  int
	body    string
	framing string // "sized", "chunked", "gzip"
	refuse  int

	mu      sync.Mutex
	refused int
}

func (r *a3Refuser) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	hit := strings.Contains(req.URL.Path, "/admin/") && r.refused < r.refuse
	if hit {
		r.refused++
	}
	r.mu.Unlock()
	if !hit {
		return http.DefaultTransport.RoundTrip(req)
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	h := http.Header{"Content-Type": {"text/plain;charset=utf-8"}} // what ArcGIS sends for f=json
	body := []byte(r.body)
	size := int64(len(body))
	switch r.framing {
	case "chunked":
		size = -1
	case "gzip":
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body, size = z.Bytes(), int64(z.Len())
		h.Set("Content-Encoding", "gzip")
	}
	return &http.Response{StatusCode: r.status, Status: fmt.Sprintf("%d %s", r.status, http.StatusText(r.status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: size, Request: req}, nil
}

func (r *a3Refuser) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refused
}

var a3Refusals = []struct {
	name   string
	status int
	body   string
}{
	{"error member 498 in 200", 200, `{"error":{"code":498,"message":"Invalid token.","details":[]}}`},
	{"status shape 498 in 200", 200, `{"status":"error","messages":["Token Expired."],"code":498}`},
	{"error member 499 in 200", 200, `{"error":{"code":499,"message":"Token Required.","details":[]}}`},
	{"messageCode GWM_0003 in 200", 200, `{"error":{"code":403,"messageCode":"GWM_0003","message":"You do not have permissions to access this resource or perform this operation.","details":[]}}`},
	{"string code in 200", 200, `{"status":"error","messages":["Invalid token."],"code":"498"}`},
	{"HTTP 498", 498, `{"error":{"code":498,"message":"Invalid token.","details":[]}}`},
	{"HTTP 499", 499, `{"error":{"code":499,"message":"Token Required.","details":[]}}`},
	{"GWM_0003 with HTTP 403", 403, `{"error":{"code":403,"messageCode":"GWM_0003","message":"no permission","details":[]}}`},
}

// a3Calls are the readers a refusal can reach: a GET and a POST read as
// JSON, and Do without a destination (NoContent) and with a writer
// (Stream).
var a3Calls = []struct {
	name string
	run  func(ctx context.Context, c *enterpriseadmin.Client, srv *enterpriseadmintest.Server) error
}{
	{"ListIdentityCertificates", func(ctx context.Context, c *enterpriseadmin.Client, _ *enterpriseadmintest.Server) error {
		_, err := c.ListIdentityCertificates(ctx)
		return err
	}},
	{"DeleteIdentityCertificate", func(ctx context.Context, c *enterpriseadmin.Client, _ *enterpriseadmintest.Server) error {
		return c.DeleteIdentityCertificate(ctx, enterpriseadmintest.SeedCertificateID)
	}},
	{"Do nil", func(ctx context.Context, c *enterpriseadmin.Client, srv *enterpriseadmintest.Server) error {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/admin/security/certificates/identity?f=json", nil)
		if err != nil {
			return err
		}
		return c.Do(ctx, req, nil)
	}},
	{"Do writer", func(ctx context.Context, c *enterpriseadmin.Client, srv *enterpriseadmintest.Server) error {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/admin/security/certificates/identity?f=json", nil)
		if err != nil {
			return err
		}
		var w bytes.Buffer
		if err := c.Do(ctx, req, &w); err != nil {
			return err
		}
		if !strings.Contains(w.String(), "certificates") {
			return fmt.Errorf("Do wrote %q, not the list", w.String())
		}
		return nil
	}},
}

// TestAudit3EveryVendorRefusalRenewsOnce: each refusal the vendor sends,
// declared, chunked or gzip, renews the token once and the call succeeds
// with the new one.
func TestAudit3EveryVendorRefusalRenewsOnce(t *testing.T) {
	for _, ref := range a3Refusals {
		for _, framing := range []string{"sized", "chunked", "gzip"} {
			for _, call := range a3Calls {
				srv := startFake(t)
				rt := &a3Refuser{status: ref.status, body: ref.body, framing: framing, refuse: 1}
				c := newClient(t, srv, enterpriseadmin.WithTransport(rt))
				if err := call.run(context.Background(), c, srv); err != nil {
					t.Errorf("%s, %s, %s: %v", ref.name, framing, call.name, err)
				}
				if rt.count() != 1 || srv.TokenRequests() != 2 {
					t.Errorf("%s, %s, %s: %d refusals sent, %d tokens generated; want 1 and 2 (renewed once)",
						ref.name, framing, call.name, rt.count(), srv.TokenRequests())
				}
			}
		}
	}
}

// TestAudit3SecondVendorRefusalIsTheAnswer: a refusal of the renewed token
// is the call's error, a token error matching ErrUnauthorized, with the
// vendor's code and message.
func TestAudit3SecondVendorRefusalIsTheAnswer(t *testing.T) {
	for _, ref := range a3Refusals[:2] {
		for _, call := range a3Calls[:3] {
			srv := startFake(t)
			rt := &a3Refuser{status: ref.status, body: ref.body, framing: "chunked", refuse: 100}
			c := newClient(t, srv, enterpriseadmin.WithTransport(rt))
			err := call.run(context.Background(), c, srv)
			if !enterpriseadmin.IsTokenError(err) || !errors.Is(err, apierror.ErrUnauthorized) {
				t.Errorf("%s, %s: %v; want a token error (ErrUnauthorized)", ref.name, call.name, err)
			}
			var e *enterpriseadmin.Error
			if errors.As(err, &e) && (e.Code != "498" || !strings.Contains(e.Body, "498")) {
				t.Errorf("%s, %s: code %q excerpt %q; want 498 and the body", ref.name, call.name, e.Code, e.Body)
			}
			if rt.count() != 2 || srv.TokenRequests() != 2 {
				t.Errorf("%s, %s: %d refusals, %d tokens; want 2 and 2", ref.name, call.name, rt.count(), srv.TokenRequests())
			}
		}
	}
}
