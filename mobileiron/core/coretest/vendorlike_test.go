package coretest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/certadmin/certadmin-go/mobileiron/core"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

type answer struct {
	status int
	header http.Header
	body   string
}

// send makes a raw request to srv; user "" sends no credentials.
func send(t *testing.T, srv *coretest.Server, method, path, user, password, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// coreError reads Core's messages container of an error answer.
func coreError(t *testing.T, a answer) (key, text string) {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%d answer has Content-Type %q, want application/json", a.status, ct)
	}
	var env struct {
		Messages []struct {
			Type, MessageKey, LocalizedMessage string
		}
	}
	if err := json.Unmarshal([]byte(a.body), &env); err != nil || len(env.Messages) != 1 || env.Messages[0].Type != "Error" {
		t.Fatalf("%d answer %q is not Core's messages container with one Error", a.status, a.body)
	}
	return env.Messages[0].MessageKey, env.Messages[0].LocalizedMessage
}

// TestFakeRefusesBadCredentialsFirst: without the right credentials every
// request, to a known path or not, gets 401 in Core's shape, with no
// WWW-Authenticate challenge (Core sends none) and no session.
func TestFakeRefusesBadCredentialsFirst(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	requests := []struct{ method, path string }{
		{"GET", "/api/v2/certificates/search_export_status?adminDeviceSpaceId=1"},
		{"GET", "/api/v2/certificates/search_export_status"}, // no device space: still 401 first
		{"GET", "/api/v2/no/such/call"},
		{"GET", "/api/v2/certificates/search"}, // wrong method
	}
	for _, creds := range [][2]string{{"", ""}, {srv.Username, "wrong"}, {"someone", srv.Password}} {
		for _, rq := range requests {
			a := send(t, srv, rq.method, rq.path, creds[0], creds[1], "")
			if a.status != http.StatusUnauthorized {
				t.Errorf("%s %s as %q: %d, want 401", rq.method, rq.path, creds[0], a.status)
				continue
			}
			if key, _ := coreError(t, a); key != "com.mobileiron.vsp.messages.http.401" {
				t.Errorf("401 message key %q", key)
			}
			if h := a.header.Values("WWW-Authenticate"); len(h) != 0 {
				t.Errorf("401 carries a challenge %q; Core sends none", h)
			}
			if c := a.header.Values("Set-Cookie"); len(c) != 0 {
				t.Errorf("401 hands out a session: %q", c)
			}
		}
	}
	if got := srv.Hits("GET", "/api/v2/certificates/search_export_status"); got != 6 {
		t.Errorf("status hits = %d, want 6", got)
	}
}

// TestFakeAnswersUnknownPathsAndMethodsInCoresShape: an unknown path is
// 404 and a known path with another method 405 (with Allow), both in
// Core's messages container rather than net/http's plain text.
func TestFakeAnswersUnknownPathsAndMethodsInCoresShape(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		allow        string
		key          string
	}{
		{"GET", "/api/v2/no/such/call", 404, "", "com.mobileiron.vsp.messages.http.404"},
		{"POST", "/api/v1/certificates/search", 404, "", "com.mobileiron.vsp.messages.http.404"},
		{"GET", "/api/v2/certificates/search", 405, "POST", "com.mobileiron.vsp.messages.http.405"},
		{"DELETE", "/api/v2/certificates/search_export_status", 405, "GET, HEAD", "com.mobileiron.vsp.messages.http.405"},
		{"POST", "/api/v2/configurations/CE/USER_PROVIDED/configurations", 405, "GET, HEAD", "com.mobileiron.vsp.messages.http.405"},
	}
	for _, tt := range tests {
		a := send(t, srv, tt.method, tt.path, srv.Username, srv.Password, "")
		if a.status != tt.status || a.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d (Allow %q), want %d (Allow %q)", tt.method, tt.path, a.status, a.header.Get("Allow"), tt.status, tt.allow)
			continue
		}
		if key, text := coreError(t, a); key != tt.key || !strings.Contains(text, tt.path) {
			t.Errorf("%s %s: message %q %q, want key %q naming the path", tt.method, tt.path, key, text, tt.key)
		}
	}
	// Each of these is a call the spec does not have, and is recorded.
	if v := srv.SpecViolations(); len(v) != len(tests) {
		t.Errorf("spec violations = %d, want %d: %v", len(v), len(tests), v)
	}
}

