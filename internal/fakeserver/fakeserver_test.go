package fakeserver_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/internal/fakeserver"
)

func TestFaultsApplyInOrderAndCountHits(t *testing.T) {
	srv, err := fakeserver.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		_, _ = io.WriteString(w, "0123456789")
	}), fakeserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Inject(fakeserver.Fault{Status: 503, RetryAfter: "2", Body: "busy", Times: 2})
	srv.Inject(fakeserver.Fault{PathSuffix: "/csv", TruncateAt: 4})
	srv.Inject(fakeserver.Fault{Method: http.MethodPost, Reset: true})

	for range 2 {
		resp, err := http.Get(srv.URL + "/a")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "2" || string(b) != "busy" {
			t.Fatalf("got %d %q", resp.StatusCode, b)
		}
	}
	resp, err := http.Get(srv.URL + "/csv")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || string(b) != "0123" {
		t.Fatalf("truncated: %q, %v", b, err)
	}
	if _, err := http.Post(srv.URL+"/p", "text/plain", strings.NewReader("x")); err == nil {
		t.Fatal("reset: want a connection error")
	}
	resp, err = http.Get(srv.URL + "/a")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("after the faults: %d", resp.StatusCode)
	}
	srv.Inject(fakeserver.Fault{Status: 200, Body: "abc", DeclaredLength: 100})
	resp, err = http.Get(srv.URL + "/a")
	if err != nil {
		t.Fatal(err)
	}
	b, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || string(b) != "abc" || resp.ContentLength != 100 {
		t.Fatalf("short body: %q, %v, length %d", b, err, resp.ContentLength)
	}
	if srv.Hits(http.MethodGet, "/a") != 4 || srv.TotalHits() != 6 || srv.HitsMatching("", "a") != 4 || srv.HitsMatching(http.MethodPost, "/p") != 1 {
		t.Fatalf("hits /a = %d, total = %d", srv.Hits(http.MethodGet, "/a"), srv.TotalHits())
	}
}
