package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func TestCSVFromFake(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-fake-accounts", "1100", "-sort", "displayName"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1103 || rows[0][0] != "id" || rows[1][3] != "John Doe" || rows[2][3] != "r m" || rows[3][1] != "user000001@example.test" {
		t.Errorf("%d rows, first %q %q %q", len(rows), rows[0], rows[1], rows[3])
	}
	if rows[1][9] != "2013-06-25T19:31:21Z" {
		t.Errorf("createdAt %q", rows[1][9])
	}
	if !strings.Contains(errOut.String(), "1102 accounts in ") || !strings.Contains(errOut.String(), "1000 accounts…") {
		t.Errorf("progress: %q", errOut.String())
	}
}

func TestJSONLinesParallel(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-format", "jsonl", "-fake-accounts", "998", "-rows", "100", "-parallel", "4"}, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var first struct {
		ID  int64
		UID string
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || len(lines) != 1000 || first.ID != 10022 {
		t.Errorf("%d lines, first %+v %v", len(lines), first, err)
	}
}

func TestRealTenantNeedsPasswordFromEnvironment(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", "https://tenant.invalid", "-user", "admin@example.test"}, noEnv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "MI_CLOUD_PASSWORD") {
		t.Errorf("err = %v", err)
	}
	if err := run(context.Background(), []string{"-rows", "501"}, noEnv, &out, &errOut); err == nil || !strings.Contains(err.Error(), "maximum of 500") {
		t.Errorf("rows 501: %v", err)
	}
}
