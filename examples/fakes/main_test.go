package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

// TestMain runs the command itself when the test binary is started as it
// (TestSignalStops), so the signal handling is tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("FAKES_RUN_MAIN") == "1" {
		os.Args = append([]string{"fakes"}, strings.Fields(os.Getenv("FAKES_ARGS"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// parseSettings reads NAME=value lines as sh would: each line must be one
// word (quotes removed by shWords) that assigns a variable.
func parseSettings(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		words, err := shWords(sc.Text())
		if err != nil || len(words) != 1 {
			t.Fatalf("line %q is not one shell word: %q, %v", sc.Text(), words, err)
		}
		name, value, ok := strings.Cut(words[0], "=")
		if !ok || name == "" || strings.ContainsAny(name, "'\"") {
			t.Fatalf("line %q does not assign a variable", sc.Text())
		}
		if !strings.HasPrefix(sc.Text(), name+"=") {
			t.Fatalf("line %q: the name must come first, unquoted", sc.Text())
		}
		got[name] = value
	}
	return got
}

// The printed lines are source-able: a tiny sh reader and, where there is
// one, /bin/sh read back every value, including values that need quoting.
func TestSettingsAreSourceable(t *testing.T) {
	// The values the fakes print (TestRunServesUntilInterrupted reads the
	// real ones), and values that need quoting.
	settings := []setting{
		{"CORE_URL", "http://127.0.0.1:40065"},
		{"CORE_USER", coretest.Username},
		{"CORE_PASSWORD", coretest.Password},
		{"CLOUD_USER", cloudtest.Username},
		{"MIMCM_USER", mimcmtest.Username},
		{"MIMCM_PASSWORD", mimcmtest.Password},
		{"CZERTAINLY_CERT_FILE", "/tmp/certadmin-fakes-1/czertainly/client.crt"},
		{"ARCGIS_URL", "https://127.0.0.1:46035/arcgis"},
	}
	settings = append(settings, setting{"TRICKY_QUOTES", `it's "quoted" $HOME ` + "`date`" + ` \n; ls | cat & *`},
		setting{"TRICKY_EMPTY", ""},
		setting{"TRICKY_SPACE", "a  b"},
		setting{"TRICKY_PLAIN", "http://127.0.0.1:1/x_y.z@a-b"},
	)
	var buf bytes.Buffer
	if err := writeSettings(&buf, settings); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\nTRICKY_PLAIN=http://127.0.0.1:1/x_y.z@a-b\n") {
		t.Errorf("a plain value was quoted:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), `MIMCM_USER='CONTOSO\cmuser'`) {
		t.Errorf("the MIM CM user (with a backslash) is not single-quoted:\n%s", buf.String())
	}
	got := parseSettings(t, buf.String())
	for _, s := range settings {
		if got[s.Name] != s.Value {
			t.Errorf("%s reads back as %q, want %q", s.Name, got[s.Name], s.Value)
		}
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Log("no sh: checked with the test's own reader only")
		return
	}
	file := filepath.Join(t.TempDir(), "fakes.env")
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// Print every variable NUL-terminated, so values with newlines or
	// spaces come back whole.
	script := `. "$1" || exit 1; shift; for n in "$@"; do eval "printf '%s\0' \"\${$n}\""; done`
	args := []string{"-c", script, "sh", file}
	for _, s := range settings {
		args = append(args, s.Name)
	}
	cmd := exec.Command(sh, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	values := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(values) != len(settings) {
		t.Fatalf("sh printed %d values for %d settings: %q", len(values), len(settings), out)
	}
	for i, s := range settings {
		if values[i] != s.Value {
			t.Errorf("sh reads %s as %q, want %q", s.Name, values[i], s.Value)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"abc":                 "abc",
		"":                    "''",
		"a b":                 "'a b'",
		"it's":                `'it'\''s'`,
		`CONTOSO\cmuser`:      `'CONTOSO\cmuser'`,
		"https://h:1/p@x_y.z": "https://h:1/p@x_y.z",
		"a=b":                 "'a=b'",
		"é":                   "'é'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"-h"}, exitOK, "usage: fakes"},
		{[]string{"--help"}, exitOK, "usage: fakes"},
		{[]string{"extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"-tls", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"-bogus"}, exitUsage, "flag provided but not defined"},
		{[]string{"-polls", "-1"}, exitUsage, "must not be negative"},
		{[]string{"-v", "extra"}, exitUsage, "unexpected argument"},
		{[]string{"-v=maybe"}, exitUsage, "invalid boolean value"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), tc.args, &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.err) || stdout.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, stdout %q; want %d and %q", tc.args, code, stderr.String(), stdout.String(), tc.code, tc.err)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in
// different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	// The bound is the test binary's own deadline (go test -timeout), not a
	// guess at how long a race-built process takes to start on a loaded
	// machine: a fixed 10 s failed there.
	deadline := time.Now().Add(5 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-10 * time.Second)
	}
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The command serves every fake with the printed settings until SIGINT
// (Ctrl-C) ends the context main gives it, then stops them and removes
// its files. (The replay uses the settings of -tls.)
func TestRunServesUntilInterrupted(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no signals to oneself on Windows")
	}
	envFile := filepath.Join(t.TempDir(), "fakes.env")
	ctx, stop := signalContext()
	defer stop()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-o", envFile}, &stdout, &stderr) }()
	waitFor(t, "the running line", func() bool { return strings.Contains(stderr.String(), "running") })

	got := parseSettings(t, stdout.String())
	env, err := os.ReadFile(envFile)
	if err != nil || string(env) != stdout.String() {
		t.Errorf("-o file %v:\n%s\nwant what stdout has:\n%s", err, env, stdout.String())
	}
	for _, name := range []string{"CORE_URL", "CORE_USER", "CORE_PASSWORD", "CLOUD_URL", "CLOUD_USER", "CLOUD_PASSWORD",
		"MIMCM_URL", "MIMCM_USER", "MIMCM_PASSWORD", "CZERTAINLY_URL", "CZERTAINLY_CERT_FILE", "CZERTAINLY_KEY_FILE",
		"CZERTAINLY_CA_FILE", "CZERTAINLY_TOKEN", "CZERTAINLY1_URL", "CZERTAINLY1_CERT_FILE", "CZERTAINLY1_KEY_FILE",
		"CZERTAINLY1_CA_FILE", "ARCGIS_URL", "ARCGIS_USER", "ARCGIS_PASSWORD", "ARCGIS_TOKEN_URL", "ARCGIS_TOKEN", "FAKES_PID"} {
		if got[name] == "" {
			t.Errorf("no %s", name)
		}
	}
	for _, p := range []string{"CORE", "CLOUD", "MIMCM", "ARCGIS"} {
		if !strings.HasPrefix(got[p+"_URL"], "http://127.0.0.1:") || got[p+"_CA_FILE"] != "" {
			t.Errorf("%s_URL = %q, %s_CA_FILE = %q; want plain HTTP on loopback without -tls", p, got[p+"_URL"], p, got[p+"_CA_FILE"])
		}
	}
	checkLive(t, got)
	// A request the API does not take is listed when the command stops.
	bad, err := http.NewRequest(http.MethodPost, got["CORE_URL"]+"/api/v2/certificates/search", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	bad.SetBasicAuth(got["CORE_USER"], got["CORE_PASSWORD"])
	bad.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(bad); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	if info, err := os.Stat(got["CZERTAINLY_KEY_FILE"]); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, %v; want mode 0600", info, err)
	}

	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after the interrupt", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIGINT did not stop the command")
	}
	if !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr: %q", stderr.String())
	}
	if want := "fakes: 1 requests or answers did not match the API specification:\nfakes:   MobileIron Core: request: POST /api/v2/certificates/search"; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q does not list the bad request (%q)", stderr.String(), want)
	}
	for _, name := range []string{"CZERTAINLY_CERT_FILE", "CZERTAINLY_KEY_FILE", "CZERTAINLY_CA_FILE", "CZERTAINLY1_KEY_FILE"} {
		if _, err := os.Stat(got[name]); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s %s still there after the stop: %v", name, got[name], err)
		}
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("-o file still there: %v", err)
	}
	c := &http.Client{Timeout: 2 * time.Second}
	if resp, err := c.Get(got["CORE_URL"]); err == nil {
		resp.Body.Close()
		t.Errorf("Core still answers after the stop: %s", resp.Status)
	}
}

