package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

func TestReportAgainstFake(t *testing.T) {
	var out, errOut bytes.Buffer
	now := time.Date(2026, 4, 5, 10, 32, 43, 0, time.UTC)
	if err := run(context.Background(), nil, noEnv, &out, &errOut, now); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	want := `samlcert (cc1mm3jpkfkhnkx243mp1)
  subject:     CN=saml.default
  issuer:      CN=saml.default
  sha256:      064c9b092d17485285b4dbcf218a3d9ee27ff01dec75ad166036716ae5a5dbaa
  sha1:        75ea543024edc07116acde3d1df598416efd86c2
  md5:         116787abd37b628f4e5d7e044c2284fc
  valid until: 2031-04-05T10:32:43Z (1826 days)
`
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want)
	}
	if !strings.Contains(errOut.String(), "in-process fake") {
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
	if !strings.Contains(out.String(), "(16 days)") {
		t.Errorf("stdout: %s", out.String())
	}
}

func TestRealServerNeedsSecretsFromEnvironment(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", "https://gis.example.invalid", "-user", "admin"}, noEnv, &out, &errOut, time.Now())
	if err == nil || !strings.Contains(err.Error(), "ARCGIS_PASSWORD") {
		t.Errorf("err = %v", err)
	}
}
