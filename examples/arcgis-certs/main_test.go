package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
)

func noEnv(string) string { return "" }

const wantReport = `NAME      ID                     SUBJECT          ISSUER           VALID UNTIL           DAYS  SHA256
samlcert  cc1mm3jpkfkhnkx243mp1  CN=saml.default  CN=saml.default  2031-04-05T10:32:43Z  1826  064c9b092d17485285b4dbcf218a3d9ee27ff01dec75ad166036716ae5a5dbaa
`

var reportTime = time.Date(2026, 4, 5, 10, 32, 43, 0, time.UTC)

func TestReportAgainstFake(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, noEnv, &out, &errOut, reportTime); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	if out.String() != wantReport {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), wantReport)
	}
	if !strings.Contains(errOut.String(), "in-process fake") || !strings.Contains(errOut.String(), "1 certificate(s), 0 expiring within 30 days") {
		t.Errorf("stderr: %s", errOut.String())
	}
}

func TestExpiringCertificateAndSingleID(t *testing.T) {
	var out, errOut bytes.Buffer
	now := time.Date(2031, 3, 20, 0, 0, 0, 0, time.UTC)
	err := run(context.Background(), []string{"-id", "cc1mm3jpkfkhnkx243mp1", "-warn-days", "30"}, noEnv, &out, &errOut, now)
	if !errors.Is(err, errExpiring) {
		t.Fatalf("err = %v, want errExpiring", err)
	}
	if !strings.Contains(out.String(), "2031-04-05T10:32:43Z  16  ") {
		t.Errorf("stdout: %s", out.String())
	}
	out.Reset()
	errOut.Reset()
	if code := realMain(context.Background(), []string{"-id", "cc1mm3jpkfkhnkx243mp1"}, noEnv, &out, &errOut, now); code != exitExpiring {
		t.Errorf("exit = %d, want %d", code, exitExpiring)
	}
}

func TestRealServerNeedsSecretsFromEnvironment(t *testing.T) {
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"-url", "https://gis.example.invalid/arcgis", "-user", "admin"}, noEnv, &out, &errOut, time.Now())
	if code != exitUsage || !strings.Contains(errOut.String(), "ARCGIS_PASSWORD") {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	errOut.Reset()
	code = realMain(context.Background(), []string{"-url", "https://gis.example.invalid/arcgis"}, noEnv, &out, &errOut, time.Now())
	if code != exitUsage || !strings.Contains(errOut.String(), "ARCGIS_TOKEN") {
		t.Errorf("no credentials: exit %d, stderr %q", code, errOut.String())
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, arg := range []string{"-h", "-help", "--help"} {
		errOut.Reset()
		if code := realMain(context.Background(), []string{arg}, noEnv, &out, &errOut, time.Now()); code != exitOK {
			t.Errorf("%s: exit %d, want 0", arg, code)
		}
		if !strings.Contains(errOut.String(), "usage: arcgis-certs") || !strings.Contains(errOut.String(), "-warn-days") {
			t.Errorf("%s: stderr %q, want the usage", arg, errOut.String())
		}
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q, want nothing", out.String())
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"stray argument":        {[]string{"certs"}, `unexpected arguments ["certs"]`},
		"negative warn days":    {[]string{"-warn-days", "-1"}, "-warn-days must not be negative"},
		"negative timeout":      {[]string{"-timeout", "-1s"}, "-timeout must not be negative"},
		"not a number":          {[]string{"-warn-days", "soon"}, "invalid value"},
		"unknown flag":          {[]string{"-password", "x"}, "flag provided but not defined"},
		"context without url":   {[]string{"-context", "arcgis"}, "-context needs -url"},
		"user without url":      {[]string{"-user", "admin"}, "-user needs -url"},
		"url without a context": {[]string{"-url", "https://gis.example.invalid", "-user", "admin"}, "names no web context"},
		"id with a slash":       {[]string{"-id", "a/b"}, "path character"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			env := func(k string) string {
				if k == "ARCGIS_PASSWORD" {
					return "pw-from-env"
				}
				return ""
			}
			code := realMain(context.Background(), tc.args, env, &out, &errOut, time.Now())
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("stderr %q, want %q", errOut.String(), tc.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q, want nothing", out.String())
			}
		})
	}
}

// startDeployment is a fake the tool reaches with -url, as it would a real
// deployment; the password comes from the environment.
func startDeployment(t *testing.T) (*enterpriseadmintest.Server, func(string) string) {
	t.Helper()
	srv := enterpriseadmintest.NewTestServer(t)
	return srv, func(k string) string {
		if k == "ARCGIS_PASSWORD" {
			return srv.Password
		}
		return ""
	}
}

