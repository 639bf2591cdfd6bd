package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/certadmin/certadmin-go/mimcm"
	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

// helperArgs, when set in the environment, makes the test binary run the
// command itself with these arguments (one a line), so a test can
// send it a real signal.
const helperArgs = "MIMCM_REQUESTS_HELPER_ARGS"

func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv(helperArgs); ok {
		os.Args = append([]string{name}, strings.Split(args, "\n")...)
		main()
		return
	}
	os.Exit(m.Run())
}

func noEnv(string) string { return "" }

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

const listPath = "/CertificateManagement/api/v1.0/requests"

func TestListsApprovedRequestsFromTheFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	// The fake's sample requests are approved (status 3); none is pending.
	if err := run(context.Background(), []string{"-status", "approved"}, &stdout, &stderr, noEnv); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "REQUEST ") {
		t.Fatalf("want a header and two rows, got:\n%s", stdout.String())
	}
	for i, want := range [][]string{
		{mimcmtest.SampleEnrollID.String(), "Enroll", "2015-07-07 23:36:21", mimcmtest.UserUUID.String()},
		{mimcmtest.SampleUnblockID.String(), "Unblock", "2015-07-07 23:40:33", "17cf063d-e337-4aa9-a822-346554ddd3c9"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d lacks %q: %s", i+1, w, lines[i+1])
			}
		}
		if strings.Contains(lines[i+1], "0001") {
			t.Errorf("row %d shows the year-1 placeholder: %s", i+1, lines[i+1])
		}
	}
	if !strings.Contains(stderr.String(), "2 request(s)") || !strings.Contains(stderr.String(), "in-process fake") {
		t.Errorf("progress: %s", stderr.String())
	}
}

func TestRealServerPathWithEnvironmentPassword(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	env := envOf(map[string]string{passwordEnv: srv.Password})
	out := filepath.Join(t.TempDir(), "requests.txt")
	var stdout, stderr bytes.Buffer
	args := []string{"-url", srv.URL, "-user", srv.Username, "-status", "completed", "-mine", "-o", out}
	if err := run(context.Background(), args, &stdout, &stderr, env); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "\n"); got != 1 || stdout.Len() != 0 {
		t.Errorf("no completed request: want only the header in the file, got %q (stdout %q)", b, stdout.String())
	}
	if strings.Contains(stderr.String(), srv.Password) {
		t.Error("the password appeared in the progress output")
	}
	if !strings.Contains(stderr.String(), "written to "+out) {
		t.Errorf("progress does not name the file: %s", stderr.String())
	}
	if n := srv.Hits(http.MethodGet, listPath); n != 1 || srv.TotalHits() != 1 {
		t.Errorf("want exactly one list call, got %d of %d", n, srv.TotalHits())
	}
}

func TestJSONOutputIsTheServersForm(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-format", "jsonl", "-status", "any"}, &stdout, &stderr, noEnv); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var got []mimcm.Request
	for line := range strings.Lines(stdout.String()) {
		var r mimcm.Request
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		got = append(got, r)
	}
	if ids := []uuid.UUID{got[0].UUID, got[1].UUID}; len(got) != 2 || !cmp.Equal(ids, []uuid.UUID{mimcmtest.SampleEnrollID, mimcmtest.SampleUnblockID}) {
		t.Errorf("requests %v", got)
	}
	if !strings.Contains(stdout.String(), `"Completed":"0001-01-01T00:00:00"`) {
		t.Errorf("not the server's form: %s", stdout.String())
	}
}

func TestHelpExitsZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &stdout, &stderr, noEnv)
	if code := exitCode(context.Background(), err, &stderr); code != 0 {
		t.Errorf("-h exits %d", code)
	}
	if !strings.Contains(stderr.String(), "usage: mimcm-requests") || !strings.Contains(stderr.String(), "-status") {
		t.Errorf("usage text: %s", stderr.String())
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	pw := envOf(map[string]string{passwordEnv: srv.Password})
	for _, c := range []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"stray argument", []string{"-status", "any", "extra"}, noEnv, `unexpected argument "extra"`},
		{"unknown flag", []string{"-colour"}, noEnv, "-colour"},
		{"unknown status", []string{"-status", "Abandoned"}, noEnv, `-status "Abandoned" is not a request status`},
		{"zero timeout", []string{"-timeout", "0s"}, noEnv, "-timeout must be positive"},
		{"negative timeout", []string{"-timeout", "-5s"}, noEnv, "-timeout must be positive"},
		{"user without url", []string{"-user", "x"}, noEnv, "-ca need -url"},
		{"keytab without kerberos", []string{"-url", srv.URL, "-auth", "ntlm", "-keytab", "x"}, noEnv, "-keytab and -spn go with -auth kerberos"},
		{"unknown auth", []string{"-url", srv.URL, "-auth", "digest"}, noEnv, "want one of basic, ntlm, kerberos, token"},
		{"blank output file", []string{"-o", "  "}, noEnv, "-o needs a file name"},
		{"missing password", []string{"-url", srv.URL, "-user", "x"}, noEnv, "MIMCM_PASSWORD"},
		{"no credentials", []string{"-url", srv.URL}, noEnv, "-url needs -user"},
		{"token and user", []string{"-url", srv.URL, "-user", "x"}, envOf(map[string]string{tokenEnv: "t"}), "does not go with -user"},
		{"url without scheme", []string{"-url", "cm.contoso.com", "-user", "x"}, pw, "no scheme"},
		{"url with the API path", []string{"-url", srv.URL + "/CertificateManagement/api/v1.0", "-user", "x"}, pw, "already holds the API path"},
		{"CA file without PEM", []string{"-url", srv.URL, "-user", "x", "-ca", writeFile(t, "not a certificate")}, pw, "holds no PEM certificate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), c.args, &stdout, &stderr, c.env)
			code := exitCode(context.Background(), err, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want 2 (err %v)", code, err)
			}
			if !strings.Contains(stderr.String(), c.want) || !strings.Contains(stderr.String(), "-h for help") {
				t.Errorf("stderr %q lacks %q", stderr.String(), c.want)
			}
		})
	}
	if n := srv.TotalHits(); n != 0 {
		t.Errorf("%d requests reached the server, want 0", n)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFailureExitsOneAndKeepsTheOldFile(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	env := envOf(map[string]string{passwordEnv: mimcmtest.NoAccessPassword})
	dir := t.TempDir()
	out := filepath.Join(dir, "requests.txt")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-user", mimcmtest.NoAccessUsername, "-o", out}, &stdout, &stderr, env)
	if code := exitCode(context.Background(), err, &stderr); code != exitFailed {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "403") || strings.Contains(stderr.String(), mimcmtest.NoAccessPassword) {
		t.Errorf("stderr: %s", stderr.String())
	}
	if b, _ := os.ReadFile(out); string(b) != "old\n" {
		t.Errorf("a failed run changed the file: %q", b)
	}

	// A successful run replaces it, and leaves nothing else behind.
	env = envOf(map[string]string{passwordEnv: srv.Password})
	if err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-status", "any", "-o", out}, &stdout, &stderr, env); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), mimcmtest.SampleUnblockID.String()) {
		t.Errorf("file after success: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the output directory, want 1", len(entries))
	}
}

func TestVerboseLogsAttemptsWithoutSecrets(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	srv.Inject(mimcmtest.Fault{Status: http.StatusServiceUnavailable, RetryAfter: "0"})
	env := envOf(map[string]string{passwordEnv: srv.Password})
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-status", "approved", "-v"}, &stdout, &stderr, env); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	log := stderr.String()
	for _, want := range []string{"level=DEBUG", "attempt=1", "status=503", "attempt=2", "status=200", listPath} {
		if !strings.Contains(log, want) {
			t.Errorf("debug log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, srv.Password) || strings.Contains(log, "Basic ") {
		t.Errorf("credentials in the debug log:\n%s", log)
	}

	// Without -v there is no debug line.
	stderr.Reset()
	if err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username}, &stdout, &stderr, env); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "level=DEBUG") {
		t.Errorf("debug output without -v:\n%s", stderr.String())
	}
}

func TestCanceledContextSaysInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, nil, &stdout, &stderr, noEnv)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if code := exitCode(ctx, err, &stderr); code != exitInterrupted || !strings.Contains(stderr.String(), "mimcm-requests: interrupted") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("output after an interruption: %q", stdout.String())
	}
}

// An interrupt (Ctrl-C) while the server is slow ends the command with
// "interrupted" and status 130, without a result.
func TestInterruptSignal(t *testing.T) {
	srv := mimcmtest.NewTestServer(t)
	// The list call hangs until the client goes away.
	srv.Inject(mimcmtest.Fault{Method: http.MethodGet, PathSuffix: "/requests", Delay: time.Hour})
	out := filepath.Join(t.TempDir(), "requests.txt")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		helperArgs+"="+strings.Join([]string{"-url", srv.URL, "-user", srv.Username, "-o", out}, "\n"),
		passwordEnv+"="+srv.Password)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if strings.HasPrefix(lines.Text(), "listing requests") {
			break
		}
	}
	// Interrupt once the call is at the server (waiting there), not before.
	for deadline := time.Now().Add(time.Minute); srv.TotalHits() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the list call never reached the server:\n%s", log.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Errorf("exit: %v, want status 130\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "mimcm-requests: interrupted") {
		t.Errorf("stderr does not say interrupted:\n%s", log.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) || stdout.Len() != 0 {
		t.Errorf("an interrupted run wrote a result (stat: %v, stdout %q)", err, stdout.String())
	}
}
