package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	czertainly "github.com/certadmin/certadmin-go/czertainly"
)

func noEnv(string) string { return "" }

func TestRenewAgainstFake(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-days", "10"}, &stdout, &stderr, noEnv); code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"COMMON NAME", "api1.example.com", "api2.example.com", "seed1.example.com", "legacy.example.com",
		"no RA profile", "4 candidates: 3 renewed, 0 pending, 0 already renewed, 1 skipped, 0 failed, 0 unknown"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "in-process fake") || !strings.Contains(stderr.String(), "api1.example.com: renewed") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// -format csv and jsonl write one record per candidate, to the -o file;
// the summary goes to stderr so the file holds records only.
func TestRecordFormatsToFile(t *testing.T) {
	for _, format := range []string{"csv", "jsonl"} {
		var stdout, stderr bytes.Buffer
		out := filepath.Join(t.TempDir(), "results."+format)
		if code := run(context.Background(), []string{"-days", "10", "-format", format, "-o", out}, &stdout, &stderr, noEnv); code != 0 {
			t.Fatalf("%s: exit %d\nstderr:\n%s", format, code, stderr.String())
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		want := 4 // candidates
		if format == "csv" {
			want++ // header
		}
		if len(lines) != want || stdout.Len() != 0 {
			t.Errorf("%s: %d lines in the file, %d bytes on stdout; want %d and 0:\n%s", format, len(lines), stdout.Len(), want, data)
		}
		if !strings.Contains(string(data), "api1.example.com") || !strings.Contains(string(data), "renewed") || strings.Contains(string(data), "candidates") {
			t.Errorf("%s file:\n%s", format, data)
		}
		if !strings.Contains(stderr.String(), "4 candidates: 3 renewed") {
			t.Errorf("%s: stderr lacks the summary:\n%s", format, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-format", "json"}, &stdout, &stderr, noEnv); code != 2 {
		t.Errorf("-format json: exit %d, want 2", code)
	}
}

func TestDryRunAndVerbose(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-dry-run", "-v"}, &stdout, &stderr, noEnv); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "0 renewed") || !strings.Contains(stdout.String(), "dry run") {
		t.Errorf("stdout:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "certadmin http attempt") || strings.Contains(stderr.String(), "czertainlytest-oidc-token") {
		t.Errorf("debug log missing or not redacted:\n%s", stderr.String())
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "usage: czertainly-renew"},
		{[]string{"-days", "-3"}, 2, "-days -3"},
		{[]string{"-timeout", "-1s"}, 2, "-timeout -1s"},
		{[]string{"-nope"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-cert", "a.pem"}, 2, "-cert and -key go together"},
		// A missing credential is a usage error too: nothing was tried.
		{[]string{"-url", "https://ilm.example.com"}, 2, "needs credentials"},
		{[]string{"-url", "ftp://ilm.example.com", "-cert", "a.pem", "-key", "a.key"}, 2, "-url"},
		{[]string{"-ca", "ca.pem"}, 2, "-ca need -url"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tc.args, &stdout, &stderr, noEnv); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, nil, &stdout, &stderr, noEnv); code != 130 || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// selfSigned is a key and a certificate for it, standing for what Core
// issued before a renewal's workflow failed.
func selfSigned(t *testing.T) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "api1.example.com"}, NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	crt, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, crt
}

// Invariant 1 in the tool: a failed result whose error carries issued
// material gets it saved, mode 0600, key and certificate, and a result
// without material writes nothing.
func TestSaveMaterialsOfFailedResults(t *testing.T) {
	key, leaf := selfSigned(t)
	const newUUID = "7d3c1a52-6b0e-4c3a-9a4f-0f1e2d3c4b5a"
	keyOnly, _ := selfSigned(t)
	results := []czertainly.RenewalResult{
		{Certificate: czertainly.Certificate{UUID: "old-1", CommonName: "api1.example.com"}, Outcome: czertainly.RenewalOutcomeFailed,
			Err: fmt.Errorf("wrapped: %w", &czertainly.EnrollError{Op: "czertainly.Enroll", CertificateUUID: newUUID,
				Received: &czertainly.Enrollment{Key: key, Leaf: leaf}, Err: errors.New("chain download failed")})},
		{Certificate: czertainly.Certificate{UUID: "old-2", CommonName: "api2.example.com"}, Outcome: czertainly.RenewalOutcomeUnknown,
			Err: &czertainly.EnrollError{Op: "czertainly.Enroll", Received: &czertainly.Enrollment{Key: keyOnly}, Err: czertainly.ErrOutcomeUnknown}},
		{Certificate: czertainly.Certificate{UUID: "old-3", CommonName: "api3.example.com"}, Outcome: czertainly.RenewalOutcomeFailed, Err: errors.New("refused")},
	}
	dir := t.TempDir()
	var stderr bytes.Buffer
	if err := saveMaterials(dir, results, &stderr); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if fi, _ := e.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	want := []string{newUUID + "-cert.pem", newUUID + "-key.pem", "old-2-renewal-key.pem"}
	if !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	certPEM, _ := os.ReadFile(filepath.Join(dir, newUUID+"-cert.pem"))
	keyPEM, _ := os.ReadFile(filepath.Join(dir, newUUID+"-key.pem"))
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil || !pair.Leaf.Equal(leaf) {
		t.Errorf("saved certificate and key are not the pair received: %v", err)
	}
	if !strings.Contains(stderr.String(), newUUID+"-key.pem") || !strings.Contains(stderr.String(), "old-2-renewal-key.pem") {
		t.Errorf("stderr does not name the files:\n%s", stderr.String())
	}
	// A directory that cannot be written: the error is returned (the run
	// then exits 1), and no partial file is left.
	if err := saveMaterials(filepath.Join(dir, "missing"), results[:1], &stderr); err == nil {
		t.Error("no error when the material could not be saved")
	}
}
