package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/certadmin/certadmin-go/mobileiron/core/coretest"
)

func TestQuickstartAgainstFake(t *testing.T) {
	out := filepath.Join(t.TempDir(), "certificates.csv")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-out", out, "-poll", "1ms"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "id,serialNumber,type,userId,deviceUuid,ceSettingName,certificateStatus,createdAt,expiredAt\n2,102,Centralized,9002,,LocalCE,ACTIVE,2016-04-18,2017-04-18\n"
	if string(data) != want {
		t.Errorf("CSV = %q, want %q", data, want)
	}
	if !strings.HasPrefix(stdout.String(), fmt.Sprintf("wrote %s: 1 row(s), %d bytes in ", out, len(want))) {
		t.Errorf("summary = %q", stdout.String())
	}
	if !strings.Contains(stderr.String(), "in-memory Core") || !strings.Contains(stderr.String(), "export success") {
		t.Errorf("progress = %q", stderr.String())
	}
}

func TestQuickstartLargeExport(t *testing.T) {
	const size = 2 << 20
	out := filepath.Join(t.TempDir(), "big.csv")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-out", out, "-poll", "1ms", "-fake-size", fmt.Sprint(size)}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Size() != size {
		t.Fatalf("file: %v, %v", fi, err)
	}
	want := fmt.Sprintf("wrote %s: %d row(s), %d bytes in ", out, coretest.GeneratedCSVRows(size), size)
	if !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("summary = %q, want prefix %q", stdout.String(), want)
	}
}

func TestQuickstartRealServerNeedsPasswordFromEnvironment(t *testing.T) {
	t.Setenv(passwordEnv, "")
	out := filepath.Join(t.TempDir(), "certificates.csv")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-url", "https://core.invalid", "-user", "apiadmin", "-out", out}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), passwordEnv) {
		t.Fatalf("err = %v, want a pointer to $%s", err, passwordEnv)
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Error("a file was written although nothing was exported")
	}
}

func TestQuickstartAgainstURLWithPasswordFromEnvironment(t *testing.T) {
	srv, err := coretest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv(passwordEnv, coretest.Password)
	out := filepath.Join(t.TempDir(), "certificates.csv")
	var stdout, stderr bytes.Buffer
	err = run(context.Background(), []string{"-url", srv.URL, "-user", coretest.Username, "-out", out, "-poll", "1ms"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), ": 1 row(s),") || strings.Contains(stdout.String()+stderr.String(), coretest.Password) {
		t.Errorf("stdout = %q, stderr = %q", stdout.String(), stderr.String())
	}
	if v := srv.SpecViolations(); len(v) > 0 {
		t.Errorf("spec violations: %v", v)
	}
}
