package fakeserver_test

import (
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
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
	defer func() { _ = srv.Close() }()
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

func TestRouteAnswersUnknownPathsAndMethodsInTheVendorShape(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/items", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	var seen []int
	h := fakeserver.Route(mux, func(w http.ResponseWriter, r *http.Request, status int) {
		seen = append(seen, status)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"vendor":true}`)
	})
	srv, err := fakeserver.Start(h, fakeserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	for _, tc := range []struct {
		method, path string
		status       int
		body, allow  string
	}{
		{"GET", "/api/items", 200, "ok", ""},
		{"GET", "/api/nothing", 404, `{"vendor":true}`, ""},
		{"DELETE", "/api/items", 405, `{"vendor":true}`, "GET, HEAD"},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || string(b) != tc.body || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d %q Allow %q, want %d %q Allow %q", tc.method, tc.path, resp.StatusCode, b, resp.Header.Get("Allow"), tc.status, tc.body, tc.allow)
		}
	}
	if len(seen) != 2 {
		t.Errorf("vendor answer ran %d times, want 2", len(seen))
	}
}

func TestCloseReportsFaultsNoRequestUsed(t *testing.T) {
	srv, err := fakeserver.Start(http.NotFoundHandler(), fakeserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(fakeserver.Fault{PathSuffix: "/used", Status: 503})
	srv.Inject(fakeserver.Fault{PathSuffix: "/never", Status: 500})
	resp, err := http.Get(srv.URL + "/used")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	err = srv.Close()
	if err == nil || !strings.Contains(err.Error(), `"/never"`) || strings.Contains(err.Error(), `"/used"`) {
		t.Fatalf("Close() = %v, want an error naming only the unused fault", err)
	}
}

// A fake's second check, against the vendor's own documents, is reported
// through the base server; without one there is nothing to report.
func TestVendorViolationsComeFromTheFakesCheck(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	plain, err := fakeserver.Start(h, fakeserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = plain.Close() }()
	if v := plain.VendorViolations(); v != nil {
		t.Errorf("no check, violations %q", v)
	}
	checked, err := fakeserver.Start(h, fakeserver.Options{VendorViolations: func() []string { return []string{"response 200: missing allowedListings"} }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = checked.Close() }()
	if v := checked.VendorViolations(); len(v) != 1 || !strings.Contains(v[0], "allowedListings") {
		t.Errorf("violations %q", v)
	}
}

// The request log reports method, path and status of every request, a
// dropped connection as status 0, and nothing of the query or headers.
func TestLogReportsEveryRequestWithoutCredentials(t *testing.T) {
	logged := make(chan fakeserver.LoggedRequest, 10)
	srv, err := fakeserver.Start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}), fakeserver.Options{Log: func(r fakeserver.LoggedRequest) { logged <- r }})
	if err != nil {
		t.Fatal(err)
	}
	srv.Inject(fakeserver.Fault{PathSuffix: "/busy", Status: 503})
	srv.Inject(fakeserver.Fault{PathSuffix: "/drop", Reset: true})
	// A fresh connection for each request: net/http sends a GET again
	// when a reused connection drops, which would log /drop twice.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for _, p := range []string{"/a?token=s3cret", "/missing", "/busy", "/drop"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+p, nil)
		req.SetBasicAuth("user", "pa55word")
		if resp, err := client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	defer func() { _ = srv.Close() }()
	// The log is called once the handler returns, which for a dropped
	// connection may be after the client saw the drop: wait for the four.
	var got []fakeserver.LoggedRequest
	for range 4 {
		got = append(got, <-logged)
	}
	// A handler may return after the client saw its answer, so the log's
	// order is not the requests'.
	sort.Slice(got, func(i, j int) bool { return got[i].Path < got[j].Path })
	want := []fakeserver.LoggedRequest{
		{Method: "GET", Path: "/a", Status: 200},
		{Method: "GET", Path: "/busy", Status: 503},
		{Method: "GET", Path: "/drop", Status: 0},
		{Method: "GET", Path: "/missing", Status: 404},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("log = %+v, want %+v", got, want)
	}
	if s := fmt.Sprint(got); strings.Contains(s, "s3cret") || strings.Contains(s, "pa55word") {
		t.Fatalf("log holds a credential: %s", s)
	}
}
