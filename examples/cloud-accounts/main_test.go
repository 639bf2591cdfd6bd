package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/cloud/cloudtest"
)

func noEnv(string) string { return "" }

// samples is how many accounts the fake tenant holds beside the generated ones.
func samples(t *testing.T) int {
	t.Helper()
	return cloudtest.NewTestServer(t).AccountCount()
}

func TestCSVFromFake(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-fake-accounts", "1100", "-sort", "displayName"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := 1100 + samples(t)
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	if len(rows) != 1+total || len(byID) != total || rows[0][0] != "id" || byID["10022"][3] != "John Doe" || byID["6150167"][3] != "r m" ||
		byID["1000001"][1] != "user000001@example.test" {
		t.Errorf("%d rows, first %q, 10022 %q", len(rows), rows[0], byID["10022"])
	}
	if byID["10022"][9] != "2013-06-25T19:31:21Z" {
		t.Errorf("createdAt %q", byID["10022"][9])
	}
	if !strings.Contains(errOut.String(), fmt.Sprintf("%d accounts in ", total)) || !strings.Contains(errOut.String(), "1000 accounts…") {
		t.Errorf("progress: %q", errOut.String())
	}
}

// JSON lines carry the API's names ({"id":…,"uid":…}), not Go's field names.
func TestJSONLinesParallel(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-format", "jsonl", "-fake-accounts", "998", "-rows", "100", "-parallel", "4"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var john map[string]any
	for _, l := range lines {
		if strings.HasPrefix(l, `{"id":10022,`) {
			if err := json.Unmarshal([]byte(l), &john); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(l, `{"id":10022,"uid":"john.doe@example.test",`) {
				t.Errorf("line %s", l)
			}
		}
		if strings.Contains(l, `"ID"`) || strings.Contains(l, `"UID"`) {
			t.Errorf("Go field names in %s", l)
		}
	}
	if len(lines) != 998+samples(t) || john["createdAt"] != float64(1372188681178) || john["loginSuccessAt"] != float64(1416614208360) {
		t.Errorf("%d lines, 10022 is %v", len(lines), john)
	}
}

func TestRealTenantNeedsPasswordFromEnvironment(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", "https://tenant.invalid", "-user", "admin@example.test"}, noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "MI_CLOUD_PASSWORD") || exitCode(err, &errOut) != 2 {
		t.Errorf("err = %v", err)
	}
}

func TestHelpExitsZero(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-h"}, noEnv, &out, &errOut)
	if code := exitCode(err, &errOut); code != 0 || !strings.Contains(errOut.String(), "-rows") || out.Len() != 0 {
		t.Errorf("-h: exit %d, err %v, stderr %q", code, err, errOut.String())
	}
}

func TestNonsenseIsAUsageError(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"accounts.csv"}, `unexpected argument "accounts.csv"`},
		{[]string{"-rows", "0"}, "1 to 500"},
		{[]string{"-rows", "501"}, "1 to 500"},
		{[]string{"-rows", "-5"}, "1 to 500"},
		{[]string{"-parallel", "-1"}, "-parallel -1"},
		{[]string{"-parallel", "17"}, "-parallel 17"},
		{[]string{"-fake-accounts", "-3"}, "must not be negative"},
		{[]string{"-timeout", "-1s"}, "must not be negative"},
		{[]string{"-user", "a@example.test"}, "-user needs -url"},
		{[]string{"-no-such-flag"}, "not defined"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, noEnv, &out, &errOut)
		code := exitCode(err, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), tc.want) || out.Len() != 0 {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}

func TestVerboseLogsAttemptsWithoutSecrets(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-v", "-fake-accounts", "10", "-rows", "5"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	log := errOut.String()
	pages := (10 + samples(t) + 4) / 5
	if strings.Count(log, "certadmin http attempt") != pages || !strings.Contains(log, "status=200") || !strings.Contains(log, "rows=5") {
		t.Errorf("debug log:\n%s", log)
	}
	if strings.Contains(log, "cloudtest-not-a-secret") || strings.Contains(strings.ToLower(log), "authorization") {
		t.Errorf("the log shows credentials:\n%s", log)
	}
}

// dirEntries lists a directory's file names.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// -o writes the file only once the listing is complete: a refused
// password leaves an existing file as it was, and no partial file.
func TestOutputFileUntouchedOnFailure(t *testing.T) {
	srv := cloudtest.NewTestServer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "accounts.csv")
	if err := os.WriteFile(path, []byte("old,content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrong := func(string) string { return "not-the-password" }
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-o", path}, wrong, &out, &errOut)
	if code := exitCode(err, &errOut); code != 1 || !strings.Contains(errOut.String(), "401") {
		t.Errorf("wrong password: exit %d, %v", code, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old,content\n" || !slices.Equal(dirEntries(t, dir), []string{"accounts.csv"}) {
		t.Errorf("after a failure the file holds %q, the directory %v", b, dirEntries(t, dir))
	}

	right := func(string) string { return srv.Password }
	if err := run(context.Background(), []string{"-url", srv.URL, "-user", srv.Username, "-o", path}, right, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(mustRead(t, path))).ReadAll()
	if err != nil || len(rows) != 1+srv.AccountCount() || !slices.Equal(dirEntries(t, dir), []string{"accounts.csv"}) {
		t.Errorf("after success: %d rows, %v, directory %v", len(rows), err, dirEntries(t, dir))
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cancelOnProgress cancels the listing when the first progress line is
// written, as Ctrl-C in the middle of a listing does.
type cancelOnProgress struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (c *cancelOnProgress) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "accounts…") {
		c.cancel()
	}
	return c.Buffer.Write(p)
}

// Ctrl-C says "interrupted", exits non-zero and leaves no cut-off row:
// the -o file is left as it was, stdout ends with whole rows.
func TestInterruptSaysSoAndKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "accounts.csv")
	if err := os.WriteFile(path, []byte("old,content\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errOut := &cancelOnProgress{cancel: cancel}
	var out bytes.Buffer
	err := run(ctx, []string{"-fake-accounts", "2000", "-rows", "100", "-o", path}, noEnv, &out, errOut)
	var code bytes.Buffer
	if exitCode(err, &code) != 130 || !strings.Contains(code.String(), "interrupted") {
		t.Errorf("exit %d, %q (%v)", exitCode(err, &bytes.Buffer{}), code.String(), err)
	}
	if mustRead(t, path) != "old,content\n" || !slices.Equal(dirEntries(t, dir), []string{"accounts.csv"}) {
		t.Errorf("after Ctrl-C the file holds %q, the directory %v", mustRead(t, path), dirEntries(t, dir))
	}

	ctx, cancel = context.WithCancel(context.Background())
	errOut = &cancelOnProgress{cancel: cancel}
	out.Reset()
	err = run(ctx, []string{"-fake-accounts", "2000", "-rows", "100"}, noEnv, &out, errOut)
	if exitCode(err, &bytes.Buffer{}) != 130 {
		t.Errorf("stdout: %v", err)
	}
	rows, rerr := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	if rerr != nil || len(rows) < 101 || len(rows) > 2000 || !strings.HasSuffix(out.String(), "\n") {
		t.Errorf("stdout after Ctrl-C: %d rows, %v", len(rows), rerr)
	}
	for i, r := range rows {
		if len(r) != len(header) {
			t.Errorf("row %d is cut: %q", i, r)
		}
	}
}
