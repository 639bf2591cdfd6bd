package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mimcm/mimcmtest"
)

func TestListsPendingRequestsFromTheFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), nil, &stdout, &stderr, func(string) string { return "" }); err != nil {
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
	if !strings.Contains(stderr.String(), "2 request(s)") {
		t.Errorf("progress: %s", stderr.String())
	}
}

func TestRealServerPathWithEnvironmentPassword(t *testing.T) {
	srv, err := mimcmtest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"MIMCM_PASSWORD": mimcmtest.Password}
	out := filepath.Join(t.TempDir(), "requests.txt")
	var stdout, stderr bytes.Buffer
	args := []string{"-url", srv.URL, "-user", mimcmtest.Username, "-status", "completed", "-mine", "-o", out}
	if err := run(context.Background(), args, &stdout, &stderr, func(k string) string { return env[k] }); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(b), "\n"); got != 1 || stdout.Len() != 0 {
		t.Errorf("no completed request: want only the header in the file, got %q (stdout %q)", b, stdout.String())
	}
	if strings.Contains(stderr.String(), mimcmtest.Password) {
		t.Error("the password appeared in the progress output")
	}
	if v := srv.SpecViolations(); len(v) > 0 {
		t.Errorf("spec violations: %v", v)
	}
	if srv.Hits("GET", "/CertificateManagement/api/v1.0/requests") != 1 {
		t.Errorf("want exactly one list call, got %d", srv.TotalHits())
	}
}

func TestRefusesMissingCredentialsAndBadStatus(t *testing.T) {
	var stdout, stderr bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := run(context.Background(), []string{"-url", "https://cm.invalid", "-user", "x"}, &stdout, &stderr, noEnv); err == nil || !strings.Contains(err.Error(), "MIMCM_PASSWORD") {
		t.Errorf("missing password: %v", err)
	}
	if err := run(context.Background(), []string{"-status", "Abandoned"}, &stdout, &stderr, noEnv); err == nil || !strings.Contains(err.Error(), "Abandoned") {
		t.Errorf("bad status: %v", err)
	}
}