// checkLive uses every setting the way a tool in another language would.
func checkLive(t *testing.T, got map[string]string) {
	t.Helper()
	client := func(caFile, certFile, keyFile string) *http.Client {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if caFile != "" {
			pemData, err := os.ReadFile(caFile)
			if err != nil {
				t.Fatal(err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pemData) {
				t.Fatalf("%s holds no certificate", caFile)
			}
		}
		if certFile != "" {
			pair, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			tc.Certificates = []tls.Certificate{pair}
		}
		return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	}
	do := func(c *http.Client, req *http.Request, want int) []byte {
		t.Helper()
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Errorf("%s %s: %s, want %d: %.200s", req.Method, req.URL, resp.Status, want, body)
		}
		return body
	}
	get := func(u, user, pass string) *http.Request {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		return req
	}

	core := client(got["CORE_CA_FILE"], "", "")
	do(core, get(got["CORE_URL"]+"/api/v2/configuration/SCEP/USER_PROVIDED/summary", got["CORE_USER"], got["CORE_PASSWORD"]), 200)
	do(core, get(got["CORE_URL"]+"/api/v2/configuration/SCEP/USER_PROVIDED/summary", got["CORE_USER"], "wrong"), 401)

	cloud := client(got["CLOUD_CA_FILE"], "", "")
	do(cloud, get(got["CLOUD_URL"]+"/api/v1/account?rows=1", got["CLOUD_USER"], got["CLOUD_PASSWORD"]), 200)

	mimcm := client(got["MIMCM_CA_FILE"], "", "")
	do(mimcm, get(got["MIMCM_URL"]+"/CertificateManagement/api/v1.0/profiletemplates", got["MIMCM_USER"], got["MIMCM_PASSWORD"]), 200)

	// CZERTAINLY 2.x: the client certificate from its files, or the token.
	cz := client(got["CZERTAINLY_CA_FILE"], got["CZERTAINLY_CERT_FILE"], got["CZERTAINLY_KEY_FILE"])
	do(cz, get(got["CZERTAINLY_URL"]+"/api/v1/raProfiles", "", ""), 200)
	anon := client(got["CZERTAINLY_CA_FILE"], "", "")
	do(anon, get(got["CZERTAINLY_URL"]+"/api/v1/raProfiles", "", ""), 401)
	req := get(got["CZERTAINLY_URL"]+"/api/v1/raProfiles", "", "")
	req.Header.Set("Authorization", "Bearer "+got["CZERTAINLY_TOKEN"])
	do(anon, req, 200)

	cz1 := client(got["CZERTAINLY1_CA_FILE"], got["CZERTAINLY1_CERT_FILE"], got["CZERTAINLY1_KEY_FILE"])
	do(cz1, get(got["CZERTAINLY1_URL"]+"/v1/admins", "", ""), 200)

	// ArcGIS: the printed token, and a token generated with the
	// credentials at ARCGIS_TOKEN_URL.
	arcgis := client(got["ARCGIS_CA_FILE"], "", "")
	identity := got["ARCGIS_URL"] + "/admin/security/certificates/identity?f=json&token="
	body := do(arcgis, get(identity+url.QueryEscape(got["ARCGIS_TOKEN"]), "", ""), 200)
	if bytes.Contains(body, []byte(`"error"`)) || bytes.Contains(body, []byte(`"status":"error"`)) {
		t.Errorf("ARCGIS_TOKEN refused: %s", body)
	}
	form := url.Values{"username": {got["ARCGIS_USER"]}, "password": {got["ARCGIS_PASSWORD"]}, "client": {"requestip"}, "f": {"json"}}
	resp, err := arcgis.PostForm(got["ARCGIS_TOKEN_URL"], form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		t.Fatalf("generateToken: %v, %+v", err, tok)
	}
	body = do(arcgis, get(identity+url.QueryEscape(tok.Token), "", ""), 200)
	if bytes.Contains(body, []byte(`"status":"error"`)) {
		t.Errorf("generated token refused: %s", body)
	}
}