func TestVerboseLogIsRedacted(t *testing.T) {
	srv, env := startDeployment(t)
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-v"}, env, &out, &errOut, reportTime)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.String() != wantReport {
		t.Errorf("stdout:\n%s", out.String())
	}
	log := errOut.String()
	if strings.Count(log, "certadmin http attempt") != 2 || !strings.Contains(log, "/sharing/rest/generateToken") || !strings.Contains(log, "/admin/security/certificates/identity") {
		t.Errorf("debug log lacks the generateToken and list attempts:\n%s", log)
	}
	tokens := srv.IssuedTokens()
	if len(tokens) != 1 {
		t.Fatalf("issued tokens = %d", len(tokens))
	}
	if strings.Contains(log, srv.Password) || strings.Contains(log, tokens[0]) {
		t.Errorf("the password or token is in the log:\n%s", log)
	}
	// Without -v: no attempt lines.
	errOut.Reset()
	if code := realMain(context.Background(), []string{"-url", srv.URL, "-user", srv.Username}, env, &out, &errOut, reportTime); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(errOut.String(), "certadmin http attempt") {
		t.Errorf("attempts logged without -v:\n%s", errOut.String())
	}
}

func TestTokenFromEnvironmentAndContextFlag(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t)
	host := strings.TrimSuffix(srv.URL, "/"+enterpriseadmintest.WebContext)
	token := srv.IssueToken(host, time.Hour)
	env := func(k string) string {
		if k == "ARCGIS_TOKEN" {
			return token
		}
		return ""
	}
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"-url", host, "-context", enterpriseadmintest.WebContext}, env, &out, &errOut, reportTime)
	if code != exitOK || out.String() != wantReport {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	if n := srv.TokenRequests(); n != 0 {
		t.Errorf("generateToken calls = %d, want 0 with ARCGIS_TOKEN", n)
	}
}

func TestOutputFileIsWrittenAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.txt")
	var out, errOut bytes.Buffer
	if code := realMain(context.Background(), []string{"-o", path}, noEnv, &out, &errOut, reportTime); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != wantReport {
		t.Fatalf("file = %q, %v", got, err)
	}
	if out.Len() != 0 || !strings.Contains(errOut.String(), "wrote "+path) {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	// A failed report leaves the earlier file as it was and no partial file.
	errOut.Reset()
	if code := realMain(context.Background(), []string{"-o", path, "-id", "no-such-certificate"}, noEnv, &out, &errOut, reportTime); code != exitFailed {
		t.Fatalf("exit %d, want %d: %s", code, exitFailed, errOut.String())
	}
	if !strings.Contains(errOut.String(), "does not exist") {
		t.Errorf("stderr %q, want the server's reason", errOut.String())
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, got) {
		t.Errorf("file changed by a failed run: %q", again)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v, want only the report", entries)
	}
	// The file of an expiring certificate is written too.
	expiring := filepath.Join(dir, "expiring.txt")
	if code := realMain(context.Background(), []string{"-o", expiring, "-warn-days", "4000"}, noEnv, &out, &errOut, reportTime); code != exitExpiring {
		t.Fatalf("exit %d", code)
	}
	if b, err := os.ReadFile(expiring); err != nil || string(b) != wantReport {
		t.Errorf("expiring report = %q, %v", b, err)
	}
}

func TestJSONReport(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := realMain(context.Background(), []string{"-format", "jsonl"}, noEnv, &out, &errOut, reportTime); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	// JSON lines: one certificate per line.
	var got []map[string]any
	for line := range strings.Lines(out.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, out.String())
		}
		got = append(got, m)
	}
	sample, err := enterpriseadmintest.Fixture(enterpriseadmintest.SeedFixture)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(sample, &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(got[0]) != len(want) {
		t.Fatalf("JSON report %s, want the one certificate with the sample's %d members", out.String(), len(want))
	}
	for k, v := range want {
		if b, _ := json.Marshal(got[0][k]); string(b) != mustJSON(t, v) {
			t.Errorf("member %s = %s, want %s", k, b, mustJSON(t, v))
		}
	}
	var cert enterpriseadmin.Certificate
	if err := json.Unmarshal(out.Bytes(), &cert); err != nil || cert.SHA256Fingerprint == "" {
		t.Errorf("report does not decode back: %v %+v", err, cert)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestInterrupted(t *testing.T) {
	// Interrupted before anything was sent.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := realMain(ctx, nil, noEnv, &out, &errOut, reportTime); code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	if !strings.Contains(errOut.String(), "arcgis-certs: interrupted") || out.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}

	// Interrupted while the server is slow to answer: the call ends, the
	// output file is not written.
	srv, env := startDeployment(t)
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodGet, PathSuffix: "/identity", Delay: time.Minute})
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for srv.HitsMatching(http.MethodGet, "/identity") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	path := filepath.Join(t.TempDir(), "report.txt")
	errOut.Reset()
	if code := realMain(ctx, []string{"-url", srv.URL, "-user", srv.Username, "-o", path}, env, &out, &errOut, reportTime); code != exitInterrupted {
		t.Errorf("exit %d, want %d: %s", code, exitInterrupted, errOut.String())
	}
	if !strings.Contains(errOut.String(), "arcgis-certs: interrupted") {
		t.Errorf("stderr %q", errOut.String())
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output file after an interrupt: %v", err)
	}
}