// TestFakeAcceptsTheCurlFormOfCEConfigurations: the vendor's request URI
// ends in /configurations, its curl sample does not; the fake answers both.
func TestFakeAcceptsTheCurlFormOfCEConfigurations(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	long := send(t, srv, "GET", "/api/v2/configurations/CE/USER_PROVIDED/configurations", srv.Username, srv.Password, "")
	short := send(t, srv, "GET", "/api/v2/configurations/CE/USER_PROVIDED", srv.Username, srv.Password, "")
	if long.status != 200 || short.status != 200 || long.body != short.body || !strings.Contains(short.body, `"value":"10"`) {
		t.Errorf("request URI: %d %s; curl form: %d %s", long.status, long.body, short.status, short.body)
	}
	bad := send(t, srv, "GET", "/api/v2/configurations/CE/NOT_A_TYPE", srv.Username, srv.Password, "")
	if bad.status != 400 {
		t.Errorf("unknown sub-type: %d %s, want 400", bad.status, bad.body)
	}
	if v := srv.SpecViolations(); len(v) != 1 {
		t.Errorf("spec violations = %v, want only the unknown sub-type", v)
	}
}

// TestFakeKnowsTheSamplesIdentifiers: the enrollments the vendor's samples
// name answer; others are refused as Core refuses them.
func TestFakeKnowsTheSamplesIdentifiers(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.NewClient(core.WithMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, ce := range []int64{8, 9, 10, 32} {
		res, err := c.SearchUsersWithoutCertificates(ctx, ce)
		if err != nil || len(res.Results) != 1 || res.Results[0].ID != 9001 || res.Results[0].Principal != "miadmin" {
			t.Errorf("users of enrollment %d: %+v, %v", ce, res, err)
		}
	}
	if _, err := c.SearchUsersWithoutCertificates(ctx, 33); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("users of an unknown enrollment: err = %v, want ErrNotFound", err)
	}
	if _, err := c.ExportUsersWithoutCertificates(ctx, 33, io.Discard, core.WithPollInterval(time.Millisecond)); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("export of an unknown enrollment: err = %v, want ErrNotFound", err)
	}
	start, err := c.InitiateUsersWithoutCertificatesExport(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := &core.ExportStart{
		StatusURL:   "/api/v2/configurations/CE/10/users/withnocerts/search_export_status",
		DownloadURL: "/api/v2/configurations/CE/10/users/withnocerts/search_download_csv",
		Messages: []core.Message{{Type: "Info", Key: "com.mobileiron.vsp.rest.controllers.UserAndDeviceSummaryController.Messages.PROCESS_INITIATED",
			Text: "User details export process initiated successfully."}},
	}
	if diff := cmp.Diff(want, start); diff != "" {
		t.Errorf("export start (-want +got):\n%s", diff)
	}
	for name, call := range map[string]func() error{
		"get": func() error { _, err := c.GetUserProvidedCertificate(ctx, 32, coretest.CertificateOwner); return err },
		"delete": func() error {
			_, err := c.DeleteUserProvidedCertificate(ctx, 32, coretest.CertificateOwner)
			return err
		},
	} {
		var e *core.Error
		if err := call(); !errors.As(err, &e) || e.StatusCode != 400 || !strings.HasSuffix(e.MessageKey, "INVALID_CE") {
			t.Errorf("%s in enrollment 32 (not user-provided): err = %v, want Core's 400 INVALID_CE", name, err)
		}
	}
	if got := srv.UserProvidedCertificates(coretest.UserProvidedCEID); !cmp.Equal(got, []string{coretest.CertificateOwner}) {
		t.Errorf("a refused delete changed the enrollment: %v", got)
	}
	if v := srv.SpecViolations(); len(v) != 0 {
		t.Errorf("spec violations: %v", v)
	}
}
