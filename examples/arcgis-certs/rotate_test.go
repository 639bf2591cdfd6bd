package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/certadmin/certadmin-go/enterpriseadmin"
	"github.com/certadmin/certadmin-go/enterpriseadmin/enterpriseadmintest"
	"github.com/certadmin/certadmin-go/internal/testcert"
)

const pfxPassword = "tool-test-pfx-password"

// writePFX writes a new certificate and key as a PKCS#12 file.
func writePFX(t *testing.T, cn string) string {
	t.Helper()
	cert, key := testcert.ForName(t, cn)
	pfx, err := enterpriseadmin.NewPKCS12(cert, key, nil, pfxPassword)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "new.pfx")
	if err := os.WriteFile(path, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func withPFXPassword(env func(string) string) func(string) string {
	return func(k string) string {
		if k == pfxPasswordEnv {
			return pfxPassword
		}
		return env(k)
	}
}

func TestRotateAgainstTheInProcessFake(t *testing.T) {
	pfx := writePFX(t, "*.gis.example.com")
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"-rotate", "wildcard-2026", "-pfx", pfx, "-delete-old"}, withPFXPassword(noEnv), &out, &errOut, time.Now())
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"the ingress serves wildcard-2026 (cc", "imported:    true", "pointed:     true", "old:         samlcert, deleted"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"importing the new certificate", "verifying the ingress serves the new certificate", "deleting the old certificate", "completed"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if strings.Contains(out.String()+errOut.String(), pfxPassword) {
		t.Error("the PFX password was printed")
	}
}

// A rotation that fails half-way says where it stopped; the same command
// again finishes it without a second import.
func TestRotateFailsHalfwayThenResumes(t *testing.T) {
	srv := enterpriseadmintest.NewTestServer(t, enterpriseadmintest.WithServedCertificateProtected())
	env := withPFXPassword(func(k string) string {
		if k == "ARCGIS_PASSWORD" {
			return srv.Password
		}
		return ""
	})
	args := []string{"-url", srv.URL, "-user", srv.Username, "-rotate", "wildcard-2026", "-pfx", writePFX(t, "*.gis.example.com"), "-delete-old", "-format", "jsonl"}
	srv.Inject(enterpriseadmintest.Fault{Method: http.MethodPost, PathSuffix: "/ingress/update", Status: http.StatusBadGateway})
	var out, errOut bytes.Buffer
	if code := realMain(context.Background(), args, env, &out, &errOut, time.Now()); code != exitFailed {
		t.Fatalf("exit %d, want %d: %s", code, exitFailed, errOut.String())
	}
	for _, want := range []string{"rotation stopped while pointing the ingress at the new certificate; the ingress names samlcert", "next: the new certificate is in the store"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if !slices.Contains(srv.IdentityCertificateNames(), enterpriseadmintest.SeedCertificateName) || out.Len() != 0 {
		t.Fatalf("after the failure: store %v, stdout %q", srv.IdentityCertificateNames(), out.String())
	}

	out.Reset()
	errOut.Reset()
	if code := realMain(context.Background(), args, env, &out, &errOut, time.Now()); code != exitOK {
		t.Fatalf("rerun: exit %d: %s", code, errOut.String())
	}
	var rep rotationReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if rep.Imported || !rep.Pointed || !rep.OldDeleted || rep.Serving != "wildcard-2026" || rep.OldName != enterpriseadmintest.SeedCertificateName {
		t.Errorf("rerun report = %+v", rep)
	}
	if n := srv.HitsMatching(http.MethodPost, "/identity/import"); n != 1 {
		t.Errorf("import requests = %d, want 1", n)
	}
}

func TestRotateOutputFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotation.txt")
	var out, errOut bytes.Buffer
	code := realMain(context.Background(), []string{"-rotate", "wildcard-2026", "-pfx", writePFX(t, "*.gis.example.com"), "-o", path},
		withPFXPassword(noEnv), &out, &errOut, time.Now())
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "old:         samlcert, kept") || out.Len() != 0 {
		t.Errorf("file %q (%v), stdout %q", b, err, out.String())
	}
}

func TestRotateUsageErrors(t *testing.T) {
	pfx := writePFX(t, "x.example.com")
	for name, tc := range map[string]struct {
		args []string
		env  func(string) string
		want string
	}{
		"pfx without rotate":     {[]string{"-pfx", pfx}, withPFXPassword(noEnv), "-pfx, -delete-old and -old need -rotate"},
		"delete-old alone":       {[]string{"-delete-old"}, withPFXPassword(noEnv), "need -rotate"},
		"rotate without pfx":     {[]string{"-rotate", "x"}, withPFXPassword(noEnv), "-rotate needs -pfx"},
		"rotate with id":         {[]string{"-rotate", "x", "-pfx", pfx, "-id", "cc1"}, withPFXPassword(noEnv), "do not go together"},
		"old without delete-old": {[]string{"-rotate", "x", "-pfx", pfx, "-old", "samlcert"}, withPFXPassword(noEnv), "give -delete-old too"},
		"negative wait":          {[]string{"-rotate", "x", "-pfx", pfx, "-wait", "-1s"}, withPFXPassword(noEnv), "-wait must not be negative"},
		"no pfx password":        {[]string{"-rotate", "x", "-pfx", pfx}, noEnv, pfxPasswordEnv},
		"missing pfx file":       {[]string{"-rotate", "x", "-pfx", filepath.Join(t.TempDir(), "none.pfx")}, withPFXPassword(noEnv), "-pfx:"},
		"wrong pfx password": {[]string{"-rotate", "x", "-pfx", pfx}, func(k string) string {
			if k == pfxPasswordEnv {
				return "wrong"
			}
			return ""
		}, "certificate file"},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := realMain(context.Background(), tc.args, tc.env, &out, &errOut, time.Now()); code != exitUsage {
				t.Errorf("exit %d, want %d; stderr %q", code, exitUsage, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("stderr %q, want %q", errOut.String(), tc.want)
			}
		})
	}
}
