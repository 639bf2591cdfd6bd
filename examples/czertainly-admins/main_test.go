package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/czertainly/adminv1"
	"github.com/certadmin/certadmin-go/czertainly/adminv1/adminv1test"
)

func runTool(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRunAgainstFake(t *testing.T) {
	code, out, errOut := runTool(t, context.Background(), "-username", "jdoe")
	if code != exitOK {
		t.Fatalf("exit %d\nstderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"UUID", adminv1test.SampleAdminUUID, "superadmin", "jdoe",
		"jdoe enabled=false after disable (created and disabled by czertainly-admins)", "jdoe deleted",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"in-memory platform", "creating administrator jdoe", "updating", "disabling", "deleting"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "certadmin http attempt") {
		t.Error("HTTP attempts logged without -v")
	}
}

func TestHelpExitsZero(t *testing.T) {
	code, out, errOut := runTool(t, context.Background(), "-h")
	if code != exitOK || out != "" || !strings.Contains(errOut, "usage: czertainly-admins") || !strings.Contains(errOut, "-new-cert") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list"}, `unexpected argument "list"`},
		{[]string{"-keep", "extra", "-v"}, `unexpected argument "extra"`},
		{[]string{"-role", "root"}, `-role "root" is not administrator or superAdministrator`},
		{[]string{"-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"-timeout", "soon"}, "invalid value"},
		{[]string{"-username", "j doe"}, "must be one word"},
		{[]string{"-name", " "}, "must not be blank"},
		{[]string{"-email", "nobody"}, "is not an e-mail address"},
		{[]string{"-cert", filepath.Join(dir, "a.crt")}, "-cert and -key go together"},
		{[]string{"-ca", filepath.Join(dir, "ca.pem")}, "need -url"},
		{[]string{"-url", "ftp://czertainly.example.com/api", "-cert", "a", "-key", "b", "-new-cert", "c"}, "is not an https:// URL"},
		{[]string{"-url", "https://czertainly.example.com/api"}, "-url needs -cert, -key and -new-cert"},
		{[]string{"-bogus"}, "flag provided but not defined"},
	} {
		code, out, errOut := runTool(t, context.Background(), tc.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 saying %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

func TestVerboseLogsRedactedAttempts(t *testing.T) {
	code, _, errOut := runTool(t, context.Background(), "-v", "-keep")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, want := range []string{"certadmin http attempt", "method=POST", "method=GET", "status=201", "/api/v1/admins"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "PRIVATE KEY") || strings.Contains(errOut, "BEGIN CERTIFICATE") {
		t.Errorf("the log shows key or certificate material:\n%s", errOut)
	}
	if strings.Contains(errOut, "deleting") {
		t.Error("-keep deleted the administrator")
	}
}

func TestOutFileIsWrittenWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "admins.jsonl")
	code, out, errOut := runTool(t, context.Background(), "-o", path, "-format", "jsonl", "-username", "filed")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One administrator per line, each in the server's form.
	var list []adminv1.Admin
	for line := range strings.Lines(string(data)) {
		var a adminv1.Admin
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		list = append(list, a)
	}
	var names []string
	for _, a := range list {
		names = append(names, a.Username)
	}
	if strings.Join(names, ",") != "string,superadmin,filed" {
		t.Errorf("file lists %v", names)
	}
	if strings.Contains(out, "USERNAME") || !strings.Contains(errOut, "wrote 3 administrators to "+path) {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("directory holds %v (%v), want only the file", entries, err)
	}
	// A file that cannot be written fails the run, leaving nothing behind.
	code, _, errOut = runTool(t, context.Background(), "-o", filepath.Join(dir, "missing", "admins.json"))
	if code != exitFailed || !strings.Contains(errOut, "czertainly-admins:") {
		t.Errorf("unwritable -o: exit %d\n%s", code, errOut)
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, _, errOut := runTool(t, ctx)
	if code != exitInterrupted || !strings.Contains(errOut, "czertainly-admins: interrupted") {
		t.Errorf("exit %d\n%s", code, errOut)
	}
}

func TestAgainstURL(t *testing.T) {
	srv := adminv1test.NewTestServer(t)
	dir := t.TempDir()
	files, err := srv.WriteClientFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := srv.CA.IssueClientCertificate("jdoe")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, _, err := adminv1test.EncodePEM(cert)
	if err != nil {
		t.Fatal(err)
	}
	newCert := filepath.Join(dir, "jdoe.crt")
	if err := os.WriteFile(newCert, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runTool(t, context.Background(), "-url", srv.URL, "-cert", files.CertFile, "-key", files.KeyFile,
		"-ca", files.CAFile, "-new-cert", newCert, "-username", "jdoe", "-email", "jdoe@example.com")
	if code != exitOK || !strings.Contains(out, "jdoe deleted") || strings.Contains(errOut, "in-memory") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := srv.AdminCount(); n != 2 {
		t.Errorf("%d administrators left", n)
	}
	// Without -ca the fake's private CA is not trusted.
	code, _, errOut = runTool(t, context.Background(), "-url", srv.URL, "-cert", files.CertFile, "-key", files.KeyFile, "-new-cert", newCert)
	if code != exitFailed || !strings.Contains(errOut, "certificate") {
		t.Errorf("untrusted server: exit %d\n%s", code, errOut)
	}
}