// SIGTERM stops the real process: it closes the fakes, removes its
// files, says so and exits 0.
func TestSIGTERMStopsTheProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	t.Parallel() // another process: it overlaps with the replay
	cmd := exec.Command(os.Args[0])
	// The race detector sleeps a second before a process exits unless
	// told not to.
	cmd.Env = append(os.Environ(), "FAKES_RUN_MAIN=1", "GORACE=atexit_sleep_ms=0")
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }() // in case the test fails before the signal
	// stdout and stderr reach their buffers through separate pipes: wait
	// for the last setting as well as the running line.
	waitFor(t, "the settings and the running line", func() bool {
		return strings.Contains(stderr.String(), "running") && strings.Contains(stdout.String(), "FAKES_PID=")
	})
	got := parseSettings(t, stdout.String())
	if got["FAKES_PID"] != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("FAKES_PID = %q, the process is %d", got["FAKES_PID"], cmd.Process.Pid)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("exit: %v; stderr %q", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop")
	}
	if !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("stderr: %q", stderr.String())
	}
	if _, err := os.Stat(filepath.Dir(got["CZERTAINLY_KEY_FILE"])); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the certificate files are still there: %v", err)
	}
}

// With -v every request a fake serves is logged with its fake, method,
// path and status, and no credential: not the Basic password, not a token
// in the query.
func TestVerboseLogsRequestsWithoutCredentials(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-v"}, &stdout, &stderr) }()
	waitFor(t, "the running line", func() bool { return strings.Contains(stderr.String(), "running") })
	got := parseSettings(t, stdout.String())

	req, err := http.NewRequest(http.MethodGet, got["CORE_URL"]+"/api/v2/certificates/nope?token=q-s3cret", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(got["CORE_USER"], got["CORE_PASSWORD"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	arc, err := http.PostForm(got["ARCGIS_TOKEN_URL"], url.Values{"username": {got["ARCGIS_USER"]}, "password": {got["ARCGIS_PASSWORD"]}, "client": {"requestip"}, "f": {"json"}})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, arc.Body)
	arc.Body.Close()

	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d", code)
	}
	log := stderr.String()
	wantCore := "fakes: MobileIron Core: GET /api/v2/certificates/nope " + strconv.Itoa(resp.StatusCode) + "\n"
	wantArc := "fakes: ArcGIS Enterprise: POST " + mustPath(t, got["ARCGIS_TOKEN_URL"]) + " " + strconv.Itoa(arc.StatusCode) + "\n"
	for _, want := range []string{wantCore, wantArc} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{got["CORE_PASSWORD"], got["ARCGIS_PASSWORD"], "q-s3cret"} {
		if strings.Contains(log, secret) {
			t.Errorf("stderr shows a credential %q:\n%s", secret, log)
		}
	}
}

func mustPath(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}
