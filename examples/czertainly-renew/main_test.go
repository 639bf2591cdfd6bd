package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
		{[]string{"-nope"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-cert", "a.pem"}, 2, "-cert and -key go together"},
		{[]string{"-url", "https://ilm.example.com"}, 1, "needs credentials"},
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
