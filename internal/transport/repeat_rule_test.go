package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/transport"
)

// A vendor whose PUTs change state says so once (Rules.Repeat): a PUT
// answered 503 is then sent once, whichever path sends it (a wrapper's
// call, Do, the generated client's RawDoer), while its GETs are still
// retried.
func TestVendorRepeatRuleAppliesToEveryPath(t *testing.T) {
	s := &script{statuses: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	onlyGET := transport.Rules{Repeat: func(r *http.Request) transport.Repeat {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return transport.ByMethod
		}
		return transport.Never
	}}
	// The spec's read-only does not outweigh the vendor's rule.
	onlyGET.Operations = transport.NewOperations([]transport.Operation{{ID: "readOnlyPUT", Method: "PUT", Path: "/ro", Repeat: transport.ReadOnly}})
	c := newClientWithRules(t, onlyGET)
	putTo := func(path string) *http.Request {
		req, err := http.NewRequest(http.MethodPut, srv.URL+path, strings.NewReader(`{"status":"Completed"}`))
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	put := func() *http.Request { return putTo("") }
	count := func(name string, want int32, send func()) {
		t.Helper()
		before := s.hits.Load()
		send()
		if n := s.hits.Load() - before; n != want {
			t.Errorf("%s: %d requests, want %d", name, n, want)
		}
	}
	count("raw PUT", 1, func() {
		resp, err := c.RawDoer().Do(put())
		if err == nil {
			resp.Body.Close()
		}
	})
	count("Do PUT", 1, func() { _ = c.Do(context.Background(), transport.Call{Op: "t.Do", Request: put()}, nil) })
	count("ReadOnly PUT", 1, func() {
		_ = c.Do(context.Background(), transport.Call{Op: "t.Do", Request: putTo("/ro")}, nil)
	})
	count("raw GET", 4, func() {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		resp, err := c.RawDoer().Do(req)
		if err == nil {
			resp.Body.Close()
		}
	})
	// Without the rule a PUT is repeated by method, as before.
	plain := newClient(t)
	before := s.hits.Load()
	resp, err := plain.RawDoer().Do(put())
	if err == nil {
		resp.Body.Close()
	}
	if n := s.hits.Load() - before; n != 4 {
		t.Errorf("PUT without the rule: %d requests, want 4", n)
	}
}

// The vendor's rule can only veto: answering ReadOnly for a POST the spec
// does not call read-only does not make it repeatable.
func TestVendorRepeatRuleCannotLoosenTheSpec(t *testing.T) {
	s := &script{statuses: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	loose := transport.Rules{Repeat: func(*http.Request) transport.Repeat { return transport.ReadOnly }}
	c := newClientWithRules(t, loose)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/create", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Do(context.Background(), transport.Call{Op: "t.Create", Request: req}, nil)
	if n := s.hits.Load(); n != 1 {
		t.Errorf("POST with a vendor rule answering ReadOnly: %d requests, want 1", n)
	}
}
